import * as Context from "effect/Context"
import * as Data from "effect/Data"
import type * as Effect from "effect/Effect"
import type { Downstream } from "./Downstream.js"

/** The shared limiter state could not be read or written (DynamoDB down): callers treat it as a transient failure. */
export class RateLimiterUnavailable extends Data.TaggedError("RateLimiterUnavailable")<{
  readonly downstream: Downstream
  readonly cause?: unknown
}> {}

export interface RateLimit {
  /** Tokens (requests, or Shopify cost points) per `intervalMs`. */
  readonly limit: number
  readonly intervalMs: number
  /**
   * Absent: at most `limit` tokens in any `intervalMs` window (each token comes back `intervalMs` after it was
   * spent), which is how a published "50 requests per 30 s" quota is read. Present: a leaky bucket of this
   * size refilling continuously at `limit` per `intervalMs` (Shopify: 1000 points restoring 50/s).
   */
  readonly capacity?: number
  /**
   * Window mode only: a token comes back `intervalMs + guardMs` after it was spent. The spend is stamped before
   * the limiter's own store round trip and the HTTP send, so a request can reach the API a few tens of ms later
   * than stamped; without a guard the reused slot can overtake the request it replaces and earn a 429.
   */
  readonly guardMs?: number
}

/**
 * Token buckets per downstream. `acquire` waits (on the Clock) until the caller may send; the DynamoDB layer
 * holds one bucket per downstream for every worker, so a per-account limit (Richpanel: 50 requests / 30 s)
 * holds across concurrent Lambdas. After a 429, `pauseUntil` makes every caller of that downstream wait.
 */
export class RateLimiter extends Context.Tag("rp-mw/RateLimiter")<RateLimiter, {
  readonly acquire: (downstream: Downstream, cost?: number) => Effect.Effect<void, RateLimiterUnavailable>
  /** Epoch ms before which no caller may send to `downstream` (Retry-After). */
  readonly pauseUntil: (downstream: Downstream, untilEpochMs: number) => Effect.Effect<void, RateLimiterUnavailable>
}>() {}
