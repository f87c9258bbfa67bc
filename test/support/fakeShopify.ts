import { createServer, type IncomingHttpHeaders } from "node:http"
import type { AddressInfo } from "node:net"
import { Context, Effect, Layer } from "effect"

/**
 * A fake Shopify GraphQL Admin API on 127.0.0.1 (reference/shopify_openai.md Part A): `POST
 * /admin/api/{version}/graphql.json`, the `X-Shopify-Access-Token` check, `orders(query:, first:)` over seeded
 * orders with the documented search syntax (`field:value`, `OR`, `AND`/space, parentheses), newest first, and
 * `extensions.cost` on every answer. It answers only the top-level order fields the query names, so a client that
 * stops asking for a field sees it vanish, and one that asks for more (line items, addresses) is visible in the log.
 * Faults replace the next answers: THROTTLED in a 200, 429, GraphQL errors, 401, 5xx.
 */

/** An order as the Admin API serialises it; seed anything, including fields the client must never request. */
export type FakeOrder = { readonly id: string; readonly name: string } & Readonly<Record<string, unknown>>

export interface ThrottleStatus {
  readonly maximumAvailable: number
  readonly currentlyAvailable: number
  readonly restoreRate: number
}

export interface RecordedRequest {
  readonly method: string
  readonly path: string
  readonly headers: IncomingHttpHeaders
  /** `{query, variables}` as sent; the raw text if it was not JSON. */
  readonly body: unknown
}

export interface Fault {
  readonly status: number
  readonly headers?: Readonly<Record<string, string>>
  /** Sent as JSON, or verbatim when a string. */
  readonly body?: unknown
}

const cost = (requestedQueryCost: number, actualQueryCost: number | null, throttle: ThrottleStatus) => ({
  cost: { requestedQueryCost, actualQueryCost, throttleStatus: throttle }
})

export const Faults = {
  /** Shopify's throttle: HTTP 200, no `data`, `extensions.code: THROTTLED`, the bucket in `extensions.cost`. */
  throttled: (throttle: ThrottleStatus, requestedQueryCost = 752): Fault => ({
    status: 200,
    body: {
      errors: [{ message: "Throttled", extensions: { code: "THROTTLED", documentation: "https://shopify.dev/api/usage/rate-limits" } }],
      extensions: cost(requestedQueryCost, null, throttle)
    }
  }),
  rateLimited: (retryAfter?: string): Fault => ({
    status: 429,
    headers: retryAfter === undefined ? {} : { "retry-after": retryAfter },
    body: { errors: "Exceeded 2 calls per second for api client. Reduce request rates to resume uninterrupted service." }
  }),
  /** A GraphQL error in a 200 (a field the pinned version lacks, a query over the cost cap…): no `data`. */
  graphql: (code: string, message: string): Fault => ({
    status: 200,
    body: { errors: [{ message, locations: [{ line: 1, column: 1 }], extensions: { code } }] }
  }),
  unauthorized: (): Fault => ({
    status: 401,
    body: { errors: "[API] Invalid API key or access token (unrecognized login or wrong password)" }
  }),
  status: (status: number, body: unknown = { errors: "Internal Server Error" }): Fault => ({ status, body })
} as const

export interface FakeShopifyServer {
  /** `http://127.0.0.1:<port>`, what `SHOPIFY_BASE_URL` would be. */
  readonly baseUrl: string
  readonly accessToken: string
  readonly requests: () => ReadonlyArray<RecordedRequest>
  readonly seed: (orders: ReadonlyArray<FakeOrder>) => void
  /** What `extensions.cost.throttleStatus` reports on normal answers. */
  readonly setThrottle: (throttle: ThrottleStatus, requestedQueryCost?: number) => void
  readonly inject: (fault: Fault, times?: number) => void
  readonly reset: () => void
  readonly close: () => Promise<void>
}

export const FAKE_ACCESS_TOKEN = "shpat_test_fake_token"
export const API_VERSION = "2026-10"
const FULL_BUCKET: ThrottleStatus = { maximumAvailable: 2000, currentlyAvailable: 1990, restoreRate: 100 }

// ---- the search syntax: `a OR b`, `a AND b` / `a b`, `( … )`, `field:"quoted"` or `field:bare` ----

type Token = { readonly kind: "(" | ")" | "OR" | "AND" } | { readonly kind: "term"; readonly field: string; readonly value: string }

