import { existsSync, readFileSync } from "node:fs"
import * as nodePath from "node:path"
import { type Args, flag } from "./Args.js"

/** What a running `npm start` writes so the CLI can find it: its URL and its embedded DynamoDB endpoint. */
export interface RuntimeInfo {
  readonly url: string
  readonly dynamo_endpoint: string
  readonly pid: number
}

export const runtimeInfoPath = (dataDir: string) => nodePath.join(dataDir, "runtime.json")

const alive = (pid: number) => {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

/** The local runtime this CLI talks to, if one is running on `MW_DATA_DIR` (or `--data-dir`). */
export const localRuntime = (args: Args): RuntimeInfo | undefined => {
  const dataDir = nodePath.resolve(flag(args, "data-dir") ?? process.env["MW_DATA_DIR"] ?? ".data")
  const file = runtimeInfoPath(dataDir)
  if (!existsSync(file)) return undefined
  try {
    const info = JSON.parse(readFileSync(file, "utf8")) as RuntimeInfo
    return alive(info.pid) ? info : undefined
  } catch {
    return undefined
  }
}

/** The HTTP base URL: `--url`, else the running local runtime, else the default port. */
export const baseUrl = (args: Args): string =>
  (flag(args, "url") ?? localRuntime(args)?.url ?? `http://127.0.0.1:${process.env["PORT"] ?? "3000"}`).replace(/\/$/, "")
