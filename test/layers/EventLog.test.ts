import { describe, expect, it, layer } from "@effect/vitest"
import type { Vitest } from "@effect/vitest"
import { Effect, Layer, TestClock, TestContext } from "effect"
import * as EventLogDynamo from "../../src/layers/EventLogDynamo.js"
import * as EventLogMemory from "../../src/layers/EventLogMemory.js"
import { EventLog, type EventOutcome, type EventRecord } from "../../src/services/EventLog.js"
import { DynaliteClient } from "../support/dynalite.js"

const event = (event_id: string, processed_at: string, outcome: EventOutcome = "received"): EventRecord => ({
  event_id,
  conversation_id: `conv-${event_id}`,
  received_at: processed_at,
  processed_at,
  status: outcome === "received" ? "processing" : "done",
  outcome,
  actions: []
})

const ids = (records: ReadonlyArray<EventRecord>) => records.map((r) => r.event_id)

/**
 * One contract for both logs. Each test builds its log afresh and runs on its own TestClock set to `now`.
 * The dynalite server is shared by the file and `recent` only looks about a week back from now, so each test
 * lives in its own month and cannot see the others' entries.
 */
const contract = <R>(it: Vitest.MethodsNonLive<R>, log: Layer.Layer<EventLog, unknown, R>) => {
  const at = (now: string) => <A, E>(self: Effect.Effect<A, E, EventLog>) =>
    Effect.zipRight(TestClock.setTime(Date.parse(now)), self).pipe(
      Effect.provide(log),
      Effect.provide(TestContext.TestContext)
    )

  it.effect("recent is newest first and honours the limit", () =>
    at("2025-01-10T12:00:00.000Z")(Effect.gen(function*() {
      const log = yield* EventLog
      yield* log.record(event("a", "2025-01-10T09:00:00.000Z"))
      yield* log.record(event("c", "2025-01-10T11:00:00.000Z"))
      yield* log.record(event("b", "2025-01-10T10:00:00.000Z"))
      expect(ids(yield* log.recent(10))).toEqual(["c", "b", "a"])
      expect(ids(yield* log.recent(2))).toEqual(["c", "b"])
      expect(yield* log.recent(0)).toEqual([])
    })))

  it.effect("re-recording an event keeps one entry with the latest outcome", () =>
    at("2025-02-10T12:00:00.000Z")(Effect.gen(function*() {
      const log = yield* EventLog
      yield* log.record(event("x", "2025-02-10T09:00:00.000Z", "received"))
      yield* log.record(event("y", "2025-02-10T09:30:00.000Z", "received"))
      yield* log.record(event("x", "2025-02-10T10:00:00.000Z", "routed"))
      const recent = yield* log.recent(10)
      expect(recent.map((r) => [r.event_id, r.outcome])).toEqual([["x", "routed"], ["y", "received"]])
      // A late write of an older outcome does not replace the newer one.
      yield* log.record(event("x", "2025-02-10T09:00:00.000Z", "received"))
      expect((yield* log.recent(10)).map((r) => [r.event_id, r.outcome])).toEqual([["x", "routed"], ["y", "received"]])
    })))

  it.effect("entries across days come back newest first", () =>
    at("2025-03-11T08:00:00.000Z")(Effect.gen(function*() {
      const log = yield* EventLog
      yield* log.record(event("old", "2025-03-09T23:59:00.000Z"))
      yield* log.record(event("yesterday", "2025-03-10T22:00:00.000Z"))
      yield* log.record(event("today", "2025-03-11T07:00:00.000Z"))
      // Moving to the next day's partition keeps a single entry too.
      yield* log.record(event("old", "2025-03-10T00:01:00.000Z", "automated"))
      expect(ids(yield* log.recent(10))).toEqual(["today", "yesterday", "old"])
      expect(ids(yield* log.recent(2))).toEqual(["today", "yesterday"])
    })))

  it.effect("keeps the full record", () =>
    at("2025-04-10T12:00:00.000Z")(Effect.gen(function*() {
      const log = yield* EventLog
      const full: EventRecord = {
        ...event("full", "2025-04-10T10:00:00.000Z", "handed-over"),
        reason: "low confidence",
        decision: { intent: "order_status", confidence: 0.4 },
        actions: [{ type: "tag", tag: "ai-handover" }]
      }
      yield* log.record(full)
      expect(yield* log.recent(1)).toEqual([full])
    })))
}

layer(Layer.empty)("EventLog (memory)", (it) => contract(it, EventLogMemory.layer))
layer(DynaliteClient)("EventLog (dynalite)", (it) => contract(it, EventLogDynamo.layer))

describe("EventLog (memory) capacity", () => {
  it.effect("keeps only the newest entries", () =>
    Effect.gen(function*() {
      const log = yield* EventLog
      for (const hour of [10, 11, 12, 13]) yield* log.record(event(`e${hour}`, `2025-05-01T${hour}:00:00.000Z`))
      expect(ids(yield* log.recent(10))).toEqual(["e13", "e12", "e11"])
    }).pipe(Effect.provide(EventLogMemory.layerWithCapacity(3))))
})
