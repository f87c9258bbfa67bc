import * as Context from "effect/Context"
import * as Data from "effect/Data"
import type * as Effect from "effect/Effect"
export class VisibilityChangeFailed extends Data.TaggedError("VisibilityChangeFailed")<{ readonly cause?: unknown }> {}

/**
 * Consumer-side control of the event queue. During a downstream outage the worker pushes a failed message's
 * next delivery out (exponential visibility backoff) instead of letting it come back every few minutes and
 * burn its receive count into the DLQ.
 */
export class QueueControl extends Context.Tag("rp-mw/QueueControl")<QueueControl, {
  readonly delayRetry: (receiptHandle: string, delaySeconds: number) => Effect.Effect<void, VisibilityChangeFailed>
}>() {}
