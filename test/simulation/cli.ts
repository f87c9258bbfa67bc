import { spawn } from "node:child_process"
import { availableParallelism } from "node:os"
import { scenarios } from "./scenarios.js"
import { describeFailure, narrate, simulate, simulateSeed } from "./Simulate.js"

/**
 * `npm run sim -- --seeds N [--from S] [--jobs J] [--verbose]`: plays N generated scripts (seeds S … S+N-1) in J
 * processes (default: one per core) and prints what it checked and every violation.
 * `SIM_SEED=<n> npm run sim` replays one seed and narrates it message by message.
 * `npm run sim -- --scenarios [--verbose]` plays the named regression scenarios.
 * Exits 1 when any invariant failed.
 */

const flag = (name: string): string | undefined => {
  const i = process.argv.indexOf(`--${name}`)
  return i === -1 ? undefined : process.argv[i + 1]
}
const replay = process.env["SIM_SEED"]
/** A replayed seed is narrated: that is what replaying is for. */
const verbose = process.argv.includes("--verbose") || replay !== undefined

interface Totals {
  scripts: number
  conversations: number
  messages: number
  replies: number
  richpanelCalls: number
  crashes: number
  checks: number
  unidentifiable: number
  failed: number
  violations: number
}

const emptyTotals = (): Totals => ({
  scripts: 0,
  conversations: 0,
  messages: 0,
  replies: 0,
  richpanelCalls: 0,
  crashes: 0,
  checks: 0,
  unidentifiable: 0,
  failed: 0,
  violations: 0
})

const runScenarios = () => {
  let failed = 0
  for (const { defect, script } of scenarios) {
    const outcome = simulate(script)
    const verdict = outcome.violations.length === 0 ? "ok" : `${outcome.violations.length} violation(s)`
    console.log(`defect ${defect}: ${script.name}: ${verdict} (${outcome.checks} checks)`)
    for (const v of outcome.violations.slice(0, 8)) console.log(`  ${v.invariant} ${v.detail}`)
    if (verbose) console.log(narrate(outcome.trace))
    if (outcome.violations.length > 0) failed++
  }
  return failed
}

/** Plays seeds in this process; failures are printed as they come. */
const runSeeds = (from: number, count: number, progress: boolean): Totals => {
  const totals = emptyTotals()
  const started = Date.now()
  for (let seed = from; seed < from + count; seed++) {
    const outcome = simulateSeed(seed)
    totals.scripts++
    totals.conversations += outcome.conversations
    totals.messages += outcome.messages
    totals.replies += outcome.replies
    totals.richpanelCalls += outcome.richpanelCalls
    totals.crashes += outcome.crashes
    totals.checks += outcome.checks
    totals.unidentifiable += outcome.unidentifiable
    if (outcome.violations.length > 0) {
      totals.failed++
      totals.violations += outcome.violations.length
      console.log(describeFailure(outcome))
    }
    if (verbose) console.log(narrate(outcome.trace))
    if (progress && totals.scripts % 100 === 0) {
      process.stderr.write(`… ${totals.scripts}/${count} seeds, ${totals.failed} failing, ${((Date.now() - started) / 1000).toFixed(0)} s\n`)
    }
  }
  return totals
}

/** Splits the seeds over `jobs` child processes running this file, and adds up their totals. */
const runInParallel = async (from: number, count: number, jobs: number): Promise<Totals> => {
  const size = Math.ceil(count / jobs)
  const parts = Array.from({ length: jobs }, (_, i) => ({ from: from + i * size, count: Math.max(0, Math.min(size, count - i * size)) }))
    .filter((part) => part.count > 0)
  const results = await Promise.all(parts.map((part) =>
    new Promise<Totals>((resolve, reject) => {
      const child = spawn(process.execPath, [...process.execArgv, process.argv[1]!, "--child", "--from", String(part.from), "--seeds", String(part.count)], {
        stdio: ["ignore", "pipe", "inherit"]
      })
      let buffered = ""
      let totals: Totals | undefined
      child.stdout.on("data", (chunk: Buffer) => {
        buffered += chunk.toString()
        const lines = buffered.split("\n")
        buffered = lines.pop() ?? ""
        for (const line of lines) {
          if (line.startsWith("TOTALS ")) totals = JSON.parse(line.slice(7)) as Totals
          else console.log(line)
        }
      })
      child.on("exit", () =>
        totals === undefined ? reject(new Error(`simulator process for seeds from ${part.from} ended without totals`)) : resolve(totals))
    })
  ))
  return results.reduce((sum, t) => {
    for (const key of Object.keys(sum) as Array<keyof Totals>) sum[key] += t[key]
    return sum
  }, emptyTotals())
}

const main = async () => {
  if (process.argv.includes("--scenarios")) process.exit(runScenarios() > 0 ? 1 : 0)
  const from = replay !== undefined ? Number(replay) : Number(flag("from") ?? "1")
  const count = replay !== undefined ? 1 : Number(flag("seeds") ?? "200")
  const jobs = Number(flag("jobs") ?? String(Math.min(availableParallelism(), 8)))
  if (![from, count, jobs].every(Number.isInteger) || count < 1 || jobs < 1) {
    console.error("usage: npm run sim -- --seeds N [--from S] [--jobs J] [--verbose]   |   SIM_SEED=<n> npm run sim   |   npm run sim -- --scenarios")
    process.exit(2)
  }
  if (process.argv.includes("--child")) {
    const totals = runSeeds(from, count, false)
    console.log(`TOTALS ${JSON.stringify(totals)}`)
    return
  }
  const started = Date.now()
  const parallel = replay === undefined && !verbose && jobs > 1 && count >= 20
  const totals = parallel ? await runInParallel(from, count, jobs) : runSeeds(from, count, true)
  const seconds = (Date.now() - started) / 1000
  console.log(
    `seeds ${from}–${from + count - 1}: ${totals.scripts} scripts, ${totals.conversations} conversations, ${totals.messages} customer messages, ` +
      `${totals.replies} replies, ${totals.richpanelCalls} Richpanel calls, ${totals.crashes} process crashes, ${totals.checks} invariant checks, ` +
      `${totals.unidentifiable} messages not vouched for (the webhook named no message and Richpanel lagged or could not be read), ` +
      `${totals.failed} failing scripts (${totals.violations} violations), ${seconds.toFixed(1)} s${parallel ? ` in ${jobs} processes` : ""}`
  )
  process.exit(totals.failed > 0 ? 1 : 0)
}

void main()
