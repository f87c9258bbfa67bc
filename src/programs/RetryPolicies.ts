import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Schedule from "effect/Schedule"
import type { ClassifierError } from "../services/Classifier.js"
import { CircuitBreaker, type CircuitOpen } from "../services/CircuitBreaker.js"
import { type Downstream, LiveDownstreams } from "../services/Downstream.js"
import * as Metrics from "../services/Metrics.js"
import { RateLimiter, type RateLimiterUnavailable } from "../services/RateLimiter.js"
import type { RichpanelError } from "../services/Richpanel.js"
import type { ShopifyError } from "../services/OrderLookup.js"

/** What a retry policy looks at: the error's tag, and the downstream's Retry-After when it sent one. */
export interface Retryable {
  readonly _tag: string
  readonly retryAfterMs?: number
}

export interface RetryOptions {
  readonly retryable: ReadonlySet<string>
  readonly base?: Duration.DurationInput
  readonly factor?: number
  readonly retries?: number
  /** A Retry-After longer than this is not waited out here: the message waits on the queue instead. */
  readonly maxRetryAfter?: Duration.DurationInput
}

/**
 * Exponential backoff with ±20 % jitter, `retries` times, only for the tags in `retryable`. A Retry-After
 * is a floor under the delay, never shortened by jitter; beyond `maxRetryAfter` the policy gives up.
 */
export const retryPolicy = (options: RetryOptions): Schedule.Schedule<unknown, Retryable> => {
  const maxRetryAfterMs = Duration.toMillis(options.maxRetryAfter ?? "10 seconds")
  return Schedule.exponential(options.base ?? "200 millis", options.factor ?? 2).pipe(
    Schedule.jittered,
    Schedule.intersect(Schedule.recurs(options.retries ?? 3)),
    Schedule.intersect(Schedule.identity<Retryable>()),
    Schedule.whileInput((error: Retryable) =>
      options.retryable.has(error._tag) && (error.retryAfterMs ?? 0) <= maxRetryAfterMs
    ),
    Schedule.modifyDelay(([, error], delay) =>
      error.retryAfterMs === undefined ? delay : Duration.max(delay, Duration.millis(error.retryAfterMs))
    )
  )
}

const tags = <Tag extends string>(...names: ReadonlyArray<Tag>): ReadonlySet<string> => new Set(names)

// The limiter's store being down is as transient as the downstream being down.
export const richpanelRetryable = tags<(RichpanelError | RateLimiterUnavailable)["_tag"]>(
  "RichpanelRateLimited",
  "RichpanelTransient",
  "RateLimiterUnavailable"
)
export const openaiRetryable = tags<(ClassifierError | RateLimiterUnavailable)["_tag"]>(
  "ClassifierRateLimited",
  "ClassifierTransient",
  "RateLimiterUnavailable"
)
export const shopifyRetryable = tags<(ShopifyError | RateLimiterUnavailable)["_tag"]>(
  "ShopifyRateLimited",
  "ShopifyTransient",
  "RateLimiterUnavailable"
)

export const richpanelRetry = retryPolicy({ retryable: richpanelRetryable })
/**
 * For a customer reply only answers that prove nothing was sent may be retried in place: a 429 or a limiter
 * hiccup. A transient error after send-message is an unknown outcome — retrying it could send the reply twice.
 */
export const richpanelReplyRetry = retryPolicy({
  retryable: tags<(RichpanelError | RateLimiterUnavailable)["_tag"]>("RichpanelRateLimited", "RateLimiterUnavailable")
})
export const openaiRetry = retryPolicy({ retryable: openaiRetryable })
export const shopifyRetry = retryPolicy({ retryable: shopifyRetryable })

export interface CallOptions<E> {
  readonly retry: Schedule.Schedule<unknown, Retryable>
  /** Which errors count towards opening the breaker: outages, not answers such as a 404 or a 429. */
  readonly isBreakerFailure: (error: E) => boolean
  /** Tokens the call takes (Shopify query cost); default 1. */
  readonly cost?: number
}

/** A 429 / THROTTLED answer: it carries a Retry-After, or its tag says so (`RichpanelRateLimited`, …). */
const isThrottled = (error: Retryable) => error.retryAfterMs !== undefined || error._tag.endsWith("RateLimited")

/**
 * Per attempt that reaches the downstream (not one the limiter or an open breaker stopped): calls, errors, 429s.
 * A stand-in for a downstream without a key (`LiveDownstreams`) is not counted.
 */
const metered = <A, E extends Retryable, R>(downstream: Downstream, call: Effect.Effect<A, E, R>) =>
  Effect.flatMap(LiveDownstreams, (live) => live.has(downstream) ? countedCall(downstream, call) : call)

const countedCall = <A, E extends Retryable, R>(downstream: Downstream, call: Effect.Effect<A, E, R>) =>
  Metrics.count("DownstreamCalls", { Downstream: downstream }).pipe(
    Effect.zipRight(call),
    Effect.tapError((error) =>
      Metrics.count("DownstreamErrors", { Downstream: downstream }).pipe(
        Effect.zipRight(isThrottled(error) ? Metrics.count("DownstreamThrottled", { Downstream: downstream }) : Effect.void)
      )
    )
  )

/**
 * One downstream call as every caller must make it (DESIGN.md §4.5): take a token, pass the breaker, call;
 * retried as a whole, so every attempt takes its own token. An error carrying `retryAfterMs` (a 429) pauses
 * the downstream for every caller sharing the limiter, not only this one.
 */
export const callDownstream = <A, E extends Retryable, R>(
  downstream: Downstream,
  call: Effect.Effect<A, E, R>,
  options: CallOptions<E>
): Effect.Effect<A, E | RateLimiterUnavailable | CircuitOpen, R | RateLimiter | CircuitBreaker> =>
  Effect.gen(function*() {
    const limiter = yield* RateLimiter
    const breaker = yield* CircuitBreaker
    const pauseOn429 = (error: E) =>
      error.retryAfterMs === undefined ? Effect.void : Clock.currentTimeMillis.pipe(
        Effect.flatMap((now) => limiter.pauseUntil(downstream, now + (error.retryAfterMs ?? 0))),
        // The caller's own retry still honours Retry-After; losing the shared pause must not hide the 429.
        Effect.catchAll((cause) => Effect.logWarning("could not record Retry-After pause", cause))
      )
    const once = limiter.acquire(downstream, options.cost).pipe(
      Effect.zipRight(breaker.protect(downstream, Effect.tapError(metered(downstream, call), pauseOn429), options.isBreakerFailure))
    )
    return yield* Effect.retry(once, options.retry)
  }).pipe(Effect.withSpan("RetryPolicies.callDownstream", { attributes: { downstream } }))
