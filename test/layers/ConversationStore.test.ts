import { describe, expect, it, layer } from "@effect/vitest"
import { Clock, Effect, Fiber, Layer, TestClock, TestContext } from "effect"
import * as ConversationStoreDynamo from "../../src/layers/ConversationStoreDynamo.js"
import * as ConversationStoreMemory from "../../src/layers/ConversationStoreMemory.js"
import { layerEndpoint } from "../../src/layers/DynamoClient.js"
import {
  type ConversationState,
  ConversationStore,
  emptyConversationState
} from "../../src/services/ConversationStore.js"
import { closedEndpoint, DynaliteClient } from "../support/dynalite.js"

const stores: ReadonlyArray<readonly [string, Layer.Layer<ConversationStore, unknown>]> = [
  ["memory", ConversationStoreMemory.layer],
  ["dynalite", ConversationStoreDynamo.layer.pipe(Layer.provide(DynaliteClient))]
]

// The suite's layer is shared by its tests: each test gets a TestClock starting at 0 and conversation ids of its own.
const fromZero = <A, E, R>(self: Effect.Effect<A, E, R>) => Effect.provide(self, TestContext.TestContext)

const hour = 60 * 60 * 1000
const day = 24 * hour
const appendReply = (at: number) => (s: ConversationState): ConversationState => ({
  ...s,
  auto_replies: [...s.auto_replies, at]
})

for (const [name, storeLayer] of stores) {
  layer(storeLayer)(`ConversationStore (${name})`, (it) => {
    it.effect("a conversation never stored reads as the empty state", () =>
      fromZero(Effect.gen(function*() {
        const store = yield* ConversationStore
        expect(yield* store.get("never")).toEqual(emptyConversationState("never"))
      })))

    it.effect("update stores what change returns, with the store's version and time", () =>
      fromZero(Effect.gen(function*() {
        const store = yield* ConversationStore
        yield* TestClock.adjust("5 seconds")
        const awaiting = { kind: "order_number" as const, attempts: 1, since: 5_000, expires_at: 5_000 + 72 * hour }
        const first = yield* store.update("round-trip", (s) => ({
          ...s,
          auto_replies: [5_000],
          awaiting,
          last_comment_id: "cm-1",
          // Ignored: the id, version and updated_at are the store's.
          conversation_id: "someone-else",
          version: 41,
          updated_at: 1
        }))
        expect(first).toEqual({
          conversation_id: "round-trip",
          auto_replies: [5_000],
          human_replied: false,
          awaiting,
          last_comment_id: "cm-1",
          updated_at: 5_000,
          version: 1
        })
        expect(yield* store.get("round-trip")).toEqual(first)

        yield* TestClock.adjust("1 minute")
        // Dropping `awaiting` must remove it from the stored state, not keep the old one.
        const second = yield* store.update("round-trip", ({ awaiting: _dropped, ...s }) => ({ ...s, human_replied: true }))
        expect(second).toEqual({
          conversation_id: "round-trip",
          auto_replies: [5_000],
          human_replied: true,
          last_comment_id: "cm-1",
          updated_at: 65_000,
          version: 2
        })
        expect(yield* store.get("round-trip")).toEqual(second)
      })))

    it.effect("10 concurrent updates lose none of their writes", () =>
      // Conflicting writers back off on the clock: this one runs on the real clock so the backoff elapses.
      Effect.gen(function*() {
        const store = yield* ConversationStore
        const now = yield* Clock.currentTimeMillis
        const stamps = Array.from({ length: 10 }, (_, i) => now + i)
        yield* Effect.all(stamps.map((at) => store.update("contended", appendReply(at))), { concurrency: "unbounded" })
        const state = yield* store.get("contended")
        expect(state.auto_replies).toEqual(stamps)
        expect(state.version).toBe(10)
      }).pipe(Effect.withClock(Clock.make())))

    it.effect("every write drops auto-reply timestamps more than 24 h old", () =>
      fromZero(Effect.gen(function*() {
        const store = yield* ConversationStore
        yield* store.update("trim", appendReply(0))
        yield* TestClock.adjust(day)
        const atBoundary = yield* store.update("trim", appendReply(day))
        expect(atBoundary.auto_replies).toEqual([0, day])
        yield* TestClock.adjust("1 millis")
        const after = yield* store.update("trim", (s) => ({ ...s, last_comment_id: "cm-2" }))
        expect(after.auto_replies).toEqual([day])
        expect((yield* store.get("trim")).auto_replies).toEqual([day])
      })))

    it.effect("state older than 90 days reads as empty and can be started afresh", () =>
      fromZero(Effect.gen(function*() {
        const store = yield* ConversationStore
        yield* store.update("old", (s) => ({ ...s, human_replied: true }))
        yield* TestClock.adjust(90 * day)
        expect(yield* store.get("old")).toMatchObject({ human_replied: true, version: 1 })
        yield* TestClock.adjust("1 second")
        expect(yield* store.get("old")).toEqual(emptyConversationState("old"))
        // The expired record is still physically there; a fresh write must replace it, not conflict forever.
        const fresh = yield* store.update("old", appendReply(90 * day + 1_000))
        expect(fresh).toMatchObject({ human_replied: false, version: 1, auto_replies: [90 * day + 1_000] })
        expect(yield* store.get("old")).toEqual(fresh)
      })))
  })
}

describe("ConversationStore (memory): conflicts", () => {
  it.effect("a conflict on every attempt ends in StoreUnavailable after 7 tries", () =>
    Effect.gen(function*() {
      const store = yield* ConversationStore
      let runs = 0
      // A competing worker writes between our read and our write, every time.
      const competing = (s: ConversationState): ConversationState => {
        runs += 1
        Effect.runSync(store.update("busy", (other) => ({ ...other, last_comment_id: `other-${runs}` })))
        return { ...s, human_replied: true }
      }
      const fiber = yield* Effect.fork(Effect.flip(store.update("busy", competing)))
      yield* TestClock.adjust("10 seconds")
      const error = yield* Fiber.join(fiber)
      expect(error).toMatchObject({ _tag: "StoreUnavailable", operation: "ConversationStore.update" })
      expect(runs).toBe(7)
      expect(yield* store.get("busy")).toMatchObject({ human_replied: false, version: 7, last_comment_id: "other-7" })
    }).pipe(Effect.provide(ConversationStoreMemory.layer)))
})

describe("ConversationStore (dynamo, unreachable)", () => {
  it.live("fails with StoreUnavailable", () =>
    Effect.gen(function*() {
      const endpoint = yield* Effect.promise(closedEndpoint)
      const errors = yield* Effect.gen(function*() {
        const store = yield* ConversationStore
        return yield* Effect.all([Effect.flip(store.get("c")), Effect.flip(store.update("c", (s) => s))])
      }).pipe(Effect.provide(ConversationStoreDynamo.layer.pipe(Layer.provide(layerEndpoint(endpoint)))))
      expect(errors.map((e) => [e._tag, e.operation])).toEqual([
        ["StoreUnavailable", "ConversationStore.read"],
        ["StoreUnavailable", "ConversationStore.read"]
      ])
    }))
})
