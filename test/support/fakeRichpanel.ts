import { NodeHttpClient } from "@effect/platform-node"
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from "node:http"
import type { AddressInfo } from "node:net"
import { Context, type Duration, Effect, Layer, Redacted } from "effect"
import * as RichpanelHttp from "../../src/layers/RichpanelHttp.js"
import { Richpanel } from "../../src/services/Richpanel.js"

/**
 * A fake Richpanel REST API on 127.0.0.1 for tests and benchmarks: an in-memory ticket store behind the
 * documented routes (reference/richpanel.md), a request log, injectable faults and an optional rate limit.
 * Tickets are stored in Richpanel's own JSON, so a test can seed any variant it needs to see decoded.
 */

/** A ticket as Richpanel serialises it (`id` required, anything else as the test likes). */
export type FakeTicket = { readonly id: string } & Readonly<Record<string, unknown>>
export type FakeTag = string | { readonly id: string; readonly name: string }
export interface FakeUser {
  readonly id: string
  readonly name?: string
  readonly email?: string
  readonly role?: string
}

export interface RecordedRequest {
  readonly method: string
  /** The raw (still URL-encoded) path, e.g. `/v1/tickets/a%2Fb/add-tags`. */
  readonly path: string
  readonly query: Readonly<Record<string, string>>
  /** Lower-cased names, as Node parses them. */
  readonly headers: IncomingHttpHeaders
  /** Parsed JSON; the raw text if it was not JSON; undefined when empty. */
  readonly body: unknown
  readonly at: number
  /** The status the fake answered with; undefined while pending or when the connection was dropped. */
  status: number | undefined
}

/**
 * What the next request(s) get instead of (or on top of) normal handling. `status` replaces the answer and
 * the request changes nothing; `delayMs` alone delays a normal answer (a write takes effect at once, like a
 * slow server that did the work); `drop` resets the connection, changing nothing; `afterWrite` applies the request's effect
 * before the faulty answer, as when Richpanel did the work but the answer was lost.
 */
export interface Fault {
  readonly status?: number
  readonly headers?: Readonly<Record<string, string>>
  /** Sent as JSON, or verbatim when a string. */
  readonly body?: unknown
  readonly delayMs?: number
  readonly drop?: boolean
  readonly afterWrite?: boolean
}

export const Faults = {
  rateLimited: (retryAfter?: string | number): Fault => ({
    status: 429,
    headers: retryAfter === undefined ? {} : { "retry-after": String(retryAfter) },
    body: { error: { message: "Too many requests" } }
  }),
  status: (status: number, body: unknown = { error: { message: `HTTP ${status}` } }): Fault => ({ status, body }),
  /** API Gateway's answer when Richpanel's backend is slow (504 from the gateway, 503 seen behind proxies). */
  gatewayTimeout: (status = 504): Fault => ({ status, body: { message: "Endpoint request timed out" } }),
  unauthorized: (): Fault => ({ status: 401, body: { message: "Unauthorized" } }),
  malformed: (): Fault => ({ status: 200, body: "{\"ticket\": {\"id\": \"t-1\", \"comments\": [" }),
  delay: (delayMs: number): Fault => ({ delayMs }),
  drop: (): Fault => ({ drop: true })
} as const

export interface RateLimit {
  readonly requests: number
  readonly windowMs: number
}

export interface RateLimitStats {
  readonly admitted: number
  readonly rejected: number
  /** Most admitted requests seen inside any sliding window of `windowMs` (30 s when not enforcing). */
  readonly maxInWindow: number
}

export interface FakeRichpanelOptions {
  readonly apiKey?: string
  readonly tickets?: ReadonlyArray<FakeTicket>
  readonly tags?: ReadonlyArray<FakeTag>
  readonly users?: ReadonlyArray<FakeUser>
  /** Richpanel documents 50 requests per 30 s; off unless set. */
  readonly rateLimit?: RateLimit
}

export interface FakeRichpanelServer {
  /** `http://127.0.0.1:<port>/v1`, what `RICHPANEL_BASE_URL` would be. */
  readonly baseUrl: string
  readonly apiKey: string
  readonly requests: () => ReadonlyArray<RecordedRequest>
  readonly seedTicket: (ticket: FakeTicket) => void
  /** The ticket's current state (a copy), as GET would show it without the wrapper. */
  readonly ticket: (id: string) => FakeTicket | undefined
  readonly seedTags: (tags: ReadonlyArray<FakeTag>) => void
  readonly seedUsers: (users: ReadonlyArray<FakeUser>) => void
  /** GET /tickets/{id} answers `{"ticket":{…}}` (default, as documented) or the bare ticket. */
  readonly setTicketShape: (shape: "wrapped" | "bare") => void
  readonly inject: (fault: Fault, times?: number) => void
  readonly enforceRateLimit: (limit: RateLimit | undefined) => void
  readonly rateLimitStats: () => RateLimitStats
  /** Back to the state right after start: no tickets, tags, users, requests, faults or rate limit. */
  readonly reset: () => void
  readonly close: () => Promise<void>
}

