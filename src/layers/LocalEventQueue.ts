import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { deduplicationId, messageGroupId, queueBody } from "../domain/SqsIds.js"
import type { LocalFifoQueue } from "../local/LocalFifoQueue.js"
import { EventQueue, MessageTooLarge, QueueUnavailable } from "../services/EventQueue.js"

/**
 * The local runtime's producer: the same group and deduplication ids as `SqsEventQueue`, on the in-process
 * FIFO queue. `send` returns once the journal line is on disk, so ingress's 200 means durable here too.
 */
export const layer = (queue: LocalFifoQueue): Layer.Layer<EventQueue> =>
  Layer.succeed(
    EventQueue,
    EventQueue.of({
      send: (envelope, options) =>
        queue.send({
          body: queueBody(envelope),
          groupId: messageGroupId(envelope.conversation_id),
          deduplicationId: deduplicationId(envelope.event_id),
          ...(options?.traceHeader === undefined ? {} : { attributes: { AWSTraceHeader: options.traceHeader } })
        }).pipe(
          Effect.map(({ messageId }) => ({ messageId })),
          Effect.catchTags({
            MaximumMessageSizeExceeded: (cause) =>
              new MessageTooLarge({
                reason: `${queue.name}: message of ${cause.sizeBytes} bytes is over the queue's maximum of ${cause.maxBytes}`,
                sizeBytes: cause.sizeBytes,
                maxBytes: cause.maxBytes,
                cause
              }),
            // As SqsEventQueue maps SQS's refusal (queueBody escapes what SQS refuses, so this is a bug's symptom).
            InvalidMessageContents: (cause) =>
              new QueueUnavailable({ reason: `${queue.name}: refused character U+${cause.codePoint.toString(16)}`, cause }),
            JournalError: (cause) => new QueueUnavailable({ reason: `${queue.name}: ${cause.reason}`, cause })
          })
        )
    })
  )
