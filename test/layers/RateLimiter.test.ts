import { describe, expect, it } from "@effect/vitest"
import { Clock, Effect, Exit, Fiber, Layer, Option, TestClock } from "effect"
import { layerEndpoint } from "../../src/layers/DynamoClient.js"
import * as RateLimiterDynamo from "../../src/layers/RateLimiterDynamo.js"
import * as RateLimiterMemory from "../../src/layers/RateLimiterMemory.js"
import type { Downstream } from "../../src/services/Downstream.js"
import { type RateLimit, RateLimiter } from "../../src/services/RateLimiter.js"
import { closedEndpoint, DynaliteClient } from "../support/dynalite.js"

const limits = (overrides: Partial<Record<Downstream, RateLimit>>): Record<Downstream, RateLimit> => ({
  ...RateLimiterMemory.defaultLimits,
  ...overrides
})

/** Acquires, then reports the Clock at which it was let through. */
const acquiredAt = (downstream: Downstream, cost?: number) =>
  Effect.flatMap(RateLimiter, (limiter) => Effect.zipRight(limiter.acquire(downstream, cost), Clock.currentTimeMillis))

/** The most acquisitions that fall in any half-open window `[t, t + windowMs)`. */
/** Tokens come back one window plus this guard after they were spent (see `RateLimit.guardMs`). */
const GUARD = RateLimiterMemory.defaultLimits.richpanel.guardMs ?? 0

const busiestWindow = (times: ReadonlyArray<number>, windowMs: number) => {
  const sorted = [...times].sort((a, b) => a - b)
  return Math.max(...sorted.map((start) => sorted.filter((t) => t >= start && t < start + windowMs).length))
}

describe("RateLimiterMemory", () => {
  it.effect("the 51st Richpanel request in a 30 s window waits until the oldest token comes back (plus the guard)", () =>
    Effect.gen(function*() {
      for (let i = 0; i < 10; i++) expect(yield* acquiredAt("richpanel")).toBe(0)
      yield* TestClock.adjust("10 seconds")
      for (let i = 0; i < 40; i++) expect(yield* acquiredAt("richpanel")).toBe(10_000)
      const next = yield* Effect.fork(Effect.all(Array.from({ length: 11 }, () => acquiredAt("richpanel"))))
      yield* TestClock.adjust(20_000 + GUARD - 1)
      expect(yield* Fiber.poll(next)).toEqual(Option.none())
      yield* TestClock.adjust("1 millis")
      // The ten spent at 0 come back at 30 s + guard; the eleventh waits for those spent at 10 s.
      yield* TestClock.adjust("10 seconds")
      expect(yield* Fiber.join(next)).toEqual([...Array(10).fill(30_000 + GUARD), 40_000 + GUARD])
    }).pipe(Effect.provide(RateLimiterMemory.layerDefault)))

  it.effect("100 concurrent callers never see more than 50 in any 30 s window, nor wait longer than needed", () =>
    Effect.gen(function*() {
      // Caller i arrives at i × 500 ms.
      const callers = yield* Effect.forEach(
        Array.from({ length: 100 }, (_, i) => i),
        (i) => Effect.fork(Effect.zipRight(Effect.sleep(i * 500), acquiredAt("richpanel")))
      )
      yield* TestClock.adjust("2 minutes")
      const times = yield* Fiber.join(Fiber.all(callers))
      expect(busiestWindow(times, 30_000)).toBe(50)
      const expected = times.map((_, i) => (i < 50 ? i * 500 : 30_000 + GUARD + (i - 50) * 500))
      expect(times).toEqual(expected)
    }).pipe(Effect.provide(RateLimiterMemory.layerDefault)))

  it.effect("callers are let through in arrival order", () =>
    Effect.gen(function*() {
      const callers = yield* Effect.forEach(["a", "b", "c"], (name) =>
        Effect.fork(Effect.map(acquiredAt("richpanel"), (at) => [name, at] as const)))
      yield* TestClock.adjust("3 seconds")
      expect(yield* Fiber.join(Fiber.all(callers))).toEqual([["a", 0], ["b", 1_000], ["c", 2_000]])
    }).pipe(Effect.provide(RateLimiterMemory.layer(limits({ richpanel: { limit: 1, intervalMs: 1_000 } })))))

  it.effect("pauseUntil holds every caller of that downstream, including one already waiting for a token", () =>
    Effect.gen(function*() {
      const limiter = yield* RateLimiter
      yield* limiter.acquire("richpanel")
      const waiting = yield* Effect.fork(acquiredAt("richpanel"))
      yield* TestClock.adjust("500 millis")
      yield* limiter.pauseUntil("richpanel", 10_000)
      const later = yield* Effect.fork(Effect.all([acquiredAt("richpanel"), acquiredAt("richpanel")]))
      expect(yield* acquiredAt("openai")).toBe(500)
      yield* TestClock.adjust("9499 millis")
      expect(yield* Fiber.poll(waiting)).toEqual(Option.none())
      expect(yield* Fiber.poll(later)).toEqual(Option.none())
      // A shorter pause arriving later does not cut the first one short.
      yield* limiter.pauseUntil("richpanel", 2_000)
      yield* TestClock.adjust("1 millis")
      expect(yield* Fiber.join(waiting)).toBe(10_000)
      yield* TestClock.adjust("2 seconds")
      expect(yield* Fiber.join(later)).toEqual([11_000, 12_000])
    }).pipe(Effect.provide(RateLimiterMemory.layer(limits({ richpanel: { limit: 1, intervalMs: 1_000 } })))))

  it.effect("Shopify is a 1000-point bucket restoring 50 points per second", () =>
    Effect.gen(function*() {
      expect(yield* acquiredAt("shopify", 1_000)).toBe(0)
      const next = yield* Effect.fork(Effect.all([acquiredAt("shopify", 100), acquiredAt("shopify", 50)]))
      yield* TestClock.adjust("1999 millis")
      expect(yield* Fiber.poll(next)).toEqual(Option.none())
      yield* TestClock.adjust("1001 millis")
      expect(yield* Fiber.join(next)).toEqual([2_000, 3_000])
      // A long idle refills to the capacity, not beyond it.
      yield* TestClock.adjust("1 hour")
      const now = yield* Clock.currentTimeMillis
      expect(yield* acquiredAt("shopify", 1_000)).toBe(now)
      const one = yield* Effect.fork(acquiredAt("shopify", 1))
      yield* TestClock.adjust("20 millis")
      expect(yield* Fiber.join(one)).toBe(now + 20)
    }).pipe(Effect.provide(RateLimiterMemory.layerDefault)))

  it.effect("a cost the bucket can never hold is a defect, not an endless wait", () =>
    Effect.gen(function*() {
      const limiter = yield* RateLimiter
      const exit = yield* Effect.exit(limiter.acquire("richpanel", 51))
      expect(Exit.isFailure(exit) && exit.cause._tag === "Die").toBe(true)
    }).pipe(Effect.provide(RateLimiterMemory.layerDefault)))
})

