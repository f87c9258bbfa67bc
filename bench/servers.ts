import { build } from "esbuild"
import type { ChildProcess } from "node:child_process"
import { closeSync, existsSync, openSync, readFileSync } from "node:fs"
import * as path from "node:path"
import { setTimeout as sleep } from "node:timers/promises"
import { spawnTracked, tail } from "./children.js"
import { BENCH_DIR, BUILD_DIR } from "./paths.js"

/** A server under load in its own process: stdout goes to `logPath`, the URL and queue stats come over IPC. */
export interface ServerProcess {
  readonly label: string
  readonly child: ChildProcess
  readonly url: string
  readonly logPath: string
  readonly stderr: () => string
}

/** Bundles `bench/<name>.ts` entries as plain ESM (node_modules left external), so they run on bare `node`. */
export const buildServers = async <const N extends string>(names: ReadonlyArray<N>): Promise<Record<N, string>> => {
  await build({
    entryPoints: names.map((name) => path.join(BENCH_DIR, `${name}.ts`)),
    outdir: BUILD_DIR,
    outExtension: { ".js": ".mjs" },
    bundle: true,
    packages: "external",
    platform: "node",
    target: "node22",
    format: "esm",
    logLevel: "warning"
  })
  return Object.fromEntries(names.map((name) => [name, path.join(BUILD_DIR, `${name}.mjs`)])) as Record<N, string>
}

/** Starts `script` with `node` and resolves once it sends `{ type: "ready", url }`. */
export const startServer = async (label: string, script: string, nodeFlags: ReadonlyArray<string>): Promise<ServerProcess> => {
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
  return { label, child, url, logPath, stderr }
}

export const isDead = (server: ServerProcess) => server.child.exitCode !== null || server.child.signalCode !== null

export interface QueueStats {
  readonly visible: number
  readonly inFlight: number
  readonly total: number
}

/** The local server's queue stats: after the run they say how far its consumer got. */
export const queueStats = (server: ServerProcess) =>
  new Promise<QueueStats>((resolve, reject) => {
    const fail = (reason: string) => {
      done()
      reject(new Error(`${server.label} server: ${reason}\n${server.stderr()}`))
    }
    const onMessage = (message: { readonly type?: string; readonly stats?: QueueStats }) => {
      if (message.type !== "stats" || message.stats === undefined) return
      done()
      resolve(message.stats)
    }
    const onExit = () => fail("exited during the run")
    const timer = setTimeout(() => fail("no answer to a stats request within 5 s"), 5_000)
    const done = () => {
      clearTimeout(timer)
      server.child.off("message", onMessage)
      server.child.off("exit", onExit)
    }
    server.child.on("message", onMessage)
    server.child.once("exit", onExit)
    server.child.send({ type: "stats" }, (error) => {
      if (error !== null) fail(`stats request failed (${error.message})`)
    })
  })

/** utime + stime of the process in ms (Linux, USER_HZ 100; NaN elsewhere): a noise-robust figure per request. */
export const cpuTimeMs = (server: ServerProcess) => {
  const file = `/proc/${server.child.pid}/stat`
  if (!existsSync(file)) return Number.NaN
  const fields = readFileSync(file, "utf8").split(") ")[1]?.split(" ") ?? []
  return (Number(fields[11]) + Number(fields[12])) * 10
}

/**
 * Waits until the server is idle (under 10% of a core over 200 ms, at most 10 s), so work left behind by the load
 * (the local consumer draining its queue) does not steal the next slice's CPU. Without /proc: a 1 s pause.
 */
export const settled = async (server: ServerProcess, progress: (line: string) => void) => {
  if (Number.isNaN(cpuTimeMs(server))) return sleep(1_000)
  const started = performance.now()
  while (performance.now() - started < 10_000) {
    const before = cpuTimeMs(server)
    await sleep(200)
    if (cpuTimeMs(server) - before < 20) return
  }
  progress(`http ${server.label}: WARNING still busy 10 s after the load`)
}

export const countLines = (file: string) => {
  const text = existsSync(file) ? readFileSync(file, "utf8") : ""
  let lines = 0
  for (let i = text.indexOf("\n"); i !== -1; i = text.indexOf("\n", i + 1)) lines += 1
  return lines
}
