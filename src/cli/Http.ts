import { readFileSync } from "node:fs"
import * as nodePath from "node:path"

export interface PostResult {
  readonly file: string
  readonly status: number
  readonly body: Record<string, unknown>
}

/** Posts one webhook JSON file as Richpanel would; a file that is not JSON is still sent (ingress says why it is bad). */
export const postWebhook = async (url: string, file: string, token: string | undefined): Promise<PostResult> => {
  const response = await fetch(`${url}/webhooks/richpanel`, {
    method: "POST",
    headers: { "content-type": "application/json", ...(token === undefined ? {} : { "x-webhook-token": token }) },
    body: readFileSync(file)
  })
  const text = await response.text()
  let body: Record<string, unknown>
  try {
    body = JSON.parse(text) as Record<string, unknown>
  } catch {
    body = { raw: text.slice(0, 200) }
  }
  return { file: nodePath.basename(file), status: response.status, body }
}

export interface EventView {
  readonly event_id: string
  readonly conversation_id: string
  readonly outcome: string
  readonly reason?: string
  readonly decision?: {
    readonly mode?: string
    readonly intent?: string
    readonly confidence?: number | null
    readonly team?: string
    readonly reply?: string | null
    readonly would_reply?: string | null
    readonly reasons?: ReadonlyArray<string>
  }
}

export const fetchEvents = async (url: string, limit: number): Promise<ReadonlyArray<EventView>> => {
  const response = await fetch(`${url}/events?limit=${limit}`)
  if (!response.ok) throw new Error(`GET /events answered ${response.status}`)
  return ((await response.json()) as { events: ReadonlyArray<EventView> }).events
}

/** Fails with a sentence that says what to do when nothing listens at `url`. */
export const ensureReachable = async (url: string) => {
  try {
    await fetch(`${url}/healthz`)
  } catch {
    throw new Error(`nothing answers at ${url}: start the local runtime with \`npm start\` (or pass --url)`)
  }
}
