import * as path from "node:path"
import { benchBundle } from "./bundle.js"
import { killAll } from "./children.js"
import { benchHttp } from "./http.js"
import { BENCH_DIR, BUILD_DIR } from "./paths.js"
import { benchRateLimit } from "./rateLimit.js"
import { type Entry, renderTable, writeResults } from "./table.js"
import { benchWorker } from "./worker.js"

/**
 * `npm run bench`: every measure is taken side by side with its baseline in this one run, because the machine is
 * shared and absolute figures drift. Exits 0 when a target is missed (the table says so), 1 when the bench breaks.
 * A measure is a module returning `Entry[]`; add it as one line below.
 */
const progress = (line: string) => process.stderr.write(`[bench] ${line}\n`)
const seconds = (name: string, fallback: number) => {
  const value = Number(process.env[name] ?? fallback)
  return Number.isFinite(value) && value > 0 ? value : fallback
}

const main = async () => {
  const nodeFlags = process.env["BENCH_CPU_PROF"] === "1" ? ["--cpu-prof", `--cpu-prof-dir=${path.join(BUILD_DIR, "prof")}`] : []
  const entries: Array<Entry> = []
  entries.push(
    ...(await benchHttp({
      connections: 50,
      warmupS: seconds("BENCH_WARMUP_S", 2),
      durationS: seconds("BENCH_DURATION_S", 10),
      rounds: 2,
      nodeFlags,
      progress
    }))
  )
  entries.push(...(await benchBundle({ initRuns: 15, progress })))
  entries.push(...(await benchWorker({ messages: 5_000, conversations: 500, batchSize: 10, rounds: 2, sliceBatches: 10, progress })))
  entries.push(...(await benchRateLimit({ limit: 20, windowMs: 2_000, workers: 4, windows: 5, progress })))

  const resultsFile = path.join(BENCH_DIR, "results.json")
  writeResults(resultsFile, entries)
  process.stdout.write(`\n${renderTable(entries)}\n\n`)
  progress(`wrote ${path.relative(process.cwd(), resultsFile)}`)
}

// Whatever happens, no server outlives the bench.
process.once("exit", killAll)
for (const [signal, code] of [["SIGINT", 130], ["SIGTERM", 143]] as const) {
  process.once(signal, () => {
    progress(`${signal}: stopping`)
    killAll()
    process.exit(code)
  })
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    progress(`FAILED: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`)
    killAll()
    process.exit(1)
  }
)