export const FAKE_API_KEY = "rp_test_fake_key"
export const FAKE_BOT_AUTHOR_ID = "user-bot"

type Reply = { readonly status: number; readonly body?: unknown; readonly headers?: Readonly<Record<string, string>> }

const json = (status: number, body: unknown): Reply => ({ status, body })
const notFound = (): Reply => json(404, { error: { message: "No conversations found with the given Id." } })
const invalid = (msg: string, param: string): Reply => json(400, [{ msg, param, location: "body" }])
const isObject = (u: unknown): u is Record<string, unknown> => typeof u === "object" && u !== null && !Array.isArray(u)
const tagName = (tag: unknown) => (isObject(tag) ? tag["name"] : tag)

/** A realistic ticket as `GET /v1/tickets/{id}` returns it inside `ticket`; override any field. */
export const sampleTicket = (id: string, overrides: Readonly<Record<string, unknown>> = {}): FakeTicket => ({
  id,
  conversation_no: 1347,
  status: "OPEN",
  subject: "Where is my order?",
  via: { channel: "email", source: { from: { address: "jane@example.com" } } },
  customer_profile: { email: "jane@example.com", phone: "+15555550100" },
  tags: [],
  assignee_id: null,
  created_at: "2025-01-10T09:00:00.000Z",
  updated_at: "2025-01-10T09:00:00.000Z",
  comments: [{
    id: `${id}-c1`,
    author_id: "cust-1",
    created_at: "2025-01-10T09:00:00.000Z",
    body: "<p>Hi, where is my order #1001?</p>",
    plain_body: "Hi, where is my order #1001?",
    isOperator: false,
    attachments: [],
    via: { channel: "email" }
  }],
  ...overrides
})

