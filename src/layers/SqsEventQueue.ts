import { SendMessageCommand } from "@aws-sdk/client-sqs"
import * as Config from "effect/Config"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { deduplicationId, messageGroupId, queueBody } from "../domain/SqsIds.js"
import { EventQueue, MessageTooLarge, QueueUnavailable } from "../services/EventQueue.js"
import { sqsClient } from "./SqsClient.js"

const SHORTER_THAN = /must be shorter than (\d+) bytes/i

/**
 * SQS refuses an oversize body with `InvalidParameterValue` ("One or more parameters are invalid. Reason: Message
 * must be shorter than 1048576 bytes."); the SDK has no class for it, and the name depends on the protocol
 * (`InvalidParameterValue` or `…Exception`), so the message decides. A proxy's 413 means the same.
 */
const isTooLarge = (cause: unknown): cause is Error => {
  if (!(cause instanceof Error)) return false
  const status = (cause as { readonly $metadata?: { readonly httpStatusCode?: number } }).$metadata?.httpStatusCode
  return status === 413 || SHORTER_THAN.test(cause.message) || /maximum message size|message (?:is )?too (?:long|large)/i.test(cause.message)
}

const sendError = (cause: unknown, body: string) => {
  if (!isTooLarge(cause)) {
    return new QueueUnavailable({ reason: cause instanceof Error ? `${cause.name}: ${cause.message}` : "send failed", cause })
  }
  const limit = SHORTER_THAN.exec(cause.message)?.[1]
  return new MessageTooLarge({
    reason: `${cause.name}: ${cause.message}`,
    sizeBytes: Buffer.byteLength(body, "utf8"),
    ...(limit === undefined ? {} : { maxBytes: Number(limit) }),
    cause
  })
}

/** The AWS producer: `EVENTS_QUEUE_URL` names the FIFO queue (`rp-mw-events.fifo`). */
export const layer = Layer.scoped(
  EventQueue,
  Effect.gen(function* () {
    const queueUrl = yield* Config.string("EVENTS_QUEUE_URL")
    const client = yield* sqsClient
    return EventQueue.of({
      send: (envelope, options) => {
        const body = queueBody(envelope)
        return Effect.tryPromise({
          try: (signal) =>
            client.send(
              new SendMessageCommand({
                QueueUrl: queueUrl,
                MessageBody: body,
                MessageGroupId: messageGroupId(envelope.conversation_id),
                MessageDeduplicationId: deduplicationId(envelope.event_id),
                ...(options?.traceHeader === undefined
                  ? {}
                  : { MessageSystemAttributes: { AWSTraceHeader: { DataType: "String", StringValue: options.traceHeader } } })
              }),
              { abortSignal: signal }
            ),
          catch: (cause) => sendError(cause, body)
        }).pipe(Effect.map((output) => ({ messageId: output.MessageId ?? "unknown" })))
      }
    })
  })
)
