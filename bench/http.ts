import { build } from "esbuild"
import { closeSync, mkdirSync, openSync, readFileSync } from "node:fs"
import * as path from "node:path"
import { spawnTracked, stop, tail } from "./children.js"
import { drive, type LoadResult } from "./load.js"
import { BENCH_DIR, BUILD_DIR } from "./paths.js"
import type { Entry } from "./table.js"
import { makeWebhookBodies } from "./webhook.js"

export interface HttpBenchOptions {
  readonly connections: number
  readonly warmupS: number
  readonly durationS: number
  /** Extra node flags for the server processes (e.g. `--cpu-prof`), diagnostics only. */
  readonly nodeFlags: ReadonlyArray<string>
  readonly progress: (line: string) => void
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

/** Starts a server in its own process (stdout to a log file) and resolves with the URL it reports over IPC. */
const startServer = async (label: string, script: string, nodeFlags: ReadonlyArray<string>) => {
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
  return { child, url, logPath, stderr }
}

const countLines = (file: string) => {
  const text = readFileSync(file, "utf8")
  let lines = 0
  for (let i = text.indexOf("\n"); i !== -1; i = text.indexOf("\n", i + 1)) lines += 1
  return lines
}

const measureServer = async (label: string, script: string, options: HttpBenchOptions): Promise<LoadResult> => {
  const server = await startServer(label, script, options.nodeFlags)
  try {
    options.progress(`http ${label}: listening on ${server.url}; warm-up ${options.warmupS} s`)
    const nextBody = makeWebhookBodies(`${label}-${process.pid}`)
    await drive(server.url, { connections: options.connections, durationS: options.warmupS, nextBody })
    options.progress(`http ${label}: measuring ${options.durationS} s at concurrency ${options.connections}`)
    const result = await drive(server.url, { connections: options.connections, durationS: options.durationS, nextBody })
    options.progress(
      `http ${label}: ${result.requestsPerSecond.toFixed(0)} req/s, p50 ${result.p50Ms.toFixed(2)} ms, ` +
        `p99 ${result.p99Ms.toFixed(2)} ms (${result.ok} ok, ${result.accepted} accepted, ${result.non2xx} non-2xx, ${result.errors} errors)`
    )
    if (result.ok === 0) throw new Error(`${label} server answered no request with 2xx\n${server.stderr()}`)
    return result
  } finally {
    await stop(server.child)
    if (label === "local") options.progress(`http ${label}: ${countLines(server.logPath)} log lines in ${path.relative(process.cwd(), server.logPath)}`)
  }
}

/** Ingress HTTP: the local runtime (in-memory layers, consumer and logging on) against bare `node:http`. */
export const benchHttp = async (options: HttpBenchOptions): Promise<ReadonlyArray<Entry>> => {
  mkdirSync(BUILD_DIR, { recursive: true })
  options.progress("http: bundling bench/localServer.ts and bench/bareServer.ts")
  const scripts = await buildServers()
  // Bare first: the local server keeps draining its queue after the load stops and would steal the bare run's CPU.
  const bare = await measureServer("bare", scripts.bare, options)
  const local = await measureServer("local", scripts.local, options)
  const warn = local.non2xx + local.errors > 0 || local.accepted !== local.ok
    ? ` — local: ${local.non2xx} non-2xx, ${local.errors} errors, ${local.ok - local.accepted} not "accepted"`
    : ""
  if (warn !== "") options.progress(`http: WARNING${warn}`)
  return [
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
}
