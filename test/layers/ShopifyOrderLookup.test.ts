import { NodeHttpClient } from "@effect/platform-node"
import { describe, expect, it, layer } from "@effect/vitest"
import { Clock, ConfigProvider, Effect, Exit, Layer, Redacted } from "effect"
import * as CircuitBreakerMemory from "../../src/layers/CircuitBreakerMemory.js"
import { searchString } from "../../src/layers/ShopifyDecode.js"
import * as ShopifyOrderLookup from "../../src/layers/ShopifyOrderLookup.js"
import type { OrderQuery } from "../../src/services/OrderLookup.js"
import { RateLimiter } from "../../src/services/RateLimiter.js"
import { recordingLimiter, virtual } from "../support/recordingLimiter.js"
import { API_VERSION, FAKE_ACCESS_TOKEN, FakeShopify, Faults, layer as FakeLayer, matches, shopifyOrder } from "../support/fakeShopify.js"

/** Kept open for the whole run: a scoped dispatcher would close as soon as a client built inside a test is made. */
const globalUndici = NodeHttpClient.layerUndiciWithoutDispatcher.pipe(Layer.provide(NodeHttpClient.dispatcherLayerGlobal))

/** A fresh fake state, a recording limiter, a fresh breaker and the real client (undici) against the fake. */
const setup = (options: Partial<ShopifyOrderLookup.Options> = {}) =>
  Effect.gen(function*() {
    const fake = yield* FakeShopify
    fake.reset()
    const { attempts, limiter, pauses } = yield* recordingLimiter
    const shopify = yield* ShopifyOrderLookup.make({
      accessToken: Redacted.make(fake.accessToken),
      baseUrl: fake.baseUrl,
      apiVersion: API_VERSION,
      ...options
    }).pipe(
      Effect.provide(Layer.mergeAll(globalUndici, CircuitBreakerMemory.layer(), Layer.succeed(RateLimiter, limiter)))
    )
    return { fake, shopify, attempts, pauses }
  })

const query = (fake: { requests: () => ReadonlyArray<{ body: unknown }> }, i = 0) =>
  fake.requests()[i]?.body as { query: string; variables: { search: string; first: number } }

