import * as Effect from "effect/Effect"
import type { EventEnvelope } from "../domain/Envelope.js"
import { queueBody } from "../domain/SqsIds.js"
import type { MessageTooLarge } from "../services/EventQueue.js"
import { PayloadTooLarge } from "./IngressErrors.js"

/**
 * Ceiling on the envelope's serialized UTF-8 size: a quarter of SQS's 1 MiB MaximumMessageSize, and several times
 * what `normalise`'s bounds let through for ordinary text. An envelope over it is answered 413 without being sent:
 * the queue would refuse it every time, and a 503 would have the sender retry it forever.
 */
export const MAX_ENVELOPE_BYTES = 256 * 1024

/** The reference size for a 413 when the queue did not say its limit: SQS's 1 MiB MaximumMessageSize default. */
const SQS_MAX_MESSAGE_BYTES = 1_048_576

const CAUSE = "too many or too large attachments, tags or other fields"

/**
 * The last guard before the queue. A body of ordinary text never reaches it; one within MAX_BODY_BYTES can only if
 * nearly every byte sits in a field at its bound, written as 6-byte escapes (`\u0001`) that the envelope keeps.
 */
export const checkEnvelopeSize = (envelope: EventEnvelope): Effect.Effect<void, PayloadTooLarge> => {
  const sizeBytes = Buffer.byteLength(queueBody(envelope), "utf8")
  return sizeBytes <= MAX_ENVELOPE_BYTES
    ? Effect.void
    : Effect.fail(
      new PayloadTooLarge({
        message: `the message envelope would be ${sizeBytes} bytes (over ${MAX_ENVELOPE_BYTES}): ${CAUSE}`,
        limitBytes: MAX_ENVELOPE_BYTES
      })
    )
}

/** The queue refused the envelope anyway (its limit may be set lower): a 413 with the sizes when the queue said them. */
export const refusedByQueue = (error: MessageTooLarge): PayloadTooLarge => {
  const size = error.sizeBytes === undefined ? "" : ` (${error.sizeBytes} bytes)`
  const limit = error.maxBytes === undefined ? "" : ` of ${error.maxBytes} bytes`
  return new PayloadTooLarge({
    message: `the message envelope${size} is over the event queue's maximum message size${limit}: ${CAUSE}`,
    limitBytes: error.maxBytes ?? SQS_MAX_MESSAGE_BYTES
  })
}
