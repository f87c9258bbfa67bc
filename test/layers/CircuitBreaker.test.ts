import { describe, expect, it } from "@effect/vitest"
import { Data, Deferred, Effect, Exit, Fiber, Ref, TestClock } from "effect"
import * as CircuitBreakerMemory from "../../src/layers/CircuitBreakerMemory.js"
import { BreakerState, CircuitBreaker, CircuitOpen } from "../../src/services/CircuitBreaker.js"

class Outage extends Data.TaggedError("Outage")<{}> {}
class NotFound extends Data.TaggedError("NotFound")<{}> {}
type CallError = Outage | NotFound
const isOutage = (error: CallError) => error._tag === "Outage"

/** A breaker plus a call counter, so a test can tell a fail-fast from a call that ran and failed. */
const setup = Effect.gen(function*() {
  const breaker = yield* CircuitBreaker
  const calls = yield* Ref.make(0)
  const call = (result: Effect.Effect<string, CallError>) =>
    breaker.protect("richpanel", Effect.zipRight(Ref.update(calls, (n) => n + 1), result), isOutage)
  const fail = (error: CallError) => Effect.flip(call(Effect.fail(error)))
  return { breaker, calls, call, fail }
})

const run = <A, E>(self: Effect.Effect<A, E, CircuitBreaker>, options?: CircuitBreakerMemory.CircuitBreakerOptions) =>
  Effect.provide(self, CircuitBreakerMemory.layer(options))

