import { describe, expect, it } from "@effect/vitest"
import { ConfigProvider, Effect, Layer, Option, Redacted, TestClock } from "effect"
import { customerContact } from "../../src/domain/CustomerContact.js"
import { orderFinding } from "../../src/domain/OrderStatusReply.js"
import * as CircuitBreakerMemory from "../../src/layers/CircuitBreakerMemory.js"
import * as OrderLookupSelection from "../../src/layers/OrderLookupSelection.js"
import * as RateLimiterMemory from "../../src/layers/RateLimiterMemory.js"
import { FIXTURES, OTHER_EMAIL, SAMPLE_EMAIL, SAMPLE_PHONE, sampleOrders, search } from "../../src/layers/SampleStoreOrderLookup.js"
import * as SampleStoreOrderLookup from "../../src/layers/SampleStoreOrderLookup.js"
import { lookupOrder } from "../../src/programs/LookupOrder.js"
import { AppConfig } from "../../src/services/AppConfig.js"
import { OrderLookup } from "../../src/services/OrderLookup.js"

// Mon 2 Nov 2026 15:00 UTC; Saturday 7 Nov; Friday 13 Nov 23:00 in New York (Saturday in UTC).
const NOWS = ["2026-11-02T15:00:00Z", "2026-11-07T15:00:00Z", "2026-11-14T04:00:00Z"].map((iso) => Date.parse(iso))
const NOW = NOWS[0] ?? 0

describe("sample store search (the Shopify layer's semantics)", () => {
  const orders = sampleOrders(NOW)

  it("finds by name with or without #, any case of the suffix", () => {
    expect(search(orders, { orderNumber: "1001" }).map((o) => o.name)).toEqual(["#1001"])
    expect(search(orders, { orderNumber: "#1001" }).map((o) => o.name)).toEqual(["#1001"])
    expect(search(orders, { orderNumber: "1008-a" }).map((o) => o.name)).toEqual(["#1008-A"])
    expect(search(orders, { orderNumber: "1008" })).toEqual([])
    expect(search(orders, { orderNumber: "4242" })).toEqual([])
  })

  it("narrows by email (AND), finds by store id, returns nothing for an empty query", () => {
    expect(search(orders, { orderNumber: "1001", email: "JANE.DOE@example.com" })).toHaveLength(1)
    expect(search(orders, { orderNumber: "1001", email: OTHER_EMAIL })).toEqual([])
    const id = orders[2]?.id ?? ""
    expect(search(orders, { orderId: id.split("/").at(-1) ?? "" }).map((o) => o.name)).toEqual(["#1003"])
    expect(search(orders, {})).toEqual([])
  })

  it("returns newest first and at most 2, like `first: 2`", () => {
    const janes = search(orders, { email: SAMPLE_EMAIL })
    expect(janes.map((o) => o.name)).toEqual(["#1002", "#1001"])
    expect(search(orders, { orderNumber: "1009" })).toHaveLength(2)
  })

  it("dates its orders from the Clock it is given", () => {
    const [first] = sampleOrders(NOW)
    expect(first?.createdAt).toBe(new Date(NOW - (FIXTURES[0]?.ageDays ?? 0) * 86_400_000).toISOString())
  })
})

