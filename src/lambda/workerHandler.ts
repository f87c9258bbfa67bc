import type { SQSBatchResponse, SQSEvent, SQSRecord } from "aws-lambda"
import type * as Effect from "effect/Effect"
import { processFifoBatch, type QueueRecord } from "../programs/Batch.js"
import { processRecord } from "../programs/worker/Worker.js"
import type { Runner } from "./Runner.js"

const toQueueRecord = (record: SQSRecord): QueueRecord => {
  const traceHeader = record.attributes.AWSTraceHeader
  return {
    messageId: record.messageId,
    receiptHandle: record.receiptHandle,
    body: record.body,
    groupId: record.attributes.MessageGroupId ?? record.messageId,
    receiveCount: Number(record.attributes.ApproximateReceiveCount ?? "1"),
    ...(traceHeader === undefined ? {} : { traceHeader })
  }
}

/** Every service the worker program needs; a runtime must provide all of them. */
export type WorkerServices = Effect.Effect.Context<ReturnType<typeof processRecord>>

/** The thin SQS adapter: the same function runs under Lambda's event source mapping and the local consumer. */
export const workerHandler =
  (runtime: Runner<WorkerServices>) =>
  (event: SQSEvent): Promise<SQSBatchResponse> =>
    runtime.runPromise(processFifoBatch(event.Records.map(toQueueRecord), processRecord)).then((result) => ({
      batchItemFailures: [...result.batchItemFailures]
    }))
