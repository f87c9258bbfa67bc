import * as Context from "effect/Context"
import * as Data from "effect/Data"
import type * as Effect from "effect/Effect"
import type * as Option from "effect/Option"
import type { LinkedOrder, OrderRecord } from "../domain/OrderMatch.js"
import type { CircuitOpen } from "./CircuitBreaker.js"
import type { RateLimiterUnavailable } from "./RateLimiter.js"
import type { RichpanelError } from "./Richpanel.js"

export type { LinkedOrder, OrderRecord } from "../domain/OrderMatch.js"

/** HTTP 429 (`Retry-After`), or THROTTLED in a 200 answer (wait derived from `extensions.cost.throttleStatus`). */
export class ShopifyRateLimited extends Data.TaggedError("ShopifyRateLimited")<{ readonly retryAfterMs?: number }> {}
/** 5xx, 408, timeouts, connection failures: retryable. */
export class ShopifyTransient extends Data.TaggedError("ShopifyTransient")<{ readonly reason: string; readonly status?: number }> {}
/** 401/403: token wrong, revoked, or missing the `read_orders` scope. An operator must act; not retryable. */
export class ShopifyUnauthorized extends Data.TaggedError("ShopifyUnauthorized")<{ readonly status: number }> {}
/**
 * GraphQL errors other than THROTTLED (MAX_COST_EXCEEDED, a field the pinned version lacks…), other 4xx, an
 * unreadable body, or no Shopify configured: our request or their answer is wrong; not retryable.
 */
export class ShopifyInvalid extends Data.TaggedError("ShopifyInvalid")<{
  readonly reason: string
  readonly status?: number
  /** GraphQL `extensions.code`s, when the answer had errors. */
  readonly codes?: ReadonlyArray<string>
}> {}

export type ShopifyError = ShopifyRateLimited | ShopifyTransient | ShopifyUnauthorized | ShopifyInvalid

/** No order lookup in this deployment (no Shopify token, or a Shopify config that cannot start): hand over. */
export class OrderLookupUnavailable extends Data.TaggedError("OrderLookupUnavailable")<{ readonly reason: string }> {}

/** What every method can fail with once the limiter, the breaker and the retries have had their say. */
export type DownstreamGate = RateLimiterUnavailable | CircuitOpen
export type FindOrdersError = ShopifyError | DownstreamGate | OrderLookupUnavailable
export type LinkedOrderError = RichpanelError | DownstreamGate | OrderLookupUnavailable
export type OrderLookupError = FindOrdersError | LinkedOrderError

/**
 * Which orders to read. `orderNumber` is searched as `#N` or `N`; `orderId` is the store's numeric id (Richpanel's
 * linked order); `email` narrows the search. Nothing is matched here: the caller's OrderMatch decides.
 */
export interface OrderQuery {
  readonly orderNumber?: string
  readonly orderId?: string
  readonly email?: string
}

/**
 * Order data for "where is my order?". Each call already goes through the rate limiter, the circuit breaker and the
 * downstream's retry schedule (`callDownstream`): callers must not wrap it again.
 */
export class OrderLookup extends Context.Tag("rp-mw/OrderLookup")<OrderLookup, {
  /** At most 2 orders (enough to see that a number is ambiguous), newest first; none is not an error. */
  readonly findOrders: (query: OrderQuery) => Effect.Effect<ReadonlyArray<OrderRecord>, FindOrdersError>
  /** The order Richpanel links to the conversation (`GET /v1/order/{conversationId}`), if any. */
  readonly linkedOrder: (conversationId: string) => Effect.Effect<Option.Option<LinkedOrder>, LinkedOrderError>
}>() {}
