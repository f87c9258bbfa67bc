import { mkdirSync } from "node:fs"
import * as path from "node:path"
import { stop } from "./children.js"
import { drive, type LoadSlice, type LoadSummary, summarise } from "./load.js"
import { BUILD_DIR } from "./paths.js"
import { buildServers, countLines, cpuTimeMs, isDead, queueStats, type ServerProcess, settled, startServer } from "./servers.js"
import type { Entry } from "./table.js"
import { makeWebhookBodies } from "./webhook.js"

export interface HttpBenchOptions {
  readonly connections: number
  readonly warmupS: number
  /** Measured seconds per server, split into `rounds` alternating slices so drift on a shared machine hits both. */
  readonly durationS: number
  readonly rounds: number
  /** Extra node flags for the server processes (e.g. `--cpu-prof`), diagnostics only. */
  readonly nodeFlags: ReadonlyArray<string>
  readonly progress: (line: string) => void
}

interface Side {
  readonly server: ServerProcess
  readonly nextBody: () => string
  readonly slices: Array<LoadSlice>
  cpuMs: number
}

const describe = (side: Side, s: LoadSummary) =>
  `http ${side.server.label}: ${s.requestsPerSecond.toFixed(0)} req/s, p50 ${s.p50Ms.toFixed(2)} ms, p99 ${s.p99Ms.toFixed(2)} ms, ` +
  `server CPU ${((side.cpuMs * 1000) / s.ok).toFixed(0)} µs/req incl. queue draining ` +
  `(${s.ok} ok, ${s.accepted} accepted, ${s.non2xx} non-2xx, ${s.errors} errors in ${s.durationS.toFixed(1)} s)`

/** Ingress HTTP: the local runtime (in-memory layers, consumer and logging on) against bare `node:http`. */
export const benchHttp = async (options: HttpBenchOptions): Promise<ReadonlyArray<Entry>> => {
  mkdirSync(BUILD_DIR, { recursive: true })
  options.progress("http: bundling bench/localServer.ts and bench/bareServer.ts")
  const scripts = await buildServers(["bareServer", "localServer"])
  const sides: Array<Side> = []
  const start = async (label: string, script: string) => {
    const server = await startServer(label, script, options.nodeFlags)
    sides.push({ server, nextBody: makeWebhookBodies(`${label}-${process.pid}`), slices: [], cpuMs: 0 })
  }
  try {
    await start("bare", scripts.bareServer)
    await start("local", scripts.localServer)
    const [bare, local] = sides as [Side, Side]
    const load = async ({ server, nextBody }: Side, durationS: number) => {
      const slice = await drive(server.url, { connections: options.connections, durationS, nextBody })
      if (isDead(server)) throw new Error(`${server.label} server died during the load\n${server.stderr()}`)
      await settled(server, options.progress)
      return slice
    }
    options.progress(`http: warm-up ${options.warmupS} s each (bare ${bare.server.url}, local ${local.server.url})`)
    for (const s of sides) await load(s, options.warmupS)
    const sliceS = options.durationS / options.rounds
    for (let round = 1; round <= options.rounds; round++) {
      options.progress(`http: round ${round}/${options.rounds}, ${sliceS} s each at concurrency ${options.connections}, keep-alive`)
      for (const s of sides) {
        const cpuBefore = cpuTimeMs(s.server)
        s.slices.push(await load(s, sliceS))
        s.cpuMs += cpuTimeMs(s.server) - cpuBefore
      }
    }
    const [bareSummary, localSummary] = [summarise(bare.slices), summarise(local.slices)]
    options.progress(describe(bare, bareSummary))
    options.progress(describe(local, localSummary))
    if (bareSummary.ok === 0 || localSummary.ok === 0) {
      throw new Error(`a server answered no request with 2xx\nbare: ${bare.server.stderr()}\nlocal: ${local.server.stderr()}`)
    }
    if (localSummary.non2xx + localSummary.errors > 0 || localSummary.accepted !== localSummary.ok) {
      options.progress(`http: WARNING the local server answered ${localSummary.ok - localSummary.accepted} duplicates, ` +
        `${localSummary.non2xx} non-2xx, ${localSummary.errors} errors: not every request was a new enqueued event`)
    }
    const queue = await queueStats(local.server)
    options.progress(`http local: queue after the run: ${queue.total} messages (${queue.visible} visible, ${queue.inFlight} in flight)`)
    return entries(localSummary, bareSummary)
  } finally {
    for (const s of sides) await stop(s.server.child)
    const local = sides.find((s) => s.server.label === "local")
    if (local !== undefined) {
      options.progress(`http: local server wrote ${countLines(local.server.logPath)} log lines to ${path.relative(process.cwd(), local.server.logPath)}`)
    }
  }
}

const entries = (local: LoadSummary, bare: LoadSummary): ReadonlyArray<Entry> => [
  {
    name: "ingress_throughput",
    value: local.requestsPerSecond,
    unit: "req/s",
    baseline: bare.requestsPerSecond,
    ratio: local.requestsPerSecond / bare.requestsPerSecond,
    target: { on: "ratio", op: ">=", limit: 0.5 }
  },
  { name: "ingress_p50", value: local.p50Ms, unit: "ms", baseline: bare.p50Ms, ratio: local.p50Ms / bare.p50Ms, target: null },
  {
    name: "ingress_p99",
    value: local.p99Ms,
    unit: "ms",
    baseline: bare.p99Ms,
    ratio: local.p99Ms / bare.p99Ms,
    target: { on: "value", op: "<=", limit: 20 }
  }
]