const tokenize = (search: string): Array<Token> => {
  const tokens: Array<Token> = []
  const pattern = /\s*(?:(\()|(\))|(\w+):(?:"((?:[^"\\]|\\.)*)"|([^\s()]+))|(\S+))/gy
  for (const m of search.matchAll(pattern)) {
    if (m[1] !== undefined) tokens.push({ kind: "(" })
    else if (m[2] !== undefined) tokens.push({ kind: ")" })
    else if (m[3] !== undefined) {
      tokens.push({ kind: "term", field: m[3], value: (m[4]?.replace(/\\(.)/g, "$1")) ?? m[5] ?? "" })
    } else if (m[6] === "OR" || m[6] === "AND") tokens.push({ kind: m[6] })
    else throw new Error(`fake Shopify: cannot parse ${JSON.stringify(m[6])} in ${JSON.stringify(search)}`)
  }
  return tokens
}

type Predicate = (order: FakeOrder) => boolean

const bareName = (name: string) => name.replace(/^#/, "").toLowerCase()
const numericId = (id: string) => /(\d+)$/.exec(id)?.[1]

/**
 * `name` matches with or without `#` (the real behaviour is unconfirmed; this is the forgiving reading), `email`
 * case-insensitively, `id` the numeric part of the GID. Unknown fields match nothing, as a typo would in Shopify.
 */
const term = (field: string, value: string): Predicate => {
  switch (field) {
    case "name":
      return (o) => bareName(o.name) === bareName(value)
    case "email":
      return (o) => typeof o["email"] === "string" && o["email"].toLowerCase() === value.toLowerCase()
    case "id":
      return (o) => numericId(o.id) === value
    default:
      return () => false
  }
}

/** OR binds loosest; AND (explicit or a space) tighter — the usual reading; the client parenthesises anyway. */
const parse = (tokens: Array<Token>): Predicate => {
  let at = 0
  const orExpr = (): Predicate => {
    const parts = [andExpr()]
    while (tokens[at]?.kind === "OR") {
      at++
      parts.push(andExpr())
    }
    return (o) => parts.some((p) => p(o))
  }
  const andExpr = (): Predicate => {
    const parts = [atom()]
    for (let next = tokens[at]; next !== undefined && next.kind !== "OR" && next.kind !== ")"; next = tokens[at]) {
      if (next.kind === "AND") at++
      parts.push(atom())
    }
    return (o) => parts.every((p) => p(o))
  }
  const atom = (): Predicate => {
    const token = tokens[at++]
    if (token?.kind === "(") {
      const inner = orExpr()
      if (tokens[at++]?.kind !== ")") throw new Error("fake Shopify: unbalanced parentheses")
      return inner
    }
    if (token?.kind === "term") return term(token.field, token.value)
    throw new Error(`fake Shopify: unexpected ${token?.kind ?? "end of query"}`)
  }
  const predicate = orExpr()
  if (at !== tokens.length) throw new Error("fake Shopify: trailing tokens")
  return predicate
}

export const matches = (search: string): Predicate => parse(tokenize(search))

const isObject = (u: unknown): u is Record<string, unknown> => typeof u === "object" && u !== null && !Array.isArray(u)

/** Only the top-level fields the query names, as GraphQL would. */
const project = (order: FakeOrder, query: string): Record<string, unknown> =>
  Object.fromEntries(Object.entries(order).filter(([key]) => new RegExp(String.raw`\b${key}\b`).test(query)))

const sortKey = (o: FakeOrder) => String(o["processedAt"] ?? o["createdAt"] ?? "")

export const startFakeShopify = async (options: { readonly accessToken?: string; readonly orders?: ReadonlyArray<FakeOrder> } = {}) => {
  const accessToken = options.accessToken ?? FAKE_ACCESS_TOKEN
  let orders: Array<FakeOrder> = []
  let requests: Array<RecordedRequest> = []
  let faults: Array<Fault> = []
  let throttle = FULL_BUCKET
  let requestedQueryCost = 52

  const answer = (body: unknown): { status: number; body: unknown } => {
    if (!isObject(body) || typeof body["query"] !== "string") return { status: 400, body: { errors: "Bad Request" } }
    const query = body["query"]
    const variables = isObject(body["variables"]) ? body["variables"] : {}
    const search = variables["search"]
    const first = variables["first"]
    if (!/\borders\s*\(/.test(query) || typeof search !== "string" || typeof first !== "number") {
      return { status: 200, body: { errors: [{ message: "fake Shopify: unsupported query", extensions: { code: "undefinedField" } }] } }
    }
    let predicate: Predicate
    try {
      predicate = matches(search)
    } catch (error) {
      return { status: 200, body: { errors: [{ message: String(error), extensions: { code: "BAD_SEARCH" } }] } }
    }
    const nodes = orders.filter(predicate).sort((a, b) => sortKey(b).localeCompare(sortKey(a))).slice(0, first)
    return {
      status: 200,
      body: { data: { orders: { nodes: nodes.map((o) => project(o, query)) } }, extensions: cost(requestedQueryCost, 9, throttle) }
    }
  }

  const server = createServer((req, res) => {
    const chunks: Array<Buffer> = []
    req.on("data", (chunk: Buffer) => chunks.push(chunk))
    req.on("end", () => {
      const raw = Buffer.concat(chunks).toString("utf8")
      let body: unknown = raw
      try {
        body = JSON.parse(raw)
      } catch { /* kept as text */ }
      const path = new URL(req.url ?? "/", "http://127.0.0.1").pathname
      requests.push({ method: req.method ?? "GET", path, headers: req.headers, body })
      const fault = faults.shift()
      const reply = fault !== undefined
        ? { status: fault.status, body: fault.body, headers: fault.headers ?? {} }
        : req.headers["x-shopify-access-token"] !== accessToken
        ? { ...Faults.unauthorized(), headers: {} }
        : req.method !== "POST" || !/^\/admin\/api\/\d{4}-\d{2}\/graphql\.json$/.test(path)
        ? { status: 404, body: { errors: "Not Found" }, headers: {} }
        : { ...answer(body), headers: {} }
      res.writeHead(reply.status, { "content-type": "application/json; charset=utf-8", ...reply.headers })
      res.end(typeof reply.body === "string" ? reply.body : JSON.stringify(reply.body ?? {}))
    })
  })
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject)
    server.listen(0, "127.0.0.1", () => resolve())
  })
  const port = (server.address() as AddressInfo).port

  const reset = () => {
    orders = [...(options.orders ?? [])]
    requests = []
    faults = []
    throttle = FULL_BUCKET
    requestedQueryCost = 52
  }
  reset()

  const fake: FakeShopifyServer = {
    baseUrl: `http://127.0.0.1:${port}`,
    accessToken,
    requests: () => [...requests],
    seed: (seed) => void (orders = [...seed]),
    setThrottle: (next, requested) => {
      throttle = next
      if (requested !== undefined) requestedQueryCost = requested
    },
    inject: (fault, times = 1) => void faults.push(...Array.from({ length: times }, () => fault)),
    reset,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve())
        server.closeAllConnections()
      })
  }
  return fake
}