layer(FakeLayer())("ShopifyOrderLookup", (it) => {
  describe("requests", () => {
    it.effect("POSTs the pinned version's endpoint with the token header, a name search and first: 2", () =>
      Effect.gen(function*() {
        const { fake, shopify } = yield* setup()
        yield* shopify.findOrders({ orderNumber: "1001" })
        const [request] = fake.requests()
        expect(request?.method).toBe("POST")
        expect(request?.path).toBe("/admin/api/2026-10/graphql.json")
        expect(request?.headers["x-shopify-access-token"]).toBe(FAKE_ACCESS_TOKEN)
        expect(request?.headers["content-type"]).toMatch(/^application\/json/)
        expect(query(fake).variables).toEqual({ search: "name:\"#1001\" OR name:\"1001\"", first: 2 })
      }))

    it.effect("requests no line items, addresses, customer, payment or notes", () =>
      Effect.gen(function*() {
        const { fake, shopify } = yield* setup()
        fake.seed([shopifyOrder("#1001")])
        yield* shopify.findOrders({ orderNumber: "1001" })
        const text = query(fake).query
        for (const field of ["lineItems", "Address", "customer", "note", "transactions", "Financial", "totalPrice", "paymentGateway"]) {
          expect(text).not.toContain(field)
        }
        expect(text).toMatch(/\bemail phone tags\b/)
        expect(text).toContain("shippingLines(first: 1) { nodes { title } }")
        expect(text).toContain("trackingInfo(first: 3) { company number url }")
      }))

    it.effect("uses the configured API version; the default is 2026-10", () =>
      Effect.gen(function*() {
        const { fake, shopify } = yield* setup({ apiVersion: "2027-01" })
        yield* shopify.findOrders({ orderNumber: "1001" })
        expect(fake.requests()[0]?.path).toBe("/admin/api/2027-01/graphql.json")
        expect(ShopifyOrderLookup.DEFAULT_API_VERSION).toBe("2026-10")
      }))

    it.effect("an empty query sends nothing (it would list every order)", () =>
      Effect.gen(function*() {
        const { fake, shopify } = yield* setup()
        expect(yield* shopify.findOrders({})).toEqual([])
        expect(yield* shopify.findOrders({ orderNumber: "  " })).toEqual([])
        expect(fake.requests()).toHaveLength(0)
      }))
  })

  describe("answers", () => {
    it.effect("found with tracking: decoded into the domain order", () =>
      Effect.gen(function*() {
        const { fake, shopify } = yield* setup()
        fake.seed([
          shopifyOrder("#1001", {
            displayFulfillmentStatus: "FULFILLED",
            tags: ["VIP"],
            fulfillments: [{
              status: "SUCCESS",
              displayStatus: "IN_TRANSIT",
              createdAt: "2026-11-03T09:12:44Z",
              estimatedDeliveryAt: null,
              deliveredAt: null,
              trackingInfo: [{ company: "UPS", number: "1Z999AA10123456784", url: "https://www.ups.com/track?tracknum=1Z999AA10123456784" }]
            }]
          }),
          shopifyOrder("#1002")
        ])
        expect(yield* shopify.findOrders({ orderNumber: "#1001" })).toEqual([{
          id: "gid://shopify/Order/5123456701001",
          name: "#1001",
          createdAt: "2026-11-02T14:21:07Z",
          email: "jane.doe@example.com",
          phone: "+15550100100",
          fulfillmentStatus: "FULFILLED",
          tags: ["VIP"],
          shippingTitle: "Standard Shipping",
          statusPageUrl: "https://shop.example.com/orders/1001/authenticate?key=k",
          fulfillments: [{
            status: "SUCCESS",
            displayStatus: "IN_TRANSIT",
            createdAt: "2026-11-03T09:12:44Z",
            tracking: [{ company: "UPS", number: "1Z999AA10123456784", url: "https://www.ups.com/track?tracknum=1Z999AA10123456784" }]
          }]
        }])
      }))

    it.effect("empty result (no such order, or one outside the 60-day window): no candidates, not an error", () =>
      Effect.gen(function*() {
        const { fake, shopify } = yield* setup()
        fake.seed([shopifyOrder("#1001")])
        expect(yield* shopify.findOrders({ orderNumber: "4242" })).toEqual([])
      }))

    it.effect("two orders with one name: both come back, newest first, so the match can refuse to choose", () =>
      Effect.gen(function*() {
        const { fake, shopify } = yield* setup()
        fake.seed([
          shopifyOrder("#1009", { id: "gid://shopify/Order/1", processedAt: "2026-10-01T00:00:00Z" }),
          shopifyOrder("#1009", { id: "gid://shopify/Order/2", processedAt: "2026-10-05T00:00:00Z" }),
          shopifyOrder("#1009", { id: "gid://shopify/Order/3", processedAt: "2026-09-05T00:00:00Z" })
        ])
        const found = yield* shopify.findOrders({ orderNumber: "1009" })
        expect(found.map((o) => o.id)).toEqual(["gid://shopify/Order/2", "gid://shopify/Order/1"])
      }))

    it.effect("a cancelled order keeps its cancellation; nulls become absent fields", () =>
      Effect.gen(function*() {
        const { fake, shopify } = yield* setup()
        fake.seed([shopifyOrder("#1004", { cancelledAt: "2026-11-03T00:00:00Z", email: null, phone: null, shippingLines: { nodes: [] } })])
        const [order] = yield* shopify.findOrders({ orderNumber: "1004" })
        expect(order?.cancelledAt).toBe("2026-11-03T00:00:00Z")
        expect(order).not.toHaveProperty("email")
        expect(order).not.toHaveProperty("phone")
        expect(order).not.toHaveProperty("shippingTitle")
      }))
  })

  describe("throttling and errors", () => {
    it.effect("THROTTLED in a 200: waits ceil((cost − available) / restoreRate) s, pauses the limiter, then succeeds", () =>
      Effect.gen(function*() {
        const { attempts, fake, pauses, shopify } = yield* setup()
        fake.seed([shopifyOrder("#1001")])
        fake.inject(Faults.throttled({ maximumAvailable: 1000, currentlyAvailable: 666, restoreRate: 50 }, 752))
        const found = yield* virtual(shopify.findOrders({ orderNumber: "1001" }))
        expect(found.map((o) => o.name)).toEqual(["#1001"])
        expect(fake.requests()).toHaveLength(2)
        const [first, second] = yield* attempts
        // (752 − 666) / 50 = 1.72 → 2 s, never shortened by jitter.
        expect((second?.at ?? 0) - (first?.at ?? 0)).toBeGreaterThanOrEqual(2_000)
        expect(yield* pauses).toEqual([expect.objectContaining({ downstream: "shopify", until: (first?.at ?? 0) + 2_000 })])
      }))

    it.effect("HTTP 429 with Retry-After (seconds): honoured, then succeeds", () =>
      Effect.gen(function*() {
        const { attempts, fake, pauses, shopify } = yield* setup()
        fake.seed([shopifyOrder("#1001")])
        fake.inject(Faults.rateLimited("3"))
        expect((yield* virtual(shopify.findOrders({ orderNumber: "1001" }))).length).toBe(1)
        const [first, second] = yield* attempts
        expect((second?.at ?? 0) - (first?.at ?? 0)).toBeGreaterThanOrEqual(3_000)
        expect(yield* pauses).toEqual([expect.objectContaining({ until: (first?.at ?? 0) + 3_000 })])
      }))

    it.effect("429s that never end: ShopifyRateLimited after the retries (1 + 3 attempts)", () =>
      Effect.gen(function*() {
        const { fake, shopify } = yield* setup()
        fake.inject(Faults.rateLimited("1"), 10)
        const error = yield* Effect.flip(virtual(shopify.findOrders({ orderNumber: "1001" })))
        expect(error).toMatchObject({ _tag: "ShopifyRateLimited", retryAfterMs: 1_000 })
        expect(fake.requests()).toHaveLength(4)
      }))

    it.effect("5xx then success: retried as transient", () =>
      Effect.gen(function*() {
        const { fake, shopify } = yield* setup()
        fake.seed([shopifyOrder("#1001")])
        fake.inject(Faults.status(503), 2)
        expect((yield* virtual(shopify.findOrders({ orderNumber: "1001" }))).length).toBe(1)
        expect(fake.requests()).toHaveLength(3)
      }))

    it.effect("5xx every time: ShopifyTransient with the status", () =>
      Effect.gen(function*() {
        const { fake, shopify } = yield* setup()
        fake.inject(Faults.status(502), 10)
        const error = yield* Effect.flip(virtual(shopify.findOrders({ orderNumber: "1001" })))
        expect(error).toMatchObject({ _tag: "ShopifyTransient", status: 502 })
      }))

    it.effect("a GraphQL error (no data): ShopifyInvalid with the code, not retried", () =>
      Effect.gen(function*() {
        const { fake, shopify } = yield* setup()
        fake.inject(Faults.graphql("MAX_COST_EXCEEDED", "Query cost is 1723, which exceeds the single query max cost limit (1000)."))
        const error = yield* Effect.flip(shopify.findOrders({ orderNumber: "1001" }))
        expect(error).toMatchObject({ _tag: "ShopifyInvalid", codes: ["MAX_COST_EXCEEDED"], status: 200 })
        expect(fake.requests()).toHaveLength(1)
      }))

    it.effect("401 (wrong token): ShopifyUnauthorized, not retried", () =>
      Effect.gen(function*() {
        const { fake, shopify } = yield* setup({ accessToken: Redacted.make("shpat_wrong") })
        const error = yield* Effect.flip(shopify.findOrders({ orderNumber: "1001" }))
        expect(error).toEqual(expect.objectContaining({ _tag: "ShopifyUnauthorized", status: 401 }))
        expect(fake.requests()).toHaveLength(1)
        expect(fake.requests()[0]?.headers["x-shopify-access-token"]).toBe("shpat_wrong")
      }))

    it.effect("an unreadable body: ShopifyInvalid naming fields, never values", () =>
      Effect.gen(function*() {
        const { fake, shopify } = yield* setup()
        fake.inject({ status: 200, body: { data: { orders: { nodes: [{ id: "x", name: 1001, email: "jane.doe@example.com" }] } } } })
        const error = yield* Effect.flip(shopify.findOrders({ orderNumber: "1001" }))
        expect(error._tag).toBe("ShopifyInvalid")
        expect(JSON.stringify(error)).not.toContain("jane.doe")
        fake.inject({ status: 200, body: "<html>maintenance</html>" })
        expect((yield* Effect.flip(shopify.findOrders({ orderNumber: "1001" })))._tag).toBe("ShopifyInvalid")
      }))

    it.effect("a connection refused is transient", () =>
      Effect.gen(function*() {
        const { shopify } = yield* setup({ baseUrl: "http://127.0.0.1:9" })
        const error = yield* Effect.flip(virtual(shopify.findOrders({ orderNumber: "1001" })))
        expect(error._tag).toBe("ShopifyTransient")
      }))
  })

  describe("cost and throttleStatus feed the limiter", () => {
    it.effect("each attempt acquires the estimated cost, then the cost Shopify reported", () =>
      Effect.gen(function*() {
        const { attempts, fake, shopify } = yield* setup()
        fake.setThrottle({ maximumAvailable: 2000, currentlyAvailable: 1990, restoreRate: 100 }, 23)
        yield* shopify.findOrders({ orderNumber: "1001" })
        yield* shopify.findOrders({ orderNumber: "1002" })
        expect((yield* attempts).map((a) => [a.downstream, a.cost])).toEqual([["shopify", 50], ["shopify", 23]])
      }))

    it.effect("a bucket lower than the next query's cost pauses every caller until it has refilled", () =>
      Effect.gen(function*() {
        const { fake, pauses, shopify } = yield* setup()
        const start = yield* Clock.currentTimeMillis
        fake.setThrottle({ maximumAvailable: 2000, currentlyAvailable: 10, restoreRate: 100 }, 350)
        expect(yield* shopify.findOrders({ orderNumber: "1001" })).toEqual([])
        // (350 − 10) / 100 = 3.4 → 4 s.
        expect(yield* pauses).toEqual([expect.objectContaining({ downstream: "shopify", until: start + 4_000 })])
      }))

    it.effect("a healthy bucket pauses nobody", () =>
      Effect.gen(function*() {
        const { pauses, shopify } = yield* setup()
        yield* shopify.findOrders({ orderNumber: "1001" })
        expect(yield* pauses).toEqual([])
      }))
  })
})

