import { describe, expect, it } from "@effect/vitest"
import { Clock, Effect, Exit, Fiber, Layer, Option, Random, Ref, TestClock } from "effect"
import * as CircuitBreakerMemory from "../../src/layers/CircuitBreakerMemory.js"
import * as RateLimiterMemory from "../../src/layers/RateLimiterMemory.js"
import {
  callDownstream,
  openaiRetry,
  type Retryable,
  richpanelRetry,
  shopifyRetry
} from "../../src/programs/RetryPolicies.js"
import { ClassifierRejected, ClassifierTransient } from "../../src/services/Classifier.js"
import { CircuitOpen } from "../../src/services/CircuitBreaker.js"
import { RateLimiter, RateLimiterUnavailable } from "../../src/services/RateLimiter.js"
import {
  type RichpanelError,
  RichpanelNotFound,
  RichpanelRateLimited,
  RichpanelTransient
} from "../../src/services/Richpanel.js"

/** A call that fails with `errors` in turn, then succeeds, recording each attempt's time since it was made. */
const scripted = <E>(errors: ReadonlyArray<E>) =>
  Effect.gen(function*() {
    const start = yield* Clock.currentTimeMillis
    const attempts = yield* Ref.make<ReadonlyArray<number>>([])
    const call = Effect.gen(function*() {
      const now = yield* Clock.currentTimeMillis
      const n = (yield* Ref.getAndUpdate(attempts, (all) => [...all, now - start])).length
      const error = errors[n]
      return error === undefined ? "ok" : yield* Effect.fail(error)
    })
    return { attempts, call }
  })

/** Runs `self` in a fiber, lets `ms` of TestClock time pass, and returns how it ended (None: still running). */
const after = <A, E, R>(ms: number, self: Effect.Effect<A, E, R>) =>
  Effect.gen(function*() {
    const fiber = yield* Effect.fork(self)
    yield* TestClock.adjust(ms)
    return yield* Fiber.poll(fiber)
  })

// Jitter multiplies each delay by 0.8 + 0.4 × random: 0.5 gives the plain exponential.
const noJitter = Effect.withRandom(Random.fixed([0.5]))
const transient = new RichpanelTransient({ reason: "503", status: 503 })

describe("retry policies", () => {
  it.effect("retry 3 times, 200 ms doubling, then give up with the last error", () =>
    Effect.gen(function*() {
      const { attempts, call } = yield* scripted(Array(10).fill(transient))
      const exit = yield* after(10_000, Effect.retry(call, richpanelRetry))
      expect(exit).toEqual(Option.some(Exit.fail(transient)))
      expect(yield* Ref.get(attempts)).toEqual([0, 200, 600, 1_400])
    }).pipe(noJitter))

  it.effect("jitter stays within 80–120 % of each backoff step", () =>
    Effect.gen(function*() {
      for (const [random, times] of [[0, [0, 160, 480, 1_120]], [1, [0, 240, 720, 1_680]]] as const) {
        const { attempts, call } = yield* scripted(Array(10).fill(transient))
        yield* after(10_000, Effect.retry(call, richpanelRetry).pipe(Effect.withRandom(Random.fixed([random]))))
        expect(yield* Ref.get(attempts)).toEqual(times)
      }
    }))

  it.effect("a success on a retry ends it", () =>
    Effect.gen(function*() {
      const { attempts, call } = yield* scripted([new ClassifierTransient({ reason: "timeout" })])
      expect(yield* after(1_000, Effect.retry(call, openaiRetry))).toEqual(Option.some(Exit.succeed("ok")))
      expect(yield* Ref.get(attempts)).toEqual([0, 200])
    }).pipe(noJitter))

  it.effect("Retry-After is a floor under the delay, never shortened", () =>
    Effect.gen(function*() {
      const { attempts, call } = yield* scripted([
        new RichpanelRateLimited({ retryAfterMs: 5_000 }),
        new RichpanelRateLimited({ retryAfterMs: 50 })
      ])
      const fiber = yield* Effect.fork(Effect.retry(call, richpanelRetry).pipe(Effect.withRandom(Random.fixed([1]))))
      yield* TestClock.adjust(4_999)
      expect(yield* Ref.get(attempts)).toEqual([0])
      yield* TestClock.adjust(1_000)
      expect(yield* Fiber.join(fiber)).toBe("ok")
      // The second hint (50 ms) is below the backoff step (400 ms × 1.2), which wins.
      expect(yield* Ref.get(attempts)).toEqual([0, 5_000, 5_480])
    }))

  it.effect("a Retry-After beyond 10 s is not waited out (it would outlast the message deadline): the message waits on the queue", () =>
    Effect.gen(function*() {
      const tooLong = new RichpanelRateLimited({ retryAfterMs: 10_001 })
      const { attempts, call } = yield* scripted([tooLong])
      expect(yield* after(0, Effect.retry(call, richpanelRetry))).toEqual(Option.some(Exit.fail(tooLong)))
      expect(yield* Ref.get(attempts)).toEqual([0])

      const { attempts: atCap, call: callAtCap } = yield* scripted([new RichpanelRateLimited({ retryAfterMs: 10_000 })])
      expect(yield* after(10_000, Effect.retry(callAtCap, richpanelRetry))).toEqual(Option.some(Exit.succeed("ok")))
      expect(yield* Ref.get(atCap)).toEqual([0, 10_000])
    }).pipe(noJitter))

  it.effect("errors outside the retryable tags fail at once", () =>
    Effect.gen(function*() {
      const cases: ReadonlyArray<readonly [Retryable, typeof richpanelRetry]> = [
        [new RichpanelNotFound({ resource: "ticket" }), richpanelRetry],
        [new ClassifierRejected({ reason: "400", status: 400 }), openaiRetry],
        [new CircuitOpen({ downstream: "richpanel", retryAt: 1 }), richpanelRetry],
        // Another service's retryable tag is not this one's.
        [new ClassifierTransient({ reason: "500" }), richpanelRetry]
      ]
      for (const [error, policy] of cases) {
        const { attempts, call } = yield* scripted([error])
        expect(yield* after(0, Effect.retry(call, policy))).toEqual(Option.some(Exit.fail(error)))
        expect(yield* Ref.get(attempts)).toHaveLength(1)
      }
    }).pipe(noJitter))

  it.effect("a limiter whose store is down is retried like a transient downstream", () =>
    Effect.gen(function*() {
      for (const policy of [richpanelRetry, openaiRetry, shopifyRetry]) {
        const { attempts, call } = yield* scripted([new RateLimiterUnavailable({ downstream: "openai" })])
        expect(yield* after(1_000, Effect.retry(call, policy))).toEqual(Option.some(Exit.succeed("ok")))
        expect(yield* Ref.get(attempts)).toEqual([0, 200])
      }
    }).pipe(noJitter))
})