export class FakeShopify extends Context.Tag("test/FakeShopify")<FakeShopify, FakeShopifyServer>() {}

/** The fake server for the life of the layer's scope. */
export const layer = (options: Parameters<typeof startFakeShopify>[0] = {}) =>
  Layer.scoped(FakeShopify, Effect.acquireRelease(Effect.promise(() => startFakeShopify(options)), (fake) => Effect.promise(() => fake.close())))

/** An order as the Admin API returns it, with the fields the client must never ask for filled in. */
export const shopifyOrder = (name: string, overrides: Readonly<Record<string, unknown>> = {}): FakeOrder => ({
  id: `gid://shopify/Order/51234567${name.replace(/\D/g, "").padStart(5, "0")}`,
  name,
  createdAt: "2026-11-02T14:21:07Z",
  processedAt: "2026-11-02T14:21:05Z",
  email: "jane.doe@example.com",
  phone: "+15550100100",
  tags: [],
  displayFinancialStatus: "PAID",
  displayFulfillmentStatus: "UNFULFILLED",
  cancelledAt: null,
  cancelReason: null,
  statusPageUrl: `https://shop.example.com/orders/${name.replace(/\D/g, "")}/authenticate?key=k`,
  shippingLines: { nodes: [{ title: "Standard Shipping" }] },
  fulfillments: [],
  // Never requested: if they show up in an answer, the client asked for them.
  lineItems: { nodes: [{ id: "gid://shopify/LineItem/1", name: "Trail Runner - 42 / Blue", quantity: 1 }] },
  shippingAddress: { address1: "1 Elm Street", city: "Springfield", zip: "90210" },
  billingAddress: { address1: "1 Elm Street" },
  note: "leave with the neighbour",
  ...overrides
})