describe("search string", () => {
  it.each<[OrderQuery, string | undefined]>([
    [{ orderNumber: "1001" }, "name:\"#1001\" OR name:\"1001\""],
    [{ orderNumber: "#1001-a" }, "name:\"#1001-A\" OR name:\"1001-A\""],
    [{ orderId: "gid://shopify/Order/5123456789012" }, "id:5123456789012"],
    [{ orderNumber: "1001", orderId: "42" }, "name:\"#1001\" OR name:\"1001\" OR id:42"],
    [{ orderNumber: "1001", email: "jane@example.com" }, "(name:\"#1001\" OR name:\"1001\") AND email:\"jane@example.com\""],
    [{ email: "jane@example.com" }, "email:\"jane@example.com\""],
    [{ email: "a\"b@example.com" }, "email:\"a\\\"b@example.com\""],
    [{}, undefined],
    [{ orderNumber: " ", email: " " }, undefined]
  ])("%j → %s", (q, expected) => {
    expect(searchString(q)).toBe(expected)
  })

  it("the parentheses matter: without them the email would only narrow the second name", () => {
    const strangers = { id: "gid://shopify/Order/1", name: "#1001", email: "someone@else.com" }
    const search = searchString({ orderNumber: "1001", email: "jane@example.com" }) ?? ""
    expect(matches(search)(strangers)).toBe(false)
    expect(matches("name:\"#1001\" OR name:\"1001\" AND email:\"jane@example.com\"")(strangers)).toBe(true)
  })
})

