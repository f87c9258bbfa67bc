import { describe, expect, it } from "@effect/vitest"
import { Effect, Either, Layer, Option, Ref } from "effect"
import type { CustomerContact, LinkedOrder, OrderRecord } from "../../src/domain/OrderMatch.js"
import { lookupOrder, type LookupRequest } from "../../src/programs/LookupOrder.js"
import { CircuitOpen } from "../../src/services/CircuitBreaker.js"
import {
  type FindOrdersError,
  type LinkedOrderError,
  OrderLookup,
  type OrderQuery,
  ShopifyRateLimited,
  ShopifyUnauthorized
} from "../../src/services/OrderLookup.js"
import { RichpanelTransient } from "../../src/services/Richpanel.js"

const order = (name: string, overrides: Partial<OrderRecord> = {}): OrderRecord => ({
  id: `gid://shopify/Order/${name.replace(/\D/g, "")}00`,
  name,
  createdAt: "2026-11-02T14:00:00Z",
  email: "jane.doe@example.com",
  phone: "+1 555 010 0100",
  fulfillmentStatus: "UNFULFILLED",
  tags: [],
  shippingTitle: "Standard",
  fulfillments: [],
  ...overrides
})

interface Script {
  /** What `findOrders` answers, given the query (default: the orders whose name or id the query names). */
  readonly orders?: ReadonlyArray<OrderRecord>
  readonly linked?: Option.Option<LinkedOrder>
  readonly findError?: FindOrdersError
  readonly linkError?: LinkedOrderError
}

type Call = { readonly op: "find"; readonly query: OrderQuery } | { readonly op: "linked"; readonly conversationId: string }

/** A fake OrderLookup that answers from `orders` like the search would and records every call. */
const fakeLookup = (script: Script) =>
  Effect.gen(function*() {
    const calls = yield* Ref.make<ReadonlyArray<Call>>([])
    const named = (query: OrderQuery) => (o: OrderRecord) =>
      (query.orderNumber !== undefined && o.name.replace("#", "") === query.orderNumber.replace("#", "")) ||
      (query.orderId !== undefined && o.id.endsWith(`/${query.orderId}`))
    const layer = Layer.succeed(
      OrderLookup,
      OrderLookup.of({
        findOrders: (query) =>
          Ref.update(calls, (c): ReadonlyArray<Call> => [...c, { op: "find", query }]).pipe(
            Effect.zipRight(script.findError === undefined ? Effect.succeed((script.orders ?? []).filter(named(query))) : Effect.fail(script.findError))
          ),
        linkedOrder: (conversationId) =>
          Ref.update(calls, (c): ReadonlyArray<Call> => [...c, { op: "linked", conversationId }]).pipe(
            Effect.zipRight(script.linkError === undefined ? Effect.succeed(script.linked ?? Option.none()) : Effect.fail(script.linkError))
          )
      })
    )
    return { calls, layer }
  })

const jane: CustomerContact = { email: "Jane.Doe@example.com" }
const nobody: CustomerContact = {}

const run = (script: Script, request: Partial<LookupRequest>) =>
  Effect.gen(function*() {
    const { calls, layer } = yield* fakeLookup(script)
    const result = yield* Effect.either(
      lookupOrder({ conversationId: "conv-1", contact: jane, ...request }).pipe(Effect.provide(layer))
    )
    return { result, calls: yield* Ref.get(calls) }
  })