const limits = RateLimiterMemory.layer({
  ...RateLimiterMemory.defaultLimits,
  richpanel: { limit: 100, intervalMs: 1_000 }
})
const breakerFailure = (error: RichpanelError) => error._tag === "RichpanelTransient"

describe("callDownstream", () => {
  it.effect("a 429 with Retry-After pauses every caller of that downstream, not only the one that got it", () =>
    Effect.gen(function*() {
      const { attempts, call } = yield* scripted<RichpanelError>([new RichpanelRateLimited({ retryAfterMs: 5_000 })])
      const first = yield* Effect.fork(
        callDownstream("richpanel", call, { retry: richpanelRetry, isBreakerFailure: breakerFailure })
      )
      yield* TestClock.adjust(100)
      const other = yield* Effect.fork(callDownstream("richpanel", Clock.currentTimeMillis, {
        retry: richpanelRetry,
        isBreakerFailure: () => true
      }))
      const openai = yield* callDownstream("openai", Clock.currentTimeMillis, {
        retry: openaiRetry,
        isBreakerFailure: () => true
      })
      yield* TestClock.adjust(4_899)
      expect(yield* Fiber.poll(other)).toEqual(Option.none())
      yield* TestClock.adjust(1)
      expect(yield* Fiber.join(other)).toBe(5_000)
      expect(yield* Fiber.join(first)).toBe("ok")
      expect(yield* Ref.get(attempts)).toEqual([0, 5_000])
      expect(openai).toBe(100)
    }).pipe(noJitter, Effect.provide(Layer.merge(limits, CircuitBreakerMemory.layer()))))

  it.effect("every attempt takes its own token", () =>
    Effect.gen(function*() {
      const acquired = yield* Ref.make(0)
      const countingLimiter = Layer.succeed(RateLimiter, {
        acquire: () => Ref.update(acquired, (n) => n + 1),
        pauseUntil: () => Effect.void
      })
      const { attempts, call } = yield* scripted<RichpanelError>([transient, transient])
      const result = yield* after(
        1_000,
        callDownstream("richpanel", call, { retry: richpanelRetry, isBreakerFailure: () => false }).pipe(
          Effect.provide(Layer.merge(countingLimiter, CircuitBreakerMemory.layer()))
        )
      )
      expect(result).toEqual(Option.some(Exit.succeed("ok")))
      expect(yield* Ref.get(attempts)).toHaveLength(3)
      expect(yield* Ref.get(acquired)).toBe(3)
    }).pipe(noJitter))

  it.effect("once the breaker opens mid-retry the call stops: CircuitOpen is not retried", () =>
    Effect.gen(function*() {
      const { attempts, call } = yield* scripted<RichpanelError>(Array(10).fill(transient))
      const result = yield* after(
        10_000,
        callDownstream("richpanel", call, { retry: richpanelRetry, isBreakerFailure: breakerFailure })
      )
      // Two counted failures open it (at 200 ms); the third attempt is refused without calling.
      expect(result).toEqual(Option.some(Exit.fail(new CircuitOpen({ downstream: "richpanel", retryAt: 30_200 }))))
      expect(yield* Ref.get(attempts)).toEqual([0, 200])
    }).pipe(
      noJitter,
      Effect.provide(Layer.merge(limits, CircuitBreakerMemory.layer({ failureThreshold: 2 })))
    ))
})
