import { type ChildProcess, spawn } from "node:child_process"
import { createServer } from "node:net"
import type { AddressInfo } from "node:net"
import * as nodePath from "node:path"

const root = nodePath.resolve(import.meta.dirname, "../..")

/** A free loopback port (the local runtime takes PORT from the environment, as a user would set it). */
export const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const probe = createServer()
    probe.once("error", reject)
    probe.listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as AddressInfo
      probe.close(() => resolve(port))
    })
  })

export interface LocalProcess {
  readonly url: string
  readonly child: ChildProcess
  readonly output: () => string
  /** Resolves with the exit code (or signal) once the process is gone. */
  readonly exited: Promise<number | string>
}

/** Starts `src/local/main.ts` exactly as `npm start` does (tsx on the project's Node) and waits for its banner. */
export const startLocalProcess = async (env: Record<string, string>): Promise<LocalProcess> => {
  const child = spawn(process.execPath, ["--import", "tsx", "src/local/main.ts"], {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"]
  })
  let output = ""
  child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()))
  child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()))
  const exited = new Promise<number | string>((resolve) => child.once("exit", (code, signal) => resolve(code ?? signal ?? -1)))
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`local runtime did not start within 20 s:\n${output}`)), 20_000)
    const check = () => {
      const match = /listening on (http:\/\/\S+)/.exec(output)
      if (match?.[1] !== undefined) {
        clearTimeout(timer)
        resolve(match[1])
      }
    }
    child.stdout.on("data", check)
    void exited.then(() => reject(new Error(`local runtime exited before listening:\n${output}`)))
  })
  return { url, child, output: () => output, exited }
}

/** The running runtime's recent events (`GET /events`), as the type the test reads them as. */
export const eventsOf = <E = { readonly event_id: string; readonly outcome: string; readonly reason?: string }>(
  runtime: LocalProcess,
  limit = 500
): Promise<ReadonlyArray<E>> =>
  fetch(`${runtime.url}/events?limit=${limit}`)
    .then((response) => response.json() as Promise<{ events: ReadonlyArray<E> }>)
    .then((body) => body.events)

/** Polls `probe` every 100 ms until `accept` holds or the time is up; returns the last value either way. */
export const eventually = async <A>(probe: () => Promise<A>, accept: (a: A) => boolean, timeoutMs = 10_000): Promise<A> => {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await probe()
    if (accept(value) || Date.now() > deadline) return value
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}
