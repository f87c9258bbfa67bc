import * as Context from "effect/Context"
import * as Data from "effect/Data"
import type * as Effect from "effect/Effect"

/**
 * An SQS call of the operator's view failed. `code` is the SDK's error name (`QueueDoesNotExist`,
 * `AccessDenied`, `UnsupportedOperation`, …) so the caller can say what to do; `reason` is its message.
 */
export class QueueStatsFailed extends Data.TaggedError("QueueStatsFailed")<{
  readonly operation: "GetQueueAttributes" | "GetQueueUrl" | "StartMessageMoveTask"
  readonly queue: string
  readonly code: string
  readonly reason: string
}> {}

/** Messages in a queue, as SQS approximates them. */
export interface QueueDepth {
  /** `ApproximateNumberOfMessages`: waiting to be received. */
  readonly visible: number
  /** `ApproximateNumberOfMessagesNotVisible`: received and not yet deleted (or being moved by a redrive). */
  readonly inFlight: number
}

/**
 * The operator's view of the event queue and its DLQ (ops Lambda, `rp-mw dlq --aws`): depth, identity, and the
 * one write an operator needs, a DLQ redrive. Separate from `EventQueue`/`QueueControl`, which the pipeline uses.
 */
export class QueueStats extends Context.Tag("rp-mw/QueueStats")<QueueStats, {
  readonly depth: (queueUrl: string) => Effect.Effect<QueueDepth, QueueStatsFailed>
  /** The queue's ARN (`QueueArn`), which StartMessageMoveTask needs. */
  readonly arn: (queueUrl: string) => Effect.Effect<string, QueueStatsFailed>
  readonly urlOf: (queueName: string) => Effect.Effect<string, QueueStatsFailed>
  /**
   * Starts moving every message of the DLQ `sourceArn` back to the queue it came from (or to `destinationArn`).
   * Asynchronous on the SQS side: returns the task handle, not the count moved.
   */
  readonly startRedrive: (sourceArn: string, destinationArn?: string) => Effect.Effect<string, QueueStatsFailed>
}>() {}