describe("options from config", () => {
  const read = (env: Record<string, string>) =>
    Effect.runSyncExit(ShopifyOrderLookup.options.pipe(Effect.withConfigProvider(ConfigProvider.fromJson(env))))

  it("builds the base URL from the shop and defaults the version", () => {
    const exit = read({ SHOPIFY_ACCESS_TOKEN: "shpat_x", SHOPIFY_SHOP: "my-shop.myshopify.com" })
    expect(Exit.isSuccess(exit) && exit.value.baseUrl).toBe("https://my-shop.myshopify.com")
    expect(Exit.isSuccess(exit) && exit.value.apiVersion).toBe("2026-10")
    expect(Exit.isSuccess(exit) && Redacted.value(exit.value.accessToken)).toBe("shpat_x")
  })

  it("prefers SHOPIFY_BASE_URL, and fails at start-up without a shop or with a malformed version", () => {
    const withBase = read({ SHOPIFY_ACCESS_TOKEN: "t", SHOPIFY_BASE_URL: "http://127.0.0.1:1234", SHOPIFY_SHOP: "x" })
    expect(Exit.isSuccess(withBase) && withBase.value.baseUrl).toBe("http://127.0.0.1:1234")
    expect(Exit.isFailure(read({ SHOPIFY_ACCESS_TOKEN: "t" }))).toBe(true)
    expect(Exit.isFailure(read({ SHOPIFY_ACCESS_TOKEN: "t", SHOPIFY_SHOP: "x", SHOPIFY_API_VERSION: "latest" }))).toBe(true)
  })

  it("never shows the token when printed", () => {
    const exit = read({ SHOPIFY_ACCESS_TOKEN: "shpat_secret_value", SHOPIFY_SHOP: "x" })
    expect(JSON.stringify(exit)).not.toContain("shpat_secret_value")
    expect(String(Exit.isSuccess(exit) ? exit.value.accessToken : "")).not.toContain("shpat_secret_value")
  })
})