export const startFakeRichpanel = async (options: FakeRichpanelOptions = {}): Promise<FakeRichpanelServer> => {
  const apiKey = options.apiKey ?? FAKE_API_KEY
  const tickets = new Map<string, Record<string, unknown>>()
  let tags: Array<{ id: string; name: string }> = []
  let users: Array<FakeUser> = []
  let requests: Array<RecordedRequest> = []
  let faults: Array<Fault> = []
  let shape: "wrapped" | "bare" = "wrapped"
  let rateLimit = options.rateLimit
  let stats = { admitted: 0, rejected: 0, maxInWindow: 0 }
  let window: Array<number> = []
  let nextId = 1
  const timers = new Set<NodeJS.Timeout>()

  const seedTicket = (ticket: FakeTicket) => void tickets.set(ticket.id, structuredClone(ticket))
  const seedTags = (seed: ReadonlyArray<FakeTag>) => {
    tags = seed.map((tag) => (typeof tag === "string" ? { id: `tag-${nextId++}`, name: tag } : { ...tag }))
  }
  const now = () => new Date().toISOString()

  /** Counts every admitted request in a sliding window; rejects past the limit when enforcing. */
  const admit = (at: number): Reply | undefined => {
    const windowMs = rateLimit?.windowMs ?? 30_000
    window = window.filter((t) => t > at - windowMs)
    if (rateLimit !== undefined && window.length >= rateLimit.requests) {
      stats = { ...stats, rejected: stats.rejected + 1 }
      const retryAfter = Math.max(1, Math.ceil(((window[0] ?? at) + windowMs - at) / 1000))
      return {
        status: 429,
        body: { error: { message: "Rate limit exceeded" } },
        headers: { "retry-after": String(retryAfter), ...limitHeaders() }
      }
    }
    window.push(at)
    stats = { admitted: stats.admitted + 1, rejected: stats.rejected, maxInWindow: Math.max(stats.maxInWindow, window.length) }
    return undefined
  }
  const limitHeaders = (): Record<string, string> =>
    rateLimit === undefined
      ? {}
      : { "x-ratelimit-limit": String(rateLimit.requests), "x-ratelimit-remaining": String(Math.max(0, rateLimit.requests - window.length)) }

  const page = <A>(key: string, all: ReadonlyArray<A>, query: Readonly<Record<string, string>>): Reply => {
    const perPage = Math.min(100, Math.max(1, Number(query["per_page"] ?? 100) || 100))
    const n = Math.max(1, Number(query["page"] ?? 1) || 1)
    const items = all.slice((n - 1) * perPage, n * perPage)
    return json(200, {
      [key]: items,
      count: all.length,
      next_page: n * perPage < all.length ? n + 1 : null,
      previous_page: n > 1 ? n - 1 : null
    })
  }

  const appendComment = (ticket: Record<string, unknown>, comment: Record<string, unknown>) => {
    const comments = Array.isArray(ticket["comments"]) ? ticket["comments"] : []
    const via = isObject(ticket["via"]) ? { channel: ticket["via"]["channel"] } : { channel: "email" }
    ticket["comments"] = [...comments, { id: `comment-${nextId++}`, created_at: now(), attachments: [], via, ...comment }]
    ticket["updated_at"] = now()
  }

  const updateTicket = (ticket: Record<string, unknown>, body: unknown): Reply => {
    if (!isObject(body) || !isObject(body["ticket"])) return json(400, { error: { message: "ticket is required" } })
    const update = body["ticket"]
    if (update["status"] !== undefined && update["status"] !== "OPEN" && update["status"] !== "CLOSED") {
      return json(400, { error: { message: "status must be either OPEN or CLOSED" } })
    }
    const comment = update["comment"]
    if (comment !== undefined && (!isObject(comment) || typeof comment["body"] !== "string" || comment["body"] === "")) {
      return invalid("Invalid value", "ticket.comment.body")
    }
    if (typeof update["status"] === "string") ticket["status"] = update["status"]
    if (update["assignee_id"] !== undefined) ticket["assignee_id"] = update["assignee_id"]
    if (Array.isArray(update["tags"])) ticket["tags"] = update["tags"]
    if (isObject(comment)) {
      appendComment(ticket, {
        body: comment["body"],
        plain_body: comment["body"],
        isOperator: comment["sender_type"] !== "customer",
        public: comment["public"] !== false,
        ...(comment["public"] === false ? { type: "note" } : {})
      })
    }
    return json(200, { ticket: structuredClone(ticket) })
  }

  const editTags = (ticket: Record<string, unknown>, body: unknown, add: boolean): Reply => {
    const names = isObject(body) ? body["tags"] : undefined
    if (!Array.isArray(names) || names.some((name) => typeof name !== "string" || name === "")) {
      return invalid("Invalid value", "tags")
    }
    const current: Array<unknown> = Array.isArray(ticket["tags"]) ? ticket["tags"] : []
    ticket["tags"] = add
      ? [...current, ...names.filter((name, i) => !current.some((t) => tagName(t) === name) && names.indexOf(name) === i)]
      : current.filter((tag) => !names.includes(tagName(tag)))
    return json(200, { message: add ? "Tags added" : "Tags removed" })
  }

  const sendMessage = (ticket: Record<string, unknown>, body: unknown): Reply => {
    if (!isObject(body) || typeof body["body"] !== "string" || body["body"] === "") return invalid("Invalid value", "body")
    if (typeof body["author_id"] !== "string" || body["author_id"] === "") return invalid("Invalid value", "author_id")
    appendComment(ticket, { author_id: body["author_id"], body: body["body"], plain_body: body["body"], isOperator: true, public: true })
    return json(200, { message: "Message sent" })
  }

  const route = (method: string, segments: ReadonlyArray<string>, query: Readonly<Record<string, string>>, body: unknown): Reply => {
    const [resource, id, action] = segments
    if (method === "GET" && segments.length === 1 && resource === "tags") return page("tag", tags, query)
    if (method === "GET" && segments.length === 1 && resource === "users") return page("user", users, query)
    if (resource !== "tickets" || id === undefined || segments.length > 3) return json(404, { message: "Not Found" })
    const ticket = tickets.get(id)
    if (method === "GET" && action === undefined) {
      if (ticket === undefined) return notFound()
      return json(200, shape === "wrapped" ? { ticket } : ticket)
    }
    if (method !== "PUT") return json(404, { message: "Not Found" })
    if (ticket === undefined) return notFound()
    switch (action) {
      case undefined:
        return updateTicket(ticket, body)
      case "add-tags":
      case "remove-tags":
        return editTags(ticket, body, action === "add-tags")
      case "send-message":
        return sendMessage(ticket, body)
      default:
        return json(404, { message: "Not Found" })
    }
  }

  const answer = (res: ServerResponse, record: RecordedRequest, reply: Reply) => {
    const text = typeof reply.body === "string" ? reply.body : reply.body === undefined ? "" : JSON.stringify(reply.body)
    record.status = reply.status
    res.writeHead(reply.status, { "content-type": "application/json", ...limitHeaders(), ...reply.headers })
    res.end(text)
  }

  const later = (ms: number, run: () => void) => {
    const timer = setTimeout(() => {
      timers.delete(timer)
      run()
    }, ms)
    timers.add(timer)
  }

  const handle = (req: IncomingMessage, res: ServerResponse, raw: string) => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1")
    let body: unknown = raw === "" ? undefined : raw
    try {
      body = raw === "" ? undefined : JSON.parse(raw)
    } catch { /* kept as text: the log shows what was sent, the route answers 400 */ }
    const record: RecordedRequest = {
      method: req.method ?? "GET",
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      headers: req.headers,
      body,
      at: Date.now(),
      status: undefined
    }
    requests.push(record)
    const limited = admit(record.at)
    if (limited !== undefined) return answer(res, record, limited)
    const fault = faults.shift()
    const normal = (): Reply => {
      if (req.headers["x-richpanel-key"] !== apiKey) return json(401, { message: "Unauthorized" })
      if (typeof body === "string") return json(400, { error: { message: "Request body is not valid JSON" } })
      if (!url.pathname.startsWith("/v1/")) return json(404, { message: "Not Found" })
      try {
        const segments = url.pathname.slice(4).split("/").filter((s) => s !== "").map(decodeURIComponent)
        return route(record.method, segments, record.query, body)
      } catch {
        return json(400, { error: { message: "Malformed path" } })
      }
    }
    // Without `afterWrite` a faulted request changes nothing, like a request the server never processed.
    const replaces = fault?.status !== undefined || fault?.drop === true
    const applied = !replaces || fault?.afterWrite === true ? normal() : undefined
    const respond = () => {
      if (fault?.drop === true) return void req.socket.destroy()
      const reply = fault?.status === undefined ? applied : { status: fault.status, body: fault.body, headers: fault.headers ?? {} }
      answer(res, record, reply ?? json(500, {}))
    }
    if (fault?.delayMs === undefined) respond()
    else later(fault.delayMs, respond)
  }

  const server = createServer((req, res) => {
    const chunks: Array<Buffer> = []
    let size = 0
    req.on("data", (chunk: Buffer) => {
      size += chunk.length
      if (size <= 1_048_576) chunks.push(chunk)
    })
    req.on("end", () => {
      if (size > 1_048_576) return void res.writeHead(413, { "content-type": "application/json" }).end(JSON.stringify({ error: { message: "Payload too large" } }))
      handle(req, res, Buffer.concat(chunks).toString("utf8"))
    })
  })
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject)
    server.listen(0, "127.0.0.1", () => resolve())
  })
  const port = (server.address() as AddressInfo).port

  const reset = () => {
    tickets.clear()
    tags = []
    users = []
    requests = []
    faults = []
    shape = "wrapped"
    rateLimit = options.rateLimit
    stats = { admitted: 0, rejected: 0, maxInWindow: 0 }
    window = []
    for (const ticket of options.tickets ?? []) seedTicket(ticket)
    seedTags(options.tags ?? [])
    users = [...(options.users ?? [])]
  }
  reset()

  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    apiKey,
    requests: () => [...requests],
    seedTicket,
    ticket: (id) => {
      const ticket = tickets.get(id)
      return ticket === undefined ? undefined : (structuredClone(ticket) as FakeTicket)
    },
    seedTags,
    seedUsers: (seed) => void (users = [...seed]),
    setTicketShape: (next) => void (shape = next),
    inject: (fault, times = 1) => void faults.push(...Array.from({ length: times }, () => fault)),
    enforceRateLimit: (limit) => {
      rateLimit = limit
      window = []
    },
    rateLimitStats: () => stats,
    reset,
    close: () =>
      new Promise<void>((resolve) => {
        for (const timer of timers) clearTimeout(timer)
        timers.clear()
        server.close(() => resolve())
        server.closeAllConnections()
      })
  }
}

