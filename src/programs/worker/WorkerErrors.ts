import * as Data from "effect/Data"
import type { Downstream } from "../../services/Downstream.js"

/**
 * The message cannot be finished now because something it needs is down (Richpanel, the store, the limiter).
 * It is not a decision: the message goes back to the queue with a visibility backoff and is retried later.
 */
export class WaitForDependency extends Data.TaggedError("WaitForDependency")<{
  readonly dependency: Downstream | "store" | "deadline"
  readonly reason: string
}> {}

/** Another worker holds this message's claim right now; the message comes back after the visibility timeout. */
export class MessageInProgress extends Data.TaggedError("MessageInProgress")<{ readonly key: string }> {}

/**
 * Richpanel's answer does not show the message the webhook announced yet (a replica behind the write, or a 404 for a
 * ticket just created). Not an outage: the message comes back in seconds and the ticket is read again.
 */
export class TicketNotReady extends Data.TaggedError("TicketNotReady")<{ readonly reason: string }> {}

export type WorkerFailure = WaitForDependency | MessageInProgress | TicketNotReady

/** A store (DynamoDB) call failed: the message waits and is retried, like any other dependency outage. */
export const storeUnavailable = (what: string) => () => new WaitForDependency({ dependency: "store", reason: `${what} unavailable` })
