import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from "aws-lambda"
import * as Effect from "effect/Effect"
import * as Tracing from "../layers/Tracing.js"
import { withParentFromHeader } from "../layers/XRayTraceHeader.js"
import { processFifoBatch, type QueueRecord } from "../programs/Batch.js"
import { MESSAGE_DEADLINE_MS, processRecord } from "../programs/worker/Worker.js"
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

/** Room left after the last record may start: its own deadline plus time to answer the event source mapping. */
const SAFETY_MS = 2_000

/**
 * One record's work continues the trace of the webhook that queued it (its `AWSTraceHeader` names the ingress
 * enqueue span), so a trace runs webhook → worker → Richpanel; the batch span stays in the invocation's trace.
 */
const processTracedRecord = (record: QueueRecord) => processRecord(record).pipe(withParentFromHeader(record.traceHeader))

/** One SQS batch as an Effect: the worker program over every record, with Lambda's partial batch response. */
export const handleSqsEvent = (event: SQSEvent, options: { readonly startWithinMs?: number } = {}) =>
  processFifoBatch(event.Records.map(toQueueRecord), processTracedRecord, options).pipe(
    Effect.map((result): SQSBatchResponse => ({ batchItemFailures: [...result.batchItemFailures] }))
  )

/**
 * The thin SQS adapter: the same function runs under Lambda's event source mapping and the local consumer.
 * Under Lambda, records that could not finish inside the invocation's remaining time are not started, and the
 * invocation's spans are flushed before it answers (the sandbox is frozen right after).
 */
export const workerHandler =
  (runtime: Runner<WorkerServices>) =>
  (event: SQSEvent, context?: Pick<Context, "getRemainingTimeInMillis">): Promise<SQSBatchResponse> => {
    const remaining = context?.getRemainingTimeInMillis()
    const options = remaining === undefined ? {} : { startWithinMs: remaining - MESSAGE_DEADLINE_MS - SAFETY_MS }
    const batch = handleSqsEvent(event, options).pipe(
      withParentFromHeader(process.env["_X_AMZN_TRACE_ID"]),
      Effect.ensuring(Tracing.flush)
    )
    return runtime.runPromise(batch)
  }
