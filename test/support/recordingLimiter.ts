import { Clock, Effect, Fiber, Option, Ref, TestClock } from "effect"
import type { Downstream } from "../../src/services/Downstream.js"
import { RateLimiter } from "../../src/services/RateLimiter.js"

export type LimiterCall =
  | { readonly op: "acquire"; readonly downstream: Downstream; readonly cost: number; readonly at: number }
  | { readonly op: "pause"; readonly downstream: Downstream; readonly until: number; readonly at: number }

/** A limiter that never waits and records every call with the (Test)Clock's time: what a client told it. */
export const recordingLimiter = Effect.gen(function*() {
  const calls = yield* Ref.make<ReadonlyArray<LimiterCall>>([])
  const record = (call: (at: number) => LimiterCall) =>
    Effect.flatMap(Clock.currentTimeMillis, (at) => Ref.update(calls, (all) => [...all, call(at)]))
  const limiter = RateLimiter.of({
    acquire: (downstream, cost = 1) => record((at) => ({ op: "acquire", downstream, cost, at })),
    pauseUntil: (downstream, until) => record((at) => ({ op: "pause", downstream, until, at }))
  })
  return {
    limiter,
    attempts: Effect.map(Ref.get(calls), (all) => all.filter((c) => c.op === "acquire")),
    pauses: Effect.map(Ref.get(calls), (all) => all.filter((c) => c.op === "pause"))
  }
})

/**
 * Runs `self` with real I/O under the TestClock: whenever a retry sleeps, the clock jumps to its wake-up time
 * (virtual, so a 3 s Retry-After costs nothing); a request in flight only arms its 10 s timeout, which is never
 * jumped to, so it cannot fire spuriously.
 */
export const virtual = <A, E, R>(self: Effect.Effect<A, E, R>) =>
  Effect.gen(function*() {
    const fiber = yield* Effect.fork(self)
    for (;;) {
      const done = yield* Fiber.poll(fiber)
      if (Option.isSome(done)) return yield* done.value
      const now = yield* Clock.currentTimeMillis
      const next = Math.min(...(yield* TestClock.sleeps()))
      if (next - now < 9_000) yield* TestClock.setTime(next)
      else yield* Effect.promise(() => new Promise((resolve) => setTimeout(resolve, 2)))
    }
  })
