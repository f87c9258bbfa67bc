import type { SQSBatchResponse, SQSEvent, SQSRecord } from "aws-lambda"
import { createHash } from "node:crypto"
import * as Effect from "effect/Effect"
import type { LocalFifoQueue, ReceivedMessage } from "./LocalFifoQueue.js"

/**
 * The worker entry point as Lambda's event source mapping calls it: the local runtime passes the Lambda handler
 * itself (a promise), the conversation simulator the same program as an Effect on its virtual clock.
 */
export type BatchHandler<R = never> = (event: SQSEvent) => Effect.Effect<SQSBatchResponse, unknown, R>

/** The Lambda handler (a promise-returning function) as a `BatchHandler`. */
export const fromPromiseHandler = (handler: (event: SQSEvent) => Promise<SQSBatchResponse>): BatchHandler =>
  (event) => Effect.tryPromise(() => handler(event))

const toSqsRecord = (queue: LocalFifoQueue, message: ReceivedMessage): SQSRecord => ({
  messageId: message.messageId,
  receiptHandle: message.receiptHandle,
  body: message.body,
  attributes: { ...message.attributes },
  messageAttributes: {},
  md5OfBody: createHash("md5").update(message.body).digest("hex"),
  eventSource: "aws:sqs",
  eventSourceARN: queue.arn,
  awsRegion: "local"
})

export const toSqsEvent = (queue: LocalFifoQueue, messages: ReadonlyArray<ReceivedMessage>): SQSEvent => ({
  Records: messages.map((message) => toSqsRecord(queue, message))
})

/**
 * One poller doing what Lambda's SQS event source mapping does: long-poll a batch, invoke the handler, delete
 * what succeeded. Failed records (and a whole batch whose invocation threw) stay in flight until their
 * visibility timeout, then come back with a higher receive count — and reach the DLQ after maxReceiveCount.
 */
const pollOnce = <R>(queue: LocalFifoQueue, handler: BatchHandler<R>, batchSize: number, waitTimeMs: number) =>
  Effect.gen(function* () {
    const messages = yield* queue.receive({ maxMessages: batchSize, waitTimeMs })
    if (messages.length === 0) return
    const response = yield* handler(toSqsEvent(queue, messages)).pipe(
      Effect.tapError((error) => Effect.logError("worker invocation failed; the whole batch will be retried", error)),
      Effect.orElseSucceed(() => ({ batchItemFailures: messages.map((m) => ({ itemIdentifier: m.messageId })) }))
    )
    const failed = new Set(response.batchItemFailures.map((failure) => failure.itemIdentifier))
    for (const message of messages) {
      if (!failed.has(message.messageId)) yield* Effect.ignoreLogged(queue.deleteMessage(message.receiptHandle))
    }
  })

/** Runs `concurrency` pollers until interrupted; like Lambda, several conversations are processed at once. */
export const runConsumer = <R>(
  queue: LocalFifoQueue,
  handler: BatchHandler<R>,
  options: {
    readonly concurrency: number
    readonly batchSize: number
    /** Long-poll wait; a send or a visibility change ends it early. Default 1 s (prompt shutdown); SQS allows 20 s. */
    readonly waitTimeMs?: number
  }
) =>
  Effect.all(
    Array.from({ length: options.concurrency }, () =>
      pollOnce(queue, handler, options.batchSize, options.waitTimeMs ?? 1_000).pipe(
        Effect.catchAll((error) =>
          Effect.logError("local consumer could not poll the queue; retrying in 1 s", error).pipe(
            Effect.zipRight(Effect.sleep("1 second"))
          )
        ),
        Effect.forever
      )
    ),
    { concurrency: "unbounded", discard: true }
  )
