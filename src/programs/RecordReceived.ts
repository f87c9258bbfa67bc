import { Clock, Effect, Schema } from "effect"
import { EventEnvelope } from "../domain/Envelope.js"
import { EventLog } from "../services/EventLog.js"
import type { QueueRecord } from "./Batch.js"

/** A queue message whose body is not an envelope: retrying cannot help, so it is left to reach the DLQ. */
export class UndecodableMessage extends Schema.TaggedError<UndecodableMessage>()("UndecodableMessage", {
  messageId: Schema.String,
  reason: Schema.String
}) {}

const decodeEnvelope = (record: QueueRecord) =>
  Schema.decodeUnknown(Schema.parseJson(EventEnvelope))(record.body).pipe(
    Effect.mapError((error) => new UndecodableMessage({ messageId: record.messageId, reason: error.message.slice(0, 500) }))
  )

/**
 * The worker's first step until classification exists: decode the envelope and record it as received, so the
 * local `/events` shows every acknowledged event.
 */
export const recordReceived = Effect.fn("Worker.recordReceived")(function* (record: QueueRecord) {
  const envelope = yield* decodeEnvelope(record)
  const log = yield* EventLog
  const now = new Date(yield* Clock.currentTimeMillis).toISOString()
  yield* log.record({
    event_id: envelope.event_id,
    conversation_id: envelope.conversation_id,
    received_at: envelope.received_at,
    processed_at: now,
    status: "done",
    outcome: "received",
    actions: []
  })
})