describe("the sample store through lookupOrder and orderFinding (what `npm start` shows)", () => {
  const ask = (orderNumber: string | undefined, contact = customerContact({ email: SAMPLE_EMAIL, text: "" }), now = NOW) =>
    Effect.gen(function*() {
      yield* TestClock.setTime(now)
      const result = yield* lookupOrder({ conversationId: "conv-1", orderNumber, contact })
      return orderFinding(result, now)
    }).pipe(Effect.provide(SampleStoreOrderLookup.layer))

  it.effect("every fixture shows the case it is there for, on any day", () =>
    Effect.gen(function*() {
      for (const now of NOWS) {
        expect(yield* ask("1001", undefined, now)).toMatchObject({
          templateId: "t_order_status_verified",
          variables: { tracking_company: "UPS", tracking_number: "1Z999AA10123456784" }
        })
        expect(yield* ask("#1002", undefined, now)).toMatchObject({ templateId: "t_order_eta_no_tracking_verified", handOver: false })
        expect(yield* ask("1003", undefined, now)).toMatchObject({ templateId: "t_shipping_delay_verified", reason: "order:late", handOver: true })
        expect(yield* ask("1004", undefined, now)).toEqual({ _tag: "HandOver", reason: "order:cancelled" })
        expect(yield* ask("1005", undefined, now)).toMatchObject({ templateId: "t_order_eta_no_tracking_verified", reason: "order:eta" })
      }
    }))

  it.effect("another customer's orders, a suffix name, a duplicate name", () =>
    Effect.gen(function*() {
      const sam = customerContact({ email: OTHER_EMAIL, text: "" })
      expect(yield* ask("1006", sam)).toMatchObject({
        templateId: "t_order_status_verified",
        variables: { tracking_url: "https://tools.usps.com/go/TrackConfirmAction?tLabels=9400111899223856928499" }
      })
      expect(yield* ask("1007", sam)).toMatchObject({ templateId: "t_order_eta_no_tracking_verified" })
      expect(yield* ask("1008-A", sam)).toMatchObject({ templateId: "t_shipping_delay_verified", reason: "order:unknown-shipping-tier" })
      expect(yield* ask("1009", customerContact({ email: "alex.kim@example.com", text: "" }))).toEqual({
        _tag: "HandOver",
        reason: "order:several-candidates"
      })
    }))

  it.effect("Jane asking about Sam's order, or nobody's: the same ask-for-number outcome", () =>
    Effect.gen(function*() {
      expect(yield* ask("1006")).toEqual({ _tag: "NotFound", reason: "order:contact-mismatch" })
      expect(yield* ask("4242")).toEqual({ _tag: "NotFound", reason: "order:not-found" })
      // Known by phone only (written in the message): still her order.
      expect(yield* ask("1001", customerContact({ text: `call me on ${SAMPLE_PHONE}` }))).toMatchObject({ _tag: "Reply" })
    }))

  it.effect("nothing is ever linked in a local run: without a number, ask", () =>
    Effect.gen(function*() {
      expect(yield* ask(undefined)).toEqual({ _tag: "NotFound", reason: "order:no-order-number" })
      const linked = yield* Effect.flatMap(OrderLookup, (l) => l.linkedOrder("conv-1")).pipe(Effect.provide(SampleStoreOrderLookup.layer))
      expect(linked).toEqual(Option.none())
    }))
})

describe("OrderLookupSelection", () => {
  const appConfig = (shopify: boolean) =>
    Layer.succeed(AppConfig, {
      mode: "live",
      webhookToken: Option.none(),
      richpanelApiKey: Option.none(),
      openaiApiKey: Option.none(),
      shopifyAccessToken: shopify ? Option.some(Redacted.make("shpat_x")) : Option.none()
    })
  const infra = Layer.mergeAll(RateLimiterMemory.layerDefault, CircuitBreakerMemory.layer())
  const findWith = (selection: typeof OrderLookupSelection.orderLookupLocal, shopify: boolean) =>
    Effect.flatMap(OrderLookup, (l) => l.findOrders({ orderNumber: "1001" })).pipe(
      Effect.provide(selection.pipe(Layer.provide(Layer.mergeAll(appConfig(shopify), infra))))
    )

  it.effect("no token, laptop: the sample store answers", () =>
    Effect.gen(function*() {
      expect((yield* findWith(OrderLookupSelection.orderLookupLocal, false)).map((o) => o.name)).toEqual(["#1001"])
    }))

  it.effect("no token, Lambda: no sample data; every lookup fails, the linked order too (→ a human, never an ask)", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(findWith(OrderLookupSelection.orderLookupLambda, false))
      expect(error._tag).toBe("OrderLookupUnavailable")
      const linked = yield* Effect.flip(Effect.flatMap(OrderLookup, (l) => l.linkedOrder("conv-1")).pipe(
        Effect.provide(OrderLookupSelection.orderLookupLambda.pipe(Layer.provide(Layer.mergeAll(appConfig(false), infra))))
      ))
      expect(linked._tag).toBe("OrderLookupUnavailable")
    }))

  it.effect("a token without a shop or base URL does not stop the worker: lookups fail, saying what to set", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(findWith(OrderLookupSelection.orderLookupLocal, true).pipe(
        Effect.withConfigProvider(ConfigProvider.fromJson({ SHOPIFY_ACCESS_TOKEN: "shpat_x" }))
      ))
      expect(error._tag).toBe("OrderLookupUnavailable")
      expect(JSON.stringify(error)).toMatch(/SHOPIFY_SHOP/)
    }))
})
