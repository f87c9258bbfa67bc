import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import type { EventEnvelope } from "../../domain/Envelope.js"
import { EventLog, type EventOutcome } from "../../services/EventLog.js"
import { emitOutcomeMetrics } from "./OutcomeMetrics.js"
import { storeUnavailable } from "./WorkerErrors.js"

/**
 * Writes the decision record for an event (DESIGN.md §4.1: every event ends in exactly one recorded outcome).
 * Only ids, codes and template ids go in — no message text, no raw PII.
 */
export const recordOutcome = Effect.fn("Worker.record")(function* (
  envelope: Pick<EventEnvelope, "event_id" | "conversation_id" | "received_at">,
  entry: {
    readonly outcome: EventOutcome
    readonly reason?: string
    readonly messages?: ReadonlyArray<string>
    readonly decision?: unknown
    readonly actions?: ReadonlyArray<unknown>
  }
) {
  const log = yield* EventLog
  const nowMs = yield* Clock.currentTimeMillis
  const now = new Date(nowMs).toISOString()
  yield* log
    .record({
      event_id: envelope.event_id,
      conversation_id: envelope.conversation_id,
      received_at: envelope.received_at,
      processed_at: now,
      status: entry.outcome === "dead-lettered" ? "failed" : "done",
      outcome: entry.outcome,
      ...(entry.reason === undefined ? {} : { reason: entry.reason }),
      ...(entry.messages === undefined ? {} : { messages: entry.messages }),
      ...(entry.decision === undefined ? {} : { decision: entry.decision }),
      actions: entry.actions ?? []
    })
    .pipe(Effect.mapError(storeUnavailable("event log")))
  // Counted once the record is written: a failed write is retried and counted then, not twice.
  yield* emitOutcomeMetrics(envelope.received_at, entry, nowMs)
})