describe("CircuitBreakerMemory", () => {
  it.effect("opens after 5 consecutive counted failures and then fails fast without calling", () =>
    run(Effect.gen(function*() {
      const { breaker, call, calls, fail } = yield* setup
      for (let i = 1; i <= 4; i++) {
        expect(yield* fail(new Outage())).toEqual(new Outage())
        expect(yield* breaker.state("richpanel")).toEqual(BreakerState.Closed({ consecutiveFailures: i }))
      }
      yield* TestClock.adjust("1 second")
      yield* fail(new Outage())
      expect(yield* breaker.state("richpanel")).toEqual(BreakerState.Open({ until: 31_000 }))
      expect(yield* Effect.flip(call(Effect.succeed("ok")))).toEqual(
        new CircuitOpen({ downstream: "richpanel", retryAt: 31_000 })
      )
      expect(yield* Ref.get(calls)).toBe(5)
    })))

  it.effect("failures it is told not to count neither open it nor keep a streak going", () =>
    run(Effect.gen(function*() {
      const { breaker, fail } = yield* setup
      for (let i = 0; i < 4; i++) yield* fail(new Outage())
      for (let i = 0; i < 10; i++) expect(yield* fail(new NotFound())).toEqual(new NotFound())
      expect(yield* breaker.state("richpanel")).toEqual(BreakerState.Closed({ consecutiveFailures: 0 }))
      for (let i = 0; i < 4; i++) yield* fail(new Outage())
      expect(yield* breaker.state("richpanel")).toEqual(BreakerState.Closed({ consecutiveFailures: 4 }))
    })))

  it.effect("a success resets the streak", () =>
    run(Effect.gen(function*() {
      const { breaker, call, fail } = yield* setup
      for (let i = 0; i < 4; i++) yield* fail(new Outage())
      expect(yield* call(Effect.succeed("ok"))).toBe("ok")
      for (let i = 0; i < 4; i++) yield* fail(new Outage())
      expect(yield* breaker.state("richpanel")).toEqual(BreakerState.Closed({ consecutiveFailures: 4 }))
    })))

  it.effect("half-open after openMs lets one trial through; its success closes the breaker", () =>
    run(Effect.gen(function*() {
      const { breaker, call, calls, fail } = yield* setup
      for (let i = 0; i < 5; i++) yield* fail(new Outage())
      yield* TestClock.adjust("29999 millis")
      expect(yield* breaker.state("richpanel")).toEqual(BreakerState.Open({ until: 30_000 }))
      yield* TestClock.adjust("1 millis")
      expect(yield* breaker.state("richpanel")).toEqual(BreakerState.HalfOpen())

      const release = yield* Deferred.make<string>()
      const trial = yield* Effect.fork(call(Deferred.await(release)))
      yield* TestClock.adjust("0 millis")
      // While the trial is out, everyone else still fails fast.
      expect(yield* Effect.flip(call(Effect.succeed("second")))).toEqual(
        new CircuitOpen({ downstream: "richpanel", retryAt: 60_000 })
      )
      yield* Deferred.succeed(release, "trial")
      expect(yield* Fiber.join(trial)).toBe("trial")
      expect(yield* breaker.state("richpanel")).toEqual(BreakerState.Closed({ consecutiveFailures: 0 }))
      expect(yield* call(Effect.succeed("after"))).toBe("after")
      expect(yield* Ref.get(calls)).toBe(7)
    })))

  it.effect("a failed trial re-opens it for another openMs", () =>
    run(Effect.gen(function*() {
      const { breaker, call, calls, fail } = yield* setup
      for (let i = 0; i < 5; i++) yield* fail(new Outage())
      yield* TestClock.adjust("30 seconds")
      expect(yield* fail(new Outage())).toEqual(new Outage())
      expect(yield* breaker.state("richpanel")).toEqual(BreakerState.Open({ until: 60_000 }))
      expect(yield* Effect.flip(call(Effect.succeed("ok")))).toEqual(
        new CircuitOpen({ downstream: "richpanel", retryAt: 60_000 })
      )
      expect(yield* Ref.get(calls)).toBe(6)
    })))

  it.effect("an uncounted failure in the trial closes it: the downstream answered", () =>
    run(Effect.gen(function*() {
      const { breaker, fail } = yield* setup
      for (let i = 0; i < 5; i++) yield* fail(new Outage())
      yield* TestClock.adjust("30 seconds")
      yield* fail(new NotFound())
      expect(yield* breaker.state("richpanel")).toEqual(BreakerState.Closed({ consecutiveFailures: 0 }))
    })))

  it.effect("an interrupted trial frees the half-open slot without deciding", () =>
    run(Effect.gen(function*() {
      const { breaker, call, fail } = yield* setup
      for (let i = 0; i < 5; i++) yield* fail(new Outage())
      yield* TestClock.adjust("30 seconds")
      const trial = yield* Effect.fork(call(Effect.never))
      yield* TestClock.adjust("0 millis")
      yield* Fiber.interrupt(trial)
      expect(yield* breaker.state("richpanel")).toEqual(BreakerState.HalfOpen())
      expect(yield* call(Effect.succeed("next trial"))).toBe("next trial")
      expect(yield* breaker.state("richpanel")).toEqual(BreakerState.Closed({ consecutiveFailures: 0 }))
    })))

  it.effect("a late failure from a call admitted before the breaker opened does not decide the trial", () =>
    run(Effect.gen(function*() {
      const { breaker, call, fail } = yield* setup
      const late = yield* Effect.fork(call(Effect.zipRight(Effect.sleep("40 seconds"), Effect.fail(new Outage()))))
      yield* TestClock.adjust("0 millis")
      for (let i = 0; i < 5; i++) yield* fail(new Outage())
      yield* TestClock.adjust("30 seconds")
      const release = yield* Deferred.make<string>()
      const trial = yield* Effect.fork(call(Deferred.await(release)))
      yield* TestClock.adjust("10 seconds")
      expect(yield* Fiber.await(late)).toEqual(Exit.fail(new Outage()))
      expect(yield* breaker.state("richpanel")).toEqual(BreakerState.HalfOpen())
      yield* Deferred.succeed(release, "trial")
      expect(yield* Fiber.join(trial)).toBe("trial")
      expect(yield* breaker.state("richpanel")).toEqual(BreakerState.Closed({ consecutiveFailures: 0 }))
    })))

  it.effect("breakers are per downstream", () =>
    run(Effect.gen(function*() {
      const { breaker, fail } = yield* setup
      yield* fail(new Outage())
      expect(yield* breaker.state("richpanel")).toEqual(BreakerState.Open({ until: 1_000 }))
      expect(yield* breaker.state("openai")).toEqual(BreakerState.Closed({ consecutiveFailures: 0 }))
      expect(yield* breaker.protect("openai", Effect.succeed(1), () => true)).toBe(1)
    }), { failureThreshold: 1, openMs: 1_000 }))

  it.effect("halfOpenMaxCalls trials may run at once", () =>
    run(Effect.gen(function*() {
      const { call, fail } = yield* setup
      yield* fail(new Outage())
      yield* TestClock.adjust("1 second")
      const trials = yield* Effect.fork(Effect.all([call(Effect.never), call(Effect.never)], { concurrency: 2 }))
      yield* TestClock.adjust("0 millis")
      expect(yield* Effect.flip(call(Effect.succeed("third")))).toEqual(
        new CircuitOpen({ downstream: "richpanel", retryAt: 2_000 })
      )
      yield* Fiber.interrupt(trials)
    }), { failureThreshold: 1, openMs: 1_000, halfOpenMaxCalls: 2 }))
})
