import { Effect } from "effect"
import { createServer, type IncomingMessage, type ServerResponse } from "node:http"
import type { AddressInfo } from "node:net"
import type { ClassifierOutput } from "../../src/domain/Classification.js"

/**
 * A fake OpenAI API on loopback: `POST /v1/chat/completions` answers with replies a test scripts in advance
 * (real status codes, headers and JSON bodies, optionally late), and every request is logged so a test can
 * assert what the real SDK sent. Unscripted requests get a 500 `fake_unscripted` so a missing script fails loudly.
 */
export interface RecordedRequest {
  readonly method: string
  readonly path: string
  readonly headers: Readonly<Record<string, string>>
  /** Parsed JSON, or the raw text when it is not JSON. */
  readonly body: any
  /** The client hung up before the reply was sent (timeout or interruption). */
  aborted: boolean
}

export interface ScriptedReply {
  readonly status?: number
  readonly headers?: Readonly<Record<string, string>>
  /** Serialised as JSON unless it is already a string. */
  readonly body: unknown
  readonly delayMs?: number
}

export interface FakeOpenAi {
  /** Pass to the SDK as `baseURL` (includes `/v1`). */
  readonly baseURL: string
  readonly requests: ReadonlyArray<RecordedRequest>
  /** Queues replies, served in order to the next requests. */
  readonly script: (...replies: ReadonlyArray<ScriptedReply>) => void
  /** Resolves once `count` requests have arrived in total. */
  readonly received: (count: number) => Promise<void>
  readonly close: () => Promise<void>
}

export const sampleOutput: ClassifierOutput = {
  primary_intent: "order_status_tracking",
  confidence: 0.93,
  secondary_intents: [],
  language: "en",
  sentiment: "neutral",
  urgency: "normal",
  risk_flags: [],
  order_number: "#1001",
  reason: "Customer asks where their order is."
}

const completion = (message: Record<string, unknown>, options: { finishReason?: string; model?: string; usage?: unknown }) => ({
  id: "chatcmpl-test",
  object: "chat.completion",
  created: 1735689600,
  model: options.model ?? "gpt-4o-mini-2024-07-18",
  choices: [{ index: 0, message: { role: "assistant", refusal: null, ...message }, logprobs: null, finish_reason: options.finishReason ?? "stop" }],
  usage: options.usage === undefined
    ? { prompt_tokens: 812, completion_tokens: 64, total_tokens: 876, prompt_tokens_details: { cached_tokens: 768 } }
    : options.usage,
  system_fingerprint: null
})

const errorBody = (message: string, type: string, code: string | null) => ({ error: { message, type, param: null, code } })

/** Ready-made replies in the shapes the real API sends. */
export const reply = {
  /** Any assistant `content` string, e.g. non-JSON or schema-invalid JSON. */
  content: (content: string, options: { finishReason?: string; model?: string; usage?: unknown } = {}): ScriptedReply => ({
    body: completion({ content }, options)
  }),
  classification: (output: unknown = sampleOutput, options: { model?: string; usage?: unknown } = {}): ScriptedReply =>
    reply.content(JSON.stringify(output), options),
  refusal: (refusal = "I'm sorry, I cannot assist with that request."): ScriptedReply => ({
    body: completion({ content: null, refusal }, {})
  }),
  /** Cut off mid-answer (`length`) or filtered (`content_filter`). */
  truncated: (finishReason: "length" | "content_filter" = "length"): ScriptedReply =>
    reply.content(finishReason === "length" ? "{\"primary_intent\":\"order_sta" : "", { finishReason }),
  rateLimited: (headers: Readonly<Record<string, string>> = {}): ScriptedReply => ({
    status: 429,
    headers,
    body: errorBody("Rate limit reached for requests", "requests", "rate_limit_exceeded")
  }),
  error: (status: number, code: string | null = null, headers: Readonly<Record<string, string>> = {}): ScriptedReply => ({
    status,
    headers,
    body: errorBody(`fake error ${status}`, status >= 500 ? "server_error" : "invalid_request_error", code)
  }),
  delayed: (delayMs: number, inner: ScriptedReply): ScriptedReply => ({ ...inner, delayMs })
}

const readBody = (req: IncomingMessage): Promise<string> =>
  new Promise((resolve, reject) => {
    let data = ""
    req.setEncoding("utf8")
    req.on("data", (chunk: string) => (data += chunk))
    req.on("end", () => resolve(data))
    req.on("error", reject)
  })

const parse = (text: string): unknown => {
  try {
    return JSON.parse(text)
  } catch {
    return text
  }
}

const send = (res: ServerResponse, { body, headers = {}, status = 200 }: ScriptedReply) => {
  res.writeHead(status, { "content-type": "application/json", "x-request-id": "req_fake", ...headers })
  res.end(typeof body === "string" ? body : JSON.stringify(body))
}

export const startFakeOpenAi = (): Promise<FakeOpenAi> => {
  const requests: Array<RecordedRequest> = []
  const queue: Array<ScriptedReply> = []
  const waiters: Array<{ count: number; resolve: () => void }> = []

  const server = createServer(async (req, res) => {
    const recorded: RecordedRequest = {
      method: req.method ?? "",
      path: req.url ?? "",
      headers: Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, String(v)])),
      body: parse(await readBody(req)),
      aborted: false
    }
    requests.push(recorded)
    for (const waiter of waiters.filter((w) => requests.length >= w.count)) waiter.resolve()

    const scripted: ScriptedReply = req.method === "POST" && recorded.path === "/v1/chat/completions"
      ? queue.shift() ?? { status: 500, body: errorBody("fake: no scripted reply", "server_error", "fake_unscripted") }
      : { status: 404, body: errorBody(`fake: no route ${recorded.path}`, "invalid_request_error", "unknown_url") }
    const timer = setTimeout(() => send(res, scripted), scripted.delayMs ?? 0)
    res.on("close", () => {
      if (!res.writableFinished) {
        recorded.aborted = true
        clearTimeout(timer)
      }
    })
  })

  return new Promise((resolve, reject) => {
    server.once("error", reject)
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as AddressInfo
      resolve({
        baseURL: `http://127.0.0.1:${port}/v1`,
        requests,
        script: (...replies) => void queue.push(...replies),
        received: (count) =>
          requests.length >= count ? Promise.resolve() : new Promise((done) => void waiters.push({ count, resolve: done })),
        close: () =>
          new Promise((done) => {
            server.closeAllConnections()
            server.close(() => done())
          })
      })
    })
  })
}

/** The fake as a scoped resource: closed when the test's scope ends. */
export const fakeOpenAi = Effect.acquireRelease(Effect.promise(startFakeOpenAi), (fake) => Effect.promise(fake.close))