describe("lookupOrder", () => {
  describe("a number the customer typed", () => {
    it.effect("number + matching contact → Matched, searched by name only (the contact is compared here)", () =>
      Effect.gen(function*() {
        const { calls, result } = yield* run({ orders: [order("#1001"), order("#1002")] }, { orderNumber: "1001" })
        expect(result).toMatchObject({ _tag: "Right", right: { _tag: "Matched", source: "customer", order: { name: "#1001" } } })
        expect(calls).toEqual([{ op: "find", query: { orderNumber: "1001" } }])
      }))

    it.effect("matches by phone when that is all the customer gave", () =>
      Effect.gen(function*() {
        const { result } = yield* run({ orders: [order("#1001")] }, { orderNumber: "#1001", contact: { phone: "(555) 010-0100" } })
        expect(result).toMatchObject({ right: { _tag: "Matched" } })
      }))

    it.effect("contact mismatch → NotFound, the same outcome as no such order, and nothing of the order", () =>
      Effect.gen(function*() {
        const mallory: CustomerContact = { email: "mallory@example.com", phone: "+1 555 999 0000" }
        const { result } = yield* run({ orders: [order("#1001")] }, { orderNumber: "1001", contact: mallory })
        expect(result).toEqual(Either.right({ _tag: "NotFound", reason: "contact-mismatch" }))
        const missing = yield* run({ orders: [] }, { orderNumber: "1001", contact: mallory })
        expect(missing.result).toMatchObject({ right: { _tag: "NotFound", reason: "not-found" } })
      }))

    it.effect("no email or phone known → NotFound (never disclosed on the number alone)", () =>
      Effect.gen(function*() {
        const { result } = yield* run({ orders: [order("#1001")] }, { orderNumber: "1001", contact: nobody })
        expect(result).toMatchObject({ right: { _tag: "NotFound", reason: "no-contact" } })
      }))

    it.effect("two orders with the number → Several (a human chooses)", () =>
      Effect.gen(function*() {
        const twins = [order("#1009", { id: "gid://shopify/Order/1" }), order("#1009", { id: "gid://shopify/Order/2" })]
        const { result } = yield* run({ orders: twins }, { orderNumber: "1009" })
        expect(result).toMatchObject({ right: { _tag: "Several", source: "customer", count: 2 } })
      }))

    it.effect("a typed number wins: the linked order is not consulted", () =>
      Effect.gen(function*() {
        const { calls } = yield* run({ orders: [order("#1001")], linked: Option.some({ orderName: "#1002" }) }, { orderNumber: "1001" })
        expect(calls.map((c) => c.op)).toEqual(["find"])
      }))

    it.effect("uses the configured pre-order tag", () =>
      Effect.gen(function*() {
        const tagged = order("#1001", { tags: ["PREORDER-FALL"] })
        const { result } = yield* run({ orders: [tagged] }, { orderNumber: "1001", preOrderTag: "preorder-fall" })
        expect(result).toMatchObject({ right: { _tag: "Matched", order: { preOrder: true } } })
        const byDefault = yield* run({ orders: [tagged] }, { orderNumber: "1001" })
        expect(byDefault.result).toMatchObject({ right: { _tag: "Matched", order: { preOrder: false } } })
      }))
  })

  describe("no number: the order Richpanel links to the conversation", () => {
    it.effect("linked {orderId} → read from the store by id, Matched without a contact check", () =>
      Effect.gen(function*() {
        const { calls, result } = yield* run(
          { orders: [order("#1001")], linked: Option.some({ orderId: "100100" }) },
          { contact: nobody }
        )
        expect(result).toMatchObject({ right: { _tag: "Matched", source: "linked", order: { name: "#1001" } } })
        expect(calls).toEqual([{ op: "linked", conversationId: "conv-1" }, { op: "find", query: { orderId: "100100" } }])
      }))

    it.effect("linked {orderName, orderId} → both identifiers searched", () =>
      Effect.gen(function*() {
        const { calls } = yield* run({ orders: [order("#1001")], linked: Option.some({ orderName: "#1001", orderId: "100100" }) }, {})
        expect(calls[1]).toEqual({ op: "find", query: { orderNumber: "#1001", orderId: "100100" } })
      }))

    it.effect("nothing linked → NotFound no-order-number, and Shopify is not asked (no email-only or latest-order guess)", () =>
      Effect.gen(function*() {
        const { calls, result } = yield* run({ orders: [order("#1001"), order("#1002")] }, { orderNumber: "   " })
        expect(result).toMatchObject({ right: { _tag: "NotFound", reason: "no-order-number" } })
        expect(calls.map((c) => c.op)).toEqual(["linked"])
      }))

    it.effect("a linked order Shopify does not return → NotFound linked-not-found", () =>
      Effect.gen(function*() {
        const { result } = yield* run({ orders: [], linked: Option.some({ orderName: "#606243" }) }, {})
        expect(result).toMatchObject({ right: { _tag: "NotFound", reason: "linked-not-found" } })
      }))
  })

  describe("errors stay typed (the caller hands over)", () => {
    it.effect("Shopify's errors and the gate's", () =>
      Effect.gen(function*() {
        for (const error of [new ShopifyRateLimited({ retryAfterMs: 2_000 }), new ShopifyUnauthorized({ status: 401 }), new CircuitOpen({ downstream: "shopify", retryAt: 30_000 })]) {
          const { result } = yield* run({ findError: error }, { orderNumber: "1001" })
          expect(result).toEqual(Either.left(error))
        }
      }))

    it.effect("Richpanel's, from the linked order", () =>
      Effect.gen(function*() {
        const error = new RichpanelTransient({ reason: "HTTP 503", status: 503 })
        const { calls, result } = yield* run({ linkError: error }, {})
        expect(result).toMatchObject({ _tag: "Left", left: { _tag: "RichpanelTransient", status: 503 } })
        expect(calls.map((c) => c.op)).toEqual(["linked"])
      }))
  })
})
