import { ChangeMessageVisibilityCommand } from "@aws-sdk/client-sqs"
import * as Config from "effect/Config"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { QueueControl, VisibilityChangeFailed } from "../services/QueueControl.js"
import { sqsClient } from "./SqsClient.js"

/** ChangeMessageVisibility on the FIFO queue (`EVENTS_QUEUE_URL`); SQS caps visibility at 12 hours. */
export const layer = Layer.scoped(
  QueueControl,
  Effect.gen(function* () {
    const queueUrl = yield* Config.string("EVENTS_QUEUE_URL")
    const client = yield* sqsClient
    return QueueControl.of({
      delayRetry: (receiptHandle, delaySeconds) =>
        Effect.tryPromise({
          try: (signal) =>
            client.send(
              new ChangeMessageVisibilityCommand({
                QueueUrl: queueUrl,
                ReceiptHandle: receiptHandle,
                VisibilityTimeout: Math.min(Math.max(0, Math.round(delaySeconds)), 43_200)
              }),
              { abortSignal: signal }
            ),
          catch: (cause) => new VisibilityChangeFailed({ cause })
        }).pipe(Effect.asVoid)
    })
  })
)
