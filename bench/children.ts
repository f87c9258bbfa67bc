import { type ChildProcess, spawn, type StdioOptions } from "node:child_process"

/** Every child the bench starts, so an error or Ctrl-C never leaves a server running. */
const alive = new Set<ChildProcess>()

export const spawnTracked = (args: ReadonlyArray<string>, options: { readonly env?: NodeJS.ProcessEnv; readonly stdio: StdioOptions }) => {
  const child = spawn(process.execPath, args, { env: options.env ?? process.env, stdio: options.stdio })
  alive.add(child)
  child.once("exit", () => alive.delete(child))
  // Spawn and IPC failures surface as the child's exit, which callers check; never as an unhandled 'error' event.
  child.on("error", () => undefined)
  return child
}

export const exited = (child: ChildProcess) =>
  new Promise<number | null>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve(child.exitCode)
    else child.once("exit", (code) => resolve(code))
  })

/** SIGTERM, then SIGKILL if the child has not exited within `graceMs`. */
export const stop = async (child: ChildProcess, graceMs = 5_000) => {
  if (child.exitCode !== null || child.signalCode !== null) return
  child.kill("SIGTERM")
  const timer = setTimeout(() => child.kill("SIGKILL"), graceMs)
  await exited(child)
  clearTimeout(timer)
}

export const killAll = () => {
  for (const child of alive) child.kill("SIGKILL")
}

/** Last `max` characters a child wrote to a piped stream, for error messages. */
export const tail = (stream: NodeJS.ReadableStream | null, max = 4_000) => {
  let text = ""
  stream?.on("data", (chunk: Buffer) => {
    text = (text + chunk.toString("utf8")).slice(-max)
  })
  return () => text.trim()
}