export class FakeRichpanel extends Context.Tag("test/FakeRichpanel")<FakeRichpanel, FakeRichpanelServer>() {}

/** The fake server for the life of the layer's scope. */
export const layer = (options: FakeRichpanelOptions = {}) =>
  Layer.scoped(
    FakeRichpanel,
    Effect.acquireRelease(
      Effect.promise(() => startFakeRichpanel(options)),
      (fake) => Effect.promise(() => fake.close())
    )
  )

export interface ClientOptions extends FakeRichpanelOptions {
  /** Default `FAKE_BOT_AUTHOR_ID`; `null` leaves it unset. */
  readonly botAuthorId?: string | null
  readonly timeout?: Duration.DurationInput
}

/** The real `RichpanelHttp` client (undici) talking to a fresh fake; both services are provided. */
export const layerRichpanelHttp = (options: ClientOptions = {}): Layer.Layer<Richpanel | FakeRichpanel> =>
  Layer.effect(
    Richpanel,
    Effect.flatMap(FakeRichpanel, (fake) =>
      RichpanelHttp.make({
        apiKey: Redacted.make(fake.apiKey),
        baseUrl: fake.baseUrl,
        botAuthorId: options.botAuthorId === null ? undefined : (options.botAuthorId ?? FAKE_BOT_AUTHOR_ID),
        timeout: options.timeout
      }))
  ).pipe(Layer.provide(NodeHttpClient.layerUndici), Layer.provideMerge(layer(options)))
