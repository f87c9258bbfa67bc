import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import { EventEnvelope } from "../../domain/Envelope.js"
import type { QueueRecord } from "../Batch.js"

/** A queue message whose body is not an envelope: retrying cannot help, it goes to the DLQ with its reason. */
export class UndecodableMessage extends Schema.TaggedError<UndecodableMessage>()("UndecodableMessage", {
  messageId: Schema.String,
  reason: Schema.String
}) {}

// Built once: deriving the decoder per record cost more than decoding.
const decodeBody = Schema.decodeUnknown(Schema.parseJson(EventEnvelope))

export const decodeEvent = (record: QueueRecord) =>
  decodeBody(record.body).pipe(
    Effect.mapError((error) => new UndecodableMessage({ messageId: record.messageId, reason: error.message.slice(0, 500) })),
    Effect.withSpan("Worker.decode")
  )
