import { NodeHttpClient } from "@effect/platform-node"
import { describe, expect, it, layer } from "@effect/vitest"
import { Effect, Either, Layer, Option, Redacted } from "effect"
import * as CircuitBreakerMemory from "../../src/layers/CircuitBreakerMemory.js"
import * as RichpanelOrderLink from "../../src/layers/RichpanelOrderLink.js"
import { RateLimiter } from "../../src/services/RateLimiter.js"
import { FakeRichpanel, Faults, layer as FakeLayer } from "../support/fakeRichpanel.js"
import { recordingLimiter, virtual } from "../support/recordingLimiter.js"

/**
 * `GET /v1/order/{conversationId}` against the fake Richpanel. The fake has no order route (the answer's shape is
 * unconfirmed, reference/richpanel.md §5), so it answers 404 like Richpanel does for an unknown path; each shape
 * a tenant might send is injected as the next answer.
 */

const globalUndici = NodeHttpClient.layerUndiciWithoutDispatcher.pipe(Layer.provide(NodeHttpClient.dispatcherLayerGlobal))

const setup = (apiKey?: string) =>
  Effect.gen(function*() {
    const fake = yield* FakeRichpanel
    fake.reset()
    const { attempts, limiter } = yield* recordingLimiter
    const link = yield* RichpanelOrderLink.make({ apiKey: Redacted.make(apiKey ?? fake.apiKey), baseUrl: fake.baseUrl }).pipe(
      Effect.provide(Layer.mergeAll(globalUndici, CircuitBreakerMemory.layer(), Layer.succeed(RateLimiter, limiter)))
    )
    return { fake, link, attempts }
  })

const ok = (body: unknown) => ({ status: 200, body })

layer(FakeLayer())("RichpanelOrderLink", (it) => {
  it.effect("GETs /v1/order/{conversationId} (URL-encoded) with the key, through the Richpanel limiter", () =>
    Effect.gen(function*() {
      const { attempts, fake, link } = yield* setup()
      yield* link.linkedOrder("conv 1/2")
      const [request] = fake.requests()
      expect(request?.method).toBe("GET")
      expect(request?.path).toBe("/v1/order/conv%201%2F2")
      expect(request?.headers["x-richpanel-key"]).toBe(fake.apiKey)
      expect((yield* attempts).map((a) => [a.downstream, a.cost])).toEqual([["richpanel", 1]])
    }))

  it.effect("404 → no linked order", () =>
    Effect.gen(function*() {
      const { fake, link } = yield* setup()
      expect(yield* link.linkedOrder("conv-1")).toEqual(Option.none())
      expect(fake.requests()[0]?.status).toBe(404)
    }))

  it.effect("{} (and an empty body) → no linked order", () =>
    Effect.gen(function*() {
      const { fake, link } = yield* setup()
      fake.inject(ok({}))
      expect(yield* link.linkedOrder("conv-1")).toEqual(Option.none())
      fake.inject(ok(""))
      expect(yield* link.linkedOrder("conv-1")).toEqual(Option.none())
    }))

  it.effect("{orderId, appClientId} → the store's order id", () =>
    Effect.gen(function*() {
      const { fake, link } = yield* setup()
      fake.inject(ok({ orderId: "5123456789012", appClientId: "shop-abc" }))
      expect(yield* link.linkedOrder("conv-1")).toEqual(Option.some({ orderId: "5123456789012" }))
      fake.inject(ok({ orderId: 5123456789012, appClientId: "shop-abc" }))
      expect(yield* link.linkedOrder("conv-1")).toEqual(Option.some({ orderId: "5123456789012" }))
    }))

  it.effect("a full order object → its name and id only, nothing else of it", () =>
    Effect.gen(function*() {
      const { fake, link } = yield* setup()
      const full = {
        orderId: "1234",
        orderDbKey: 876541234,
        orderName: "#606243",
        amount: 100.25,
        status: "processing",
        statusUrl: "https://shop.example.com/orders/x/authenticate?key=k",
        items: [{ id: "1", name: "Trail Runner", quantity: 1 }],
        shippingAddress: { address1: "1 Elm Street" },
        fulfillment: [{ tracking: [{ trackingNumber: "1234578162783", trackingCompany: "USPS" }] }]
      }
      fake.inject(ok(full))
      expect(yield* link.linkedOrder("conv-1")).toEqual(Option.some({ orderName: "#606243", orderId: "1234" }))
      fake.inject(ok({ order: full }))
      expect(yield* link.linkedOrder("conv-1")).toEqual(Option.some({ orderName: "#606243", orderId: "1234" }))
    }))

  it.effect("429 with Retry-After → waited out and retried", () =>
    Effect.gen(function*() {
      const { attempts, fake, link } = yield* setup()
      fake.inject(Faults.rateLimited(2))
      fake.inject(ok({ orderId: "42", appClientId: "a" }))
      expect(yield* virtual(link.linkedOrder("conv-1"))).toEqual(Option.some({ orderId: "42" }))
      const [first, second] = yield* attempts
      expect((second?.at ?? 0) - (first?.at ?? 0)).toBeGreaterThanOrEqual(2_000)
    }))

  it.effect("errors stay typed: 401 unauthorized, persistent 5xx transient, non-JSON invalid", () =>
    Effect.gen(function*() {
      const { fake, link } = yield* setup("rp_wrong")
      fake.inject(Faults.unauthorized())
      expect(yield* Effect.flip(link.linkedOrder("conv-1"))).toMatchObject({ _tag: "RichpanelUnauthorized", status: 401 })
      fake.inject(Faults.status(500), 10)
      expect(yield* Effect.flip(virtual(link.linkedOrder("conv-1")))).toMatchObject({ _tag: "RichpanelTransient", status: 500 })
      fake.reset()
      fake.inject(ok("<html>oops</html>"))
      expect(yield* Effect.flip(link.linkedOrder("conv-1"))).toMatchObject({ _tag: "RichpanelInvalid" })
      fake.inject(ok([1, 2]))
      expect(yield* Effect.flip(link.linkedOrder("conv-1"))).toMatchObject({ _tag: "RichpanelInvalid" })
    }))
})

describe("decodeLinkedOrder", () => {
  it.each<[unknown, Option.Option<{ orderName?: string; orderId?: string }>]>([
    [undefined, Option.none()],
    [{}, Option.none()],
    [{ appClientId: "shop" }, Option.none()],
    [{ orderId: "" }, Option.none()],
    [{ orderId: 1.5 }, Option.none()],
    [{ order_id: "77" }, Option.some({ orderId: "77" })],
    [{ orderNumber: "1001" }, Option.some({ orderName: "1001" })],
    [{ order: {} }, Option.none()]
  ])("%j → %j", (body, expected) => {
    expect(RichpanelOrderLink.decodeLinkedOrder(body)).toEqual(Either.right(expected))
  })

  it("rejects a body that is not an object", () => {
    expect(Either.isLeft(RichpanelOrderLink.decodeLinkedOrder("x"))).toBe(true)
    expect(Either.isLeft(RichpanelOrderLink.decodeLinkedOrder(null))).toBe(true)
  })
})