// dynalite does real I/O, which the TestClock cannot wait for, so these run on the live clock with small limits.
const fast = limits({
  richpanel: { limit: 10, intervalMs: 1_000 },
  shopify: { limit: 50, intervalMs: 1_000, capacity: 5 }
})

/** A simulated Lambda: its own limiter instance on the shared table, `count` acquisitions one after another. */
const worker = (count: number) =>
  Effect.forEach(Array.from({ length: count }), () =>
    Effect.gen(function*() {
      const before = yield* Clock.currentTimeMillis
      yield* (yield* RateLimiter).acquire("richpanel")
      return { before, after: yield* Clock.currentTimeMillis }
    })).pipe(Effect.provide(RateLimiterDynamo.layer(fast)))

describe("RateLimiterDynamo", () => {
  it.live("4 workers with their own limiter share one global limit", () =>
    Effect.gen(function*() {
      const started = yield* Clock.currentTimeMillis
      const spans = (yield* Effect.all([worker(6), worker(6), worker(6), worker(6)], { concurrency: 4 })).flat()
      const elapsed = (yield* Clock.currentTimeMillis) - started
      expect(spans).toHaveLength(24)
      // Each token is taken at some instant within [before, after] of its call. Sorting both ends, the
      // (i + 10)-th call to return cannot have done so within 1 s of the i-th call starting; a per-worker
      // bucket (40 at once) fails this at i = 0.
      const befores = spans.map((s) => s.before).sort((a, b) => a - b)
      const afters = spans.map((s) => s.after).sort((a, b) => a - b)
      for (let i = 0; i + 10 < spans.length; i++) {
        expect(afters[i + 10]! - befores[i]!).toBeGreaterThanOrEqual(1_000)
      }
      // 24 tokens at 10 per second: two refills, and no more.
      expect(elapsed).toBeGreaterThanOrEqual(2_000)
      expect(elapsed).toBeLessThan(4_000)
      yield* Effect.logInfo(`4 workers, 24 acquisitions: ${elapsed} ms`)
    }).pipe(Effect.provide(DynaliteClient)))

  it.live("a pause set by one worker holds the others", () =>
    Effect.gen(function*() {
      const paused = yield* Effect.gen(function*() {
        const now = yield* Clock.currentTimeMillis
        yield* (yield* RateLimiter).pauseUntil("richpanel", now + 300)
        return now
      }).pipe(Effect.provide(RateLimiterDynamo.layer(fast)))
      const [span] = yield* worker(1)
      expect(span!.after - paused).toBeGreaterThanOrEqual(300)
    }).pipe(Effect.provide(DynaliteClient)))

  it.live("a leaky bucket refills across workers", () =>
    Effect.gen(function*() {
      const take = Effect.gen(function*() {
        const before = yield* Clock.currentTimeMillis
        yield* (yield* RateLimiter).acquire("shopify", 5)
        return { before, after: yield* Clock.currentTimeMillis }
      }).pipe(Effect.provide(RateLimiterDynamo.layer(fast)))
      const first = yield* take
      const second = yield* take
      // 5 points at 50 per second come back after 100 ms.
      expect(second.after - first.before).toBeGreaterThanOrEqual(100)
      expect(second.after - first.before).toBeLessThan(1_000)
    }).pipe(Effect.provide(DynaliteClient)))

  it.live("an unreachable store fails with RateLimiterUnavailable", () =>
    Effect.gen(function*() {
      const endpoint = yield* Effect.promise(closedEndpoint)
      const errors = yield* Effect.gen(function*() {
        const limiter = yield* RateLimiter
        return yield* Effect.all([Effect.flip(limiter.acquire("openai")), Effect.flip(limiter.pauseUntil("openai", 1))])
      }).pipe(Effect.provide(RateLimiterDynamo.layer(fast).pipe(Layer.provide(layerEndpoint(endpoint)))))
      expect(errors.map((e) => [e._tag, e.downstream])).toEqual([
        ["RateLimiterUnavailable", "openai"],
        ["RateLimiterUnavailable", "openai"]
      ])
    }))
})
