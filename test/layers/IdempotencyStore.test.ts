import { describe, expect, it, layer } from "@effect/vitest"
import { Clock, Effect, Layer, Option, TestClock, TestContext } from "effect"
import { AllTables } from "../../src/domain/Tables.js"
import { layerEndpoint } from "../../src/layers/DynamoClient.js"
import { ensureTables } from "../../src/layers/DynamoTables.js"
import * as IdempotencyStoreDynamo from "../../src/layers/IdempotencyStoreDynamo.js"
import * as IdempotencyStoreMemory from "../../src/layers/IdempotencyStoreMemory.js"
import { ClaimOutcome, IdempotencyStore } from "../../src/services/IdempotencyStore.js"
import { closedEndpoint, DynaliteClient } from "../support/dynalite.js"

const options = { leaseMs: 30_000, ttlSeconds: 3_600 }

const stores: ReadonlyArray<readonly [string, Layer.Layer<IdempotencyStore, unknown>]> = [
  ["memory", IdempotencyStoreMemory.layer],
  ["dynalite", IdempotencyStoreDynamo.layer.pipe(Layer.provide(DynaliteClient))]
]

// A suite's layer (and the TestClock built with it) is shared by its tests: give each test a TestClock that
// starts at 0, and its own keys.
const fromZero = <A, E, R>(self: Effect.Effect<A, E, R>) => Effect.provide(self, TestContext.TestContext)

// One contract, two stores.
for (const [name, store] of stores) {
  layer(store)(`IdempotencyStore (${name})`, (it) => {
    it.effect("the first claim acquires, a second sees the live lease", () =>
      fromZero(Effect.gen(function*() {
        const store = yield* IdempotencyStore
        expect(yield* store.claim("first", options)).toEqual(ClaimOutcome.Acquired({ takeover: false }))
        expect(yield* store.claim("first", options)).toEqual(ClaimOutcome.InProgress({ leaseExpiresAt: 30_000 }))
      })))

    it.effect("complete makes later claims see Completed with the data", () =>
      fromZero(Effect.gen(function*() {
        const store = yield* IdempotencyStore
        yield* store.claim("done", options)
        yield* TestClock.adjust("5 seconds")
        yield* store.complete("done", { data: { messageId: "m-1", n: 1 }, ttlSeconds: 60 })
        expect(yield* store.claim("done", options)).toEqual(
          ClaimOutcome.Completed({ data: { messageId: "m-1", n: 1 }, completedAt: 5_000 })
        )
        const record = yield* store.get("done").pipe(Effect.map(Option.getOrThrow))
        expect(record).toMatchObject({ key: "done", status: "COMPLETED", expiresAt: 65, completedAt: 5_000 })
      })))

    it.effect("complete without data stores none", () =>
      fromZero(Effect.gen(function*() {
        const store = yield* IdempotencyStore
        yield* store.claim("no-data", options)
        yield* store.complete("no-data", { ttlSeconds: 60 })
        const outcome = yield* store.claim("no-data", options)
        expect(outcome).toEqual(ClaimOutcome.Completed({ data: undefined, completedAt: 0 }))
      })))

    it.effect("release makes the key claimable again", () =>
      fromZero(Effect.gen(function*() {
        const store = yield* IdempotencyStore
        yield* store.claim("released", options)
        yield* store.release("released")
        expect(yield* store.get("released")).toEqual(Option.none())
        expect(yield* store.claim("released", options)).toEqual(ClaimOutcome.Acquired({ takeover: false }))
      })))

    it.effect("an expired lease is taken over, not before", () =>
      fromZero(Effect.gen(function*() {
        const store = yield* IdempotencyStore
        yield* store.claim("lease", { leaseMs: 1_000, ttlSeconds: 3_600 })
        yield* TestClock.adjust("1 second")
        expect(yield* store.claim("lease", options)).toEqual(ClaimOutcome.InProgress({ leaseExpiresAt: 1_000 }))
        yield* TestClock.adjust("1 millis")
        expect(yield* store.claim("lease", options)).toEqual(ClaimOutcome.Acquired({ takeover: true }))
        expect(yield* store.claim("lease", options)).toEqual(ClaimOutcome.InProgress({ leaseExpiresAt: 31_001 }))
      })))

    it.effect("an expired completed record is claimable", () =>
      fromZero(Effect.gen(function*() {
        const store = yield* IdempotencyStore
        yield* store.claim("stale", options)
        yield* store.complete("stale", { data: "ok", ttlSeconds: 60 })
        yield* TestClock.adjust("60 seconds")
        expect(yield* store.claim("stale", options)).toEqual(ClaimOutcome.Completed({ data: "ok", completedAt: 0 }))
        yield* TestClock.adjust("1 second")
        expect(yield* store.claim("stale", options)).toEqual(ClaimOutcome.Acquired({ takeover: true }))
      })))

    it.effect("get judges expiry from the timestamps", () =>
      fromZero(Effect.gen(function*() {
        const store = yield* IdempotencyStore
        yield* store.claim("expiring", { leaseMs: 1_000, ttlSeconds: 10 })
        expect(yield* store.get("expiring")).toEqual(
          Option.some({ key: "expiring", status: "IN_PROGRESS", leaseExpiresAt: 1_000, expiresAt: 10 })
        )
        yield* TestClock.adjust("11 seconds")
        expect(yield* store.get("expiring")).toEqual(Option.none())
        expect(yield* store.get("never-claimed")).toEqual(Option.none())
      })))

    it.effect("20 concurrent claims of one key: exactly one acquires", () =>
      fromZero(Effect.gen(function*() {
        const store = yield* IdempotencyStore
        const outcomes = yield* Effect.all(
          Array.from({ length: 20 }, () => store.claim("contended", options)),
          { concurrency: "unbounded" }
        )
        expect(outcomes.filter(ClaimOutcome.$is("Acquired"))).toHaveLength(1)
        expect(outcomes.filter(ClaimOutcome.$is("InProgress"))).toHaveLength(19)
      })))
  })
}

