import { build } from "esbuild"
import { type ChildProcess } from "node:child_process"
import { closeSync, existsSync, mkdirSync, openSync, readFileSync } from "node:fs"
import * as path from "node:path"
import { setTimeout as sleep } from "node:timers/promises"
import { spawnTracked, stop, tail } from "./children.js"
import { drive, type LoadSlice, type LoadSummary, summarise } from "./load.js"
import { BENCH_DIR, BUILD_DIR } from "./paths.js"
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

interface Server {
  readonly label: string
  readonly child: ChildProcess
  readonly url: string
  readonly logPath: string
  readonly stderr: () => string
  readonly nextBody: () => string
  readonly slices: Array<LoadSlice>
  /** CPU the server process spent during the measured slices (Linux only; NaN elsewhere). */
  cpuMs: number
}

/** Both servers as plain ESM (node_modules left external), so they run on bare `node` without a TS loader. */
const buildServers = async () => {
  await build({
    entryPoints: { localServer: path.join(BENCH_DIR, "localServer.ts"), bareServer: path.join(BENCH_DIR, "bareServer.ts") },
    outdir: BUILD_DIR,
    outExtension: { ".js": ".mjs" },
    bundle: true,
    packages: "external",
    platform: "node",
    target: "node22",
    format: "esm",
    logLevel: "warning"
  })
  return { local: path.join(BUILD_DIR, "localServer.mjs"), bare: path.join(BUILD_DIR, "bareServer.mjs") }
}

