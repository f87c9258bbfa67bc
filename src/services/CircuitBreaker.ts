import * as Context from "effect/Context"
import * as Data from "effect/Data"
import type * as Effect from "effect/Effect"
import type { Downstream } from "./Downstream.js"

/** The breaker for `downstream` is open: the call was not made. Route to a human and let the message wait. */
export class CircuitOpen extends Data.TaggedError("CircuitOpen")<{
  readonly downstream: Downstream
  /** Epoch ms when the breaker lets a trial call through (half-open). */
  readonly retryAt: number
}> {}

export type BreakerState = Data.TaggedEnum<{
  Closed: { readonly consecutiveFailures: number }
  Open: { readonly until: number }
  HalfOpen: {}
}>
export const BreakerState = Data.taggedEnum<BreakerState>()

/**
 * One breaker per downstream: closed → open after N consecutive counted failures → half-open after a cool-down,
 * where one trial call decides. Only failures `isFailure` accepts count (a 404 is an answer, not an outage).
 */
export class CircuitBreaker extends Context.Tag("rp-mw/CircuitBreaker")<CircuitBreaker, {
  readonly protect: <A, E, R>(
    downstream: Downstream,
    effect: Effect.Effect<A, E, R>,
    isFailure: (error: E) => boolean
  ) => Effect.Effect<A, E | CircuitOpen, R>
  readonly state: (downstream: Downstream) => Effect.Effect<BreakerState>
}>() {}
