import { SendMessageCommand } from "@aws-sdk/client-sqs"
import * as Config from "effect/Config"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { deduplicationId, messageGroupId } from "../domain/SqsIds.js"
import { EventQueue, QueueUnavailable } from "../services/EventQueue.js"
import { sqsClient } from "./SqsClient.js"

/** The AWS producer: `EVENTS_QUEUE_URL` names the FIFO queue (`rp-mw-events.fifo`). */
export const layer = Layer.scoped(
  EventQueue,
  Effect.gen(function* () {
    const queueUrl = yield* Config.string("EVENTS_QUEUE_URL")
    const client = yield* sqsClient
    return EventQueue.of({
      send: (envelope, options) =>
        Effect.tryPromise({
          try: (signal) =>
            client.send(
              new SendMessageCommand({
                QueueUrl: queueUrl,
                MessageBody: JSON.stringify(envelope),
                MessageGroupId: messageGroupId(envelope.conversation_id),
                MessageDeduplicationId: deduplicationId(envelope.event_id),
                ...(options?.traceHeader === undefined
                  ? {}
                  : { MessageSystemAttributes: { AWSTraceHeader: { DataType: "String", StringValue: options.traceHeader } } })
              }),
              { abortSignal: signal }
            ),
          catch: (cause) =>
            new QueueUnavailable({ reason: cause instanceof Error ? `${cause.name}: ${cause.message}` : "send failed", cause })
        }).pipe(Effect.map((output) => ({ messageId: output.MessageId ?? "unknown" })))
    })
  })
)
