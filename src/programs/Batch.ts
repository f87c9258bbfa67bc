import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
/** One queue message as the worker sees it, whatever delivered it (Lambda's SQS event or the local consumer). */
export interface QueueRecord {
  readonly messageId: string
  /** Lets the worker push the next delivery out during an outage (QueueControl). */
  readonly receiptHandle: string
  readonly body: string
  readonly groupId: string
  readonly receiveCount: number
  readonly traceHeader?: string
}

export interface BatchResult {
  /** Lambda's partial batch response: these messages go back to the queue, the rest are deleted. */
  readonly batchItemFailures: ReadonlyArray<{ readonly itemIdentifier: string }>
}

/**
 * Processes a FIFO batch in order with skip-group-on-error: once a record of a conversation fails, the later
 * records of that conversation are returned unprocessed (order within the conversation is kept), while other
 * conversations in the same batch go on. `processRecord` must handle its own expected errors; what it fails
 * with — or dies with — marks the record failed.
 */
export const processFifoBatch = <E, R>(
  records: ReadonlyArray<QueueRecord>,
  processRecord: (record: QueueRecord) => Effect.Effect<void, E, R>,
  /** How long after the batch starts a record may still be started (the invocation's time left, less one record). */
  options: { readonly startWithinMs?: number } = {}
): Effect.Effect<BatchResult, never, R> =>
  Effect.gen(function* () {
    const startBefore = options.startWithinMs === undefined ? undefined : (yield* Clock.currentTimeMillis) + options.startWithinMs
    const failedGroups = new Set<string>()
    const failures: Array<{ itemIdentifier: string }> = []
    for (const record of records) {
      // No record is started that could not finish before the invocation times out: a timed-out invocation would
      // fail the whole batch, finished records included. The rest go back to the queue untouched.
      const tooLate = startBefore !== undefined && (yield* Clock.currentTimeMillis) >= startBefore
      if (tooLate || failedGroups.has(record.groupId)) {
        failures.push({ itemIdentifier: record.messageId })
        continue
      }
      const exit = yield* Effect.exit(processRecord(record))
      if (exit._tag === "Failure") {
        yield* Effect.logWarning("record failed; its conversation is skipped for the rest of this batch", exit.cause).pipe(
          Effect.annotateLogs({ message_id: record.messageId, receive_count: record.receiveCount })
        )
        failedGroups.add(record.groupId)
        failures.push({ itemIdentifier: record.messageId })
      }
    }
    return { batchItemFailures: failures }
  }).pipe(Effect.withSpan("Worker.batch", { attributes: { "batch.size": records.length } }))