/** Starts a server in its own process (stdout to a log file) and resolves once it reports its URL over IPC. */
const startServer = async (label: string, script: string, nodeFlags: ReadonlyArray<string>): Promise<Server> => {
  const logPath = path.join(BUILD_DIR, `${label}.stdout.log`)
  const stdout = openSync(logPath, "w")
  const child = spawnTracked([...nodeFlags, script], { stdio: ["ignore", stdout, "pipe", "ipc"] })
  closeSync(stdout)
  const stderr = tail(child.stderr)
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${label} server did not report READY within 30 s\n${stderr()}`)), 30_000)
    child.on("message", (message: { readonly type?: string; readonly url?: string }) => {
      if (message.type === "ready" && typeof message.url === "string") {
        clearTimeout(timer)
        resolve(message.url)
      }
    })
    child.once("exit", (code, signal) => {
      clearTimeout(timer)
      reject(new Error(`${label} server exited (${signal ?? code}) before READY\n${stderr()}`))
    })
  })
  return { label, child, url, logPath, stderr, nextBody: makeWebhookBodies(`${label}-${process.pid}`), slices: [], cpuMs: 0 }
}

interface QueueStats {
  readonly visible: number
  readonly inFlight: number
  readonly total: number
}

/** The local server's queue stats over IPC: after the run, says how far the consumer got. */
const queueStats = (server: Server) =>
  new Promise<QueueStats>((resolve, reject) => {
    const done = () => {
      clearTimeout(timer)
      server.child.off("message", onMessage)
      server.child.off("exit", onExit)
    }
    const onMessage = (message: { readonly type?: string; readonly stats?: QueueStats }) => {
      if (message.type !== "stats" || message.stats === undefined) return
      done()
      resolve(message.stats)
    }
    const onExit = () => {
      done()
      reject(new Error(`${server.label} server exited during the run\n${server.stderr()}`))
    }
    const timer = setTimeout(() => {
      done()
      reject(new Error(`${server.label} server did not answer a stats request within 5 s`))
    }, 5_000)
    server.child.on("message", onMessage)
    server.child.once("exit", onExit)
    server.child.send({ type: "stats" })
  })

// utime + stime of a process, in ms (USER_HZ is 100 on Linux). A noise-robust figure next to wall-clock throughput.
const cpuTimeMs = (child: ChildProcess) => {
  const file = `/proc/${child.pid}/stat`
  if (!existsSync(file)) return Number.NaN
  const fields = readFileSync(file, "utf8").split(") ")[1]?.split(" ") ?? []
  return (Number(fields[11]) + Number(fields[12])) * 10
}

/**
 * Waits until the server is idle again (under 10% of a core over 200 ms, at most 10 s), so work the load left
 * behind (the local consumer draining the queue) does not steal the next slice's CPU. Without /proc: 1 s pause.
 */
const settled = async (server: Server, progress: (line: string) => void) => {
  const started = performance.now()
  if (Number.isNaN(cpuTimeMs(server.child))) return sleep(1_000)
  while (performance.now() - started < 10_000) {
    const before = cpuTimeMs(server.child)
    await sleep(200)
    if (cpuTimeMs(server.child) - before < 20) return
  }
  progress(`http ${server.label}: WARNING still busy 10 s after the load`)
}

const countLines = (file: string) => {
  const text = existsSync(file) ? readFileSync(file, "utf8") : ""
  let lines = 0
  for (let i = text.indexOf("\n"); i !== -1; i = text.indexOf("\n", i + 1)) lines += 1
  return lines
}

const describe = (server: Server, s: LoadSummary) =>
  `http ${server.label}: ${s.requestsPerSecond.toFixed(0)} req/s, p50 ${s.p50Ms.toFixed(2)} ms, p99 ${s.p99Ms.toFixed(2)} ms, ` +
  `server CPU ${((server.cpuMs * 1000) / s.ok).toFixed(0)} µs/req (incl. draining the queue) ` +
  `(${s.ok} ok, ${s.accepted} accepted, ${s.non2xx} non-2xx, ${s.errors} errors in ${s.durationS.toFixed(1)} s)`

/** Ingress HTTP: the local runtime (in-memory layers, consumer and logging on) against bare `node:http`. */
export const benchHttp = async (options: HttpBenchOptions): Promise<ReadonlyArray<Entry>> => {
  mkdirSync(BUILD_DIR, { recursive: true })
  options.progress("http: bundling bench/localServer.ts and bench/bareServer.ts")
  const scripts = await buildServers()
  const servers: Array<Server> = []
  try {
    servers.push(await startServer("bare", scripts.bare, options.nodeFlags))
    servers.push(await startServer("local", scripts.local, options.nodeFlags))
    const [bare, local] = servers as [Server, Server]
    const load = async (server: Server, durationS: number) => {
      const slice = await drive(server.url, { connections: options.connections, durationS, nextBody: server.nextBody })
      await settled(server, options.progress)
      return slice
    }
    options.progress(`http: warm-up ${options.warmupS} s each (bare ${bare.url}, local ${local.url})`)
    for (const server of servers) await load(server, options.warmupS)
    const sliceS = options.durationS / options.rounds
    for (let round = 1; round <= options.rounds; round++) {
      options.progress(`http: round ${round}/${options.rounds}, ${sliceS} s each at concurrency ${options.connections}, keep-alive`)
      for (const server of servers) {
        const cpuBefore = cpuTimeMs(server.child)
        server.slices.push(await load(server, sliceS))
        server.cpuMs += cpuTimeMs(server.child) - cpuBefore
      }
    }
    const [bareSummary, localSummary] = [summarise(bare.slices), summarise(local.slices)]
    options.progress(describe(bare, bareSummary))
    options.progress(describe(local, localSummary))
    const queue = await queueStats(local)
    options.progress(`http local: queue after the run: ${queue.total} messages (${queue.visible} visible, ${queue.inFlight} in flight)`)
    if (bareSummary.ok === 0 || localSummary.ok === 0) {
      throw new Error(`a server answered no request with 2xx\nbare: ${bare.stderr()}\nlocal: ${local.stderr()}`)
    }
    if (localSummary.non2xx + localSummary.errors > 0 || localSummary.accepted !== localSummary.ok) {
      options.progress(`http: WARNING the local server answered ${localSummary.ok - localSummary.accepted} duplicates, ` +
        `${localSummary.non2xx} non-2xx, ${localSummary.errors} errors: not every request was a new enqueued event`)
    }
    return entries(localSummary, bareSummary)
  } finally {
    for (const server of servers) await stop(server.child)
    const local = servers.find((server) => server.label === "local")
    if (local !== undefined) {
      options.progress(`http: local server wrote ${countLines(local.logPath)} log lines to ${path.relative(process.cwd(), local.logPath)}`)
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
