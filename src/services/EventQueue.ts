import * as Context from "effect/Context"
import * as Data from "effect/Data"
import type * as Effect from "effect/Effect"
import type { EventEnvelope } from "../domain/Envelope.js"

/** The queue (or its client) could not take the message; ingress answers 503 so the sender retries. */
export class QueueUnavailable extends Data.TaggedError("QueueUnavailable")<{
  readonly reason: string
  readonly cause?: unknown
}> {}

/**
 * The envelope is over the queue's maximum message size. Deterministic: retrying, or the sender redelivering,
 * can never succeed, so it is never retried and ingress answers 413 (not 503).
 */
export class MessageTooLarge extends Data.TaggedError("MessageTooLarge")<{
  readonly reason: string
  /** What the message measured and the queue's limit, in bytes, when the queue said. */
  readonly sizeBytes?: number
  readonly maxBytes?: number
  readonly cause?: unknown
}> {}

export type SendError = QueueUnavailable | MessageTooLarge

export interface SendOptions {
  /** X-Ray trace header of the ingress span, carried to the worker as the SQS `AWSTraceHeader`. */
  readonly traceHeader?: string
}

export interface SendResult {
  readonly messageId: string
}

/**
 * Producer side of the per-conversation FIFO queue: group = conversation id, deduplication id = event id,
 * so re-sending the same event within the 5-minute window is a no-op (ingress relies on this after a crash).
 */
export class EventQueue extends Context.Tag("rp-mw/EventQueue")<EventQueue, {
  readonly send: (envelope: EventEnvelope, options?: SendOptions) => Effect.Effect<SendResult, SendError>
}>() {}
