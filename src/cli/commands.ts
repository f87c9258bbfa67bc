import { readdirSync, statSync } from "node:fs"
import * as nodePath from "node:path"
import { type Args, flag, UsageError } from "./Args.js"
import { DECISION_HEADER, decisionRow } from "./Decisions.js"
import { fetchAwsEvents } from "./AwsEvents.js"
import { ensureReachable, fetchEvents, postWebhook } from "./Http.js"
import { table } from "./Table.js"
import { baseUrl } from "./Target.js"

const token = (args: Args) => flag(args, "token") ?? process.env["WEBHOOK_TOKEN"]

const jsonFiles = (paths: ReadonlyArray<string>) =>
  paths.flatMap((path) =>
    statSync(path).isDirectory()
      ? readdirSync(path).filter((name) => name.endsWith(".json")).sort().map((name) => nodePath.join(path, name))
      : [path]
  )

/** `rp-mw replay <file|dir>…`: posts webhook files to a running runtime, one line per file. */
export const replay = async (args: Args) => {
  if (args.positionals.length === 0) throw new UsageError("replay needs at least one webhook JSON file or directory")
  const url = baseUrl(args)
  await ensureReachable(url)
  const results = []
  for (const file of jsonFiles(args.positionals)) results.push(await postWebhook(url, file, token(args)))
  console.log(table(["file", "status", "answer"], results.map((r) => [r.file, String(r.status), JSON.stringify(r.body)])))
  return results.every((r) => r.status === 200) ? 0 : 1
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** `rp-mw demo [dir]`: posts the examples, waits for the worker's outcomes, prints the decisions. */
export const demo = async (args: Args) => {
  const dir = args.positionals[0] ?? "examples"
  const url = baseUrl(args)
  await ensureReachable(url)
  const files = jsonFiles([dir])
  console.log(`posting ${files.length} webhooks from ${dir}/ to ${url} …`)
  const posted = []
  for (const file of files) posted.push(await postWebhook(url, file, token(args)))
  const ids = new Map(posted.flatMap((p) => (typeof p.body["event_id"] === "string" ? [[p.body["event_id"], p.file] as const] : [])))
  for (const p of posted) if (p.status !== 200) console.log(`  ${p.file}: ${p.status} ${JSON.stringify(p.body)}`)
  const deadline = Date.now() + Number(flag(args, "wait-seconds") ?? 30) * 1000
  let events = await fetchEvents(url, 500)
  const done = () => [...ids.keys()].every((id) => events.some((e) => e.event_id === id && e.outcome !== "received"))
  while (!done() && Date.now() < deadline) {
    await sleep(250)
    events = await fetchEvents(url, 500)
  }
  const rows = [...ids].map(([id, file]) => {
    const event = events.find((e) => e.event_id === id)
    return [file, ...(event === undefined ? ["(pending)", "", "", "", "", "", ""] : decisionRow(event))]
  })
  console.log(table(["file", ...DECISION_HEADER], rows))
  if (!done()) console.log("some events have no outcome yet: the worker may be waiting on a dependency; see `rp-mw events`")
  return done() ? 0 : 1
}

/** `rp-mw events [--limit N]`: the most recent decisions, newest first. */
export const events = async (args: Args) => {
  const limit = Number(flag(args, "limit") ?? 20)
  if (!Number.isInteger(limit) || limit < 1) throw new UsageError("--limit needs a whole number ≥ 1")
  const list = args.flags["aws"] === true ? await fetchAwsEvents(limit) : await fetchLocal(baseUrl(args), limit)
  console.log(table(DECISION_HEADER, list.map(decisionRow)))
  return 0
}

const fetchLocal = async (url: string, limit: number) => {
  await ensureReachable(url)
  return fetchEvents(url, limit)
}
