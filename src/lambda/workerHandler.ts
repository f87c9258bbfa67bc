import type { SQSBatchResponse, SQSEvent, SQSRecord } from "aws-lambda"
import { processFifoBatch, type QueueRecord } from "../programs/Batch.js"
import { recordReceived } from "../programs/RecordReceived.js"
import type { EventLog } from "../services/EventLog.js"
import type { Runner } from "./Runner.js"

const toQueueRecord = (record: SQSRecord): QueueRecord => {
  const traceHeader = record.attributes.AWSTraceHeader
  return {
    messageId: record.messageId,
    body: record.body,
    groupId: record.attributes.MessageGroupId ?? record.messageId,
    receiveCount: Number(record.attributes.ApproximateReceiveCount ?? "1"),
    ...(traceHeader === undefined ? {} : { traceHeader })
  }
}

type WorkerServices = EventLog

/** The thin SQS adapter: the same function runs under Lambda's event source mapping and the local consumer. */
export const workerHandler =
  (runtime: Runner<WorkerServices>) =>
  (event: SQSEvent): Promise<SQSBatchResponse> =>
    runtime.runPromise(processFifoBatch(event.Records.map(toQueueRecord), recordReceived)).then((result) => ({
      batchItemFailures: [...result.batchItemFailures]
    }))
