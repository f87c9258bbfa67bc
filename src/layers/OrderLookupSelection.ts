import { FetchHttpClient } from "@effect/platform"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import { AppConfig } from "../services/AppConfig.js"
import { type LinkedOrder, OrderLookup, OrderLookupUnavailable } from "../services/OrderLookup.js"
import * as RichpanelOrderLink from "./RichpanelOrderLink.js"
import * as SampleStoreOrderLookup from "./SampleStoreOrderLookup.js"
import * as ShopifyOrderLookup from "./ShopifyOrderLookup.js"

const noLink = { linkedOrder: (_conversationId: string) => Effect.succeed(Option.none<LinkedOrder>()) }

/**
 * Orders from Shopify; the linked order from Richpanel when `RICHPANEL_API_KEY` is set (a dry run has no
 * Richpanel to ask). Needs the HttpClient, the RateLimiter and the CircuitBreaker every downstream call goes through.
 */
export const layerShopify = Layer.effect(
  OrderLookup,
  Effect.gen(function*() {
    const shopify = yield* ShopifyOrderLookup.make(yield* ShopifyOrderLookup.options)
    const config = yield* AppConfig
    const link = Option.isSome(config.richpanelApiKey) ? yield* RichpanelOrderLink.make(yield* RichpanelOrderLink.options) : noLink
    return OrderLookup.of({ findOrders: shopify.findOrders, linkedOrder: link.linkedOrder })
  })
)

/**
 * No Shopify where real customers write: every lookup fails (→ hand over), nothing is made up. The linked order fails
 * too: otherwise a question without a number would ask the customer for one we could never look up.
 */
export const layerUnconfigured = (reason: string) => {
  const unavailable = new OrderLookupUnavailable({ reason })
  return Layer.succeed(
    OrderLookup,
    OrderLookup.of({ findOrders: () => Effect.fail(unavailable), linkedOrder: () => Effect.fail(unavailable) })
  )
}

/**
 * A Shopify layer that cannot start (a token without `SHOPIFY_SHOP`, a malformed version) must not stop the worker:
 * every other message still has to be routed. Order questions go to a human, and the log says what to fix.
 */
const shopifyOrHandOver = layerShopify.pipe(
  Layer.provide(FetchHttpClient.layer),
  Layer.catchAll((error) =>
    Layer.unwrapEffect(
      Effect.logError("Shopify order lookup is misconfigured; order questions go to a human until it is fixed", error).pipe(
        Effect.as(layerUnconfigured(`Shopify is misconfigured: ${String(error)}`))
      )
    )
  )
)

/**
 * Shopify when `SHOPIFY_ACCESS_TOKEN` is set (with `SHOPIFY_SHOP` or `SHOPIFY_BASE_URL`, else an error log and hand-overs);
 * otherwise the sample store when `sampleStoreWithoutToken` (the laptop), or `layerUnconfigured` (AWS: a real
 * customer must never be answered from sample orders).
 */
export const orderLookup = (options: { readonly sampleStoreWithoutToken: boolean }) =>
  Layer.unwrapEffect(
    Effect.map(AppConfig, (config) =>
      Option.isSome(config.shopifyAccessToken)
        ? shopifyOrHandOver
        : options.sampleStoreWithoutToken
        ? SampleStoreOrderLookup.layer
        : layerUnconfigured("SHOPIFY_ACCESS_TOKEN is not set: no order lookup")
    )
  )

/** `npm start`: Shopify, or the sample store. */
export const orderLookupLocal = orderLookup({ sampleStoreWithoutToken: true })
/** Lambda: Shopify, or no lookup at all. */
export const orderLookupLambda = orderLookup({ sampleStoreWithoutToken: false })
