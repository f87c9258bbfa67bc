import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Record from "effect/Record"
import * as Ref from "effect/Ref"
import type { Downstream } from "../services/Downstream.js"
import { type RateLimit, RateLimiter } from "../services/RateLimiter.js"

/** One downstream's bucket as plain data, so the DynamoDB layer stores exactly what this one keeps in memory. */
export interface BucketState {
  /** Leaky-bucket mode (`capacity` set): tokens available at `refilledAt` (epoch ms). */
  readonly tokens: number
  readonly refilledAt: number
  /** Window mode: `[epoch ms, cost]` of the spends still inside the window, oldest first. */
  readonly spent: ReadonlyArray<readonly [number, number]>
  /** Epoch ms before which nothing may be sent (a downstream's Retry-After). */
  readonly pausedUntil: number
}

/** Either the bucket after taking the tokens, or the instant at which asking again can succeed. */
export type Take =
  | { readonly _tag: "Taken"; readonly state: BucketState }
  | { readonly _tag: "Wait"; readonly until: number }

// Float refill arithmetic must not make a token that is due look 1 ms late.
const epsilon = 1e-9

export const defaultLimits: Record<Downstream, RateLimit> = {
  // 500 ms of guard (≈ 1.6 % of the quota) covers DynamoDB round trips, a cold TLS handshake and clock skew
  // between Lambdas; the benchmark saw 429s at window edges without it and none with 100 ms.
  richpanel: { limit: 50, intervalMs: 30_000, guardMs: 500 },
  // OpenAI enforces per-minute limits over shorter sub-intervals: a small burst refilling steadily fits it.
  openai: { limit: 500, intervalMs: 60_000, capacity: 10 },
  shopify: { limit: 50, intervalMs: 1_000, capacity: 1_000 }
}

export const initialBucket = (limit: RateLimit, now: number): BucketState => ({
  tokens: limit.capacity ?? limit.limit,
  refilledAt: now,
  spent: [],
  pausedUntil: 0
})

const takeLeaky = (limit: RateLimit, capacity: number, state: BucketState, cost: number, now: number): Take => {
  const rate = limit.limit / limit.intervalMs
  // Workers' clocks differ a little: never refill backwards, never count the same interval twice.
  const refilledAt = Math.max(state.refilledAt, now)
  const tokens = Math.min(capacity, state.tokens + (refilledAt - state.refilledAt) * rate)
  return tokens + epsilon >= cost
    ? { _tag: "Taken", state: { ...state, tokens: Math.max(0, tokens - cost), refilledAt } }
    : { _tag: "Wait", until: refilledAt + Math.ceil((cost - tokens) / rate - epsilon) }
}

// A sliding log rather than a refilling counter: "50 per 30 s" then holds in every 30 s window, not just on
// average (a full bucket of 50 refilling continuously would let ~100 through in the first 30 s).
const takeWindow = (limit: RateLimit, state: BucketState, cost: number, now: number): Take => {
  const window = limit.intervalMs + (limit.guardMs ?? 0)
  const spent = state.spent.filter(([at]) => at > now - window)
  let used = spent.reduce((sum, [, c]) => sum + c, 0)
  if (used + cost <= limit.limit + epsilon) {
    // Kept in order even when another worker's clock ran ahead, so entries leave the window oldest first.
    const at = Math.max(now, spent.at(-1)?.[0] ?? now)
    return { _tag: "Taken", state: { ...state, spent: [...spent, [at, cost]] } }
  }
  for (const [at, c] of spent) {
    used -= c
    if (used + cost <= limit.limit + epsilon) return { _tag: "Wait", until: at + window }
  }
  return { _tag: "Wait", until: now + window } // unreachable: `checkCost` keeps cost ≤ limit
}

export const take = (limit: RateLimit, state: BucketState, cost: number, now: number): Take =>
  now < state.pausedUntil
    ? { _tag: "Wait", until: state.pausedUntil }
    : limit.capacity === undefined
    ? takeWindow(limit, state, cost, now)
    : takeLeaky(limit, limit.capacity, state, cost, now)

/** Pauses only ever grow: a shorter Retry-After arriving later must not cut an earlier, longer one short. */
export const pause = (state: BucketState, untilEpochMs: number): BucketState => ({
  ...state,
  pausedUntil: Math.max(state.pausedUntil, untilEpochMs)
})

/** A cost the bucket can never hold would wait forever: that is a caller bug. */
export const checkCost = (downstream: Downstream, limit: RateLimit, cost: number) =>
  cost >= 0 && cost <= (limit.capacity ?? limit.limit)
    ? Effect.void
    : Effect.dieMessage(`RateLimiter: cost ${cost} does not fit the ${downstream} bucket`)

/**
 * Buckets in this process only (tests, the local runtime). Callers of one downstream queue on a mutex in
 * arrival order; the one at the head sleeps until its tokens are due, so nothing polls.
 */
export const layer = (limits: Record<Downstream, RateLimit>) =>
  Layer.effect(
    RateLimiter,
    Effect.gen(function*() {
      const now = yield* Clock.currentTimeMillis
      const buckets = yield* Effect.all(Record.map(limits, (limit) =>
        Effect.all({ state: Ref.make(initialBucket(limit, now)), mutex: Effect.makeSemaphore(1) })))

      const acquire = Effect.fnUntraced(function*(downstream: Downstream, cost: number = 1) {
        const limit = limits[downstream]
        const { mutex, state } = buckets[downstream]
        yield* checkCost(downstream, limit, cost)
        yield* mutex.withPermits(1)(Effect.gen(function*() {
          while (true) {
            const now = yield* Clock.currentTimeMillis
            const next = yield* Ref.modify(state, (s) => {
              const result = take(limit, s, cost, now)
              return [result, result._tag === "Taken" ? result.state : s]
            })
            if (next._tag === "Taken") return
            // Nothing wakes us early; a pause set while we sleep is seen on the next look.
            yield* Effect.sleep(Duration.millis(next.until - now))
          }
        }))
      })

      const pauseUntil = (downstream: Downstream, untilEpochMs: number) =>
        Ref.update(buckets[downstream].state, (s) => pause(s, untilEpochMs))

      return { acquire, pauseUntil }
    })
  )

export const layerDefault = layer(defaultLimits)
