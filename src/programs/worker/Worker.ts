import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import type { EventEnvelope } from "../../domain/Envelope.js"
import { QueueControl } from "../../services/QueueControl.js"
import { WorkerSettings } from "../../services/WorkerSettings.js"
import type { QueueRecord } from "../Batch.js"
import { decodeEvent } from "./DecodeEvent.js"
import { processEnvelope } from "./ProcessEvent.js"
import { recordOutcome } from "./RecordOutcome.js"
import { WaitForDependency, type WorkerFailure } from "./WorkerErrors.js"

/** Inside the worker Lambda's 30 s timeout, with room to hand the message back to the queue. */
export const MESSAGE_DEADLINE_MS = 25_000
export const MESSAGE_DEADLINE = `${MESSAGE_DEADLINE_MS / 1000} seconds`

/**
 * How long a message waits before its next try while a dependency is down: 5 min, 15 min, 45 min, 2 h 15 min.
 * With maxReceiveCount 5 a message rides out about 3 h 20 min of outage before it is dead-lettered (and alarms),
 * instead of burning its receives in 15 minutes of default visibility timeouts.
 */
export const outageBackoffSeconds = (receiveCount: number): number =>
  Math.min(300 * 3 ** Math.max(0, receiveCount - 1), 43_200)

const describe = (cause: Cause.Cause<unknown>): string => {
  const failure = Cause.failureOption(cause)
  if (failure._tag === "Some") {
    const error = failure.value as { readonly _tag?: string; readonly reason?: string }
    return [error._tag ?? "failure", error.reason].filter((part) => part !== undefined).join(": ").slice(0, 300)
  }
  return Cause.isInterruptedOnly(cause) ? "interrupted" : "defect"
}

/** After its last allowed receive a failing message goes to the DLQ: say so in its record, with the reason. */
const noteIfLastAttempt = (envelope: EventEnvelope, record: QueueRecord) => (cause: Cause.Cause<unknown>) =>
  Effect.flatMap(WorkerSettings, (settings) =>
    record.receiveCount >= settings.maxReceiveCount
      ? Effect.ignoreLogged(recordOutcome(envelope, { outcome: "dead-lettered", reason: describe(cause) }))
      : Effect.void
  )

/** How long a message waits for Richpanel to show it: seconds, growing with each try (replica lag is short). */
export const ticketWaitSeconds = (receiveCount: number): number => 10 * Math.max(1, receiveCount)

const delayRetry = (record: QueueRecord, seconds: number) =>
  Effect.flatMap(QueueControl, (queue) => Effect.ignoreLogged(queue.delayRetry(record.receiptHandle, seconds)))

const backOff = (record: QueueRecord) => (error: WorkerFailure) => {
  switch (error._tag) {
    case "WaitForDependency":
      return Effect.gen(function* () {
        const { maxReceiveCount } = yield* WorkerSettings
        // The last allowed receive: no point hiding it for hours — let it reach the DLQ (and its alarm) now.
        yield* delayRetry(record, record.receiveCount >= maxReceiveCount ? 0 : outageBackoffSeconds(record.receiveCount))
        yield* Effect.logWarning(`waiting for ${error.dependency}: ${error.reason}`)
      })
    case "TicketNotReady":
      return delayRetry(record, ticketWaitSeconds(record.receiveCount)).pipe(
        Effect.zipRight(Effect.logInfo(`${error.reason}; reading it again in ${ticketWaitSeconds(record.receiveCount)} s`))
      )
    case "MessageInProgress":
      return Effect.void
  }
}

/**
 * The worker's unit of work for one queue record. Succeeds once the event has its recorded outcome; fails (so
 * the batch reports it and FIFO order holds) when it must be retried. An undecodable body cannot get better:
 * it is recorded as dead-lettered and made visible again at once, so it reaches the DLQ in seconds.
 */
export const processRecord = Effect.fn("Worker.processRecord")(function* (record: QueueRecord) {
  const decoded = yield* Effect.either(decodeEvent(record))
  if (decoded._tag === "Left") {
    const placeholder = { event_id: `sqs:${record.messageId}`, conversation_id: record.groupId, received_at: "" }
    yield* Effect.ignoreLogged(recordOutcome(placeholder, { outcome: "dead-lettered", reason: `undecodable: ${decoded.left.reason}` }))
    yield* Effect.flatMap(QueueControl, (queue) => Effect.ignoreLogged(queue.delayRetry(record.receiptHandle, 0)))
    return yield* decoded.left
  }
  const envelope = decoded.right
  yield* processEnvelope(envelope, record.receiveCount).pipe(
    Effect.timeoutFail({
      duration: MESSAGE_DEADLINE,
      onTimeout: () => new WaitForDependency({ dependency: "deadline", reason: `not finished within ${MESSAGE_DEADLINE}` })
    }),
    Effect.tapError(backOff(record)),
    Effect.tapErrorCause(noteIfLastAttempt(envelope, record)),
    Effect.annotateLogs({ event_id: envelope.event_id, conversation_id: envelope.conversation_id })
  )
})