describe("IdempotencyStore (dynamo, unreachable)", () => {
  it.live("fails fast with StoreUnavailable", () =>
    Effect.gen(function*() {
      const endpoint = yield* Effect.promise(closedEndpoint)
      const started = yield* Clock.currentTimeMillis
      const errors = yield* Effect.gen(function*() {
        const store = yield* IdempotencyStore
        return yield* Effect.all([
          Effect.flip(store.claim("k", options)),
          Effect.flip(store.complete("k", { ttlSeconds: 60 })),
          Effect.flip(store.release("k")),
          Effect.flip(store.get("k"))
        ])
      }).pipe(Effect.provide(IdempotencyStoreDynamo.layer.pipe(Layer.provide(layerEndpoint(endpoint)))))
      const elapsed = (yield* Clock.currentTimeMillis) - started
      expect(errors.map((e) => [e._tag, e.operation])).toEqual([
        ["StoreUnavailable", "IdempotencyStore.claim"],
        ["StoreUnavailable", "IdempotencyStore.complete"],
        ["StoreUnavailable", "IdempotencyStore.release"],
        ["StoreUnavailable", "IdempotencyStore.get"]
      ])
      expect(elapsed).toBeLessThan(1_000)
    }))
})

layer(DynaliteClient)("ensureTables", (it) => {
  it.effect("is a no-op on existing tables and keeps their items", () =>
    fromZero(Effect.gen(function*() {
      const store = yield* IdempotencyStore
      yield* store.claim("kept", options)
      yield* ensureTables(AllTables)
      expect(yield* store.claim("kept", options)).toEqual(ClaimOutcome.InProgress({ leaseExpiresAt: 30_000 }))
    }).pipe(Effect.provide(IdempotencyStoreDynamo.layer))))
})
