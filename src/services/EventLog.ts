import * as Context from "effect/Context"
import type * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import type { StoreUnavailable } from "./IdempotencyStore.js"

/** Terminal (or, before the worker exists, intermediate) outcome of one queued event. */
export const EventOutcome = Schema.Literal(
  "received",
  "automated",
  "routed",
  "handed-over",
  "skipped",
  "dead-lettered"
)
export type EventOutcome = typeof EventOutcome.Type

/** One line of `GET /events`: ids, outcome and plan only — no message text, no raw PII. */
export const EventRecord = Schema.Struct({
  event_id: Schema.String,
  conversation_id: Schema.String,
  received_at: Schema.String,
  processed_at: Schema.String,
  status: Schema.Literal("processing", "done", "failed"),
  outcome: EventOutcome,
  reason: Schema.optional(Schema.String),
  /**
   * The Richpanel comment ids this record decides on: the customer messages a decision covered (a burst is decided
   * as one), or the message a skip is about. Absent on records that cover no message of their own.
   */
  messages: Schema.optional(Schema.Array(Schema.String)),
  decision: Schema.optional(Schema.Unknown),
  actions: Schema.Array(Schema.Unknown)
})
export type EventRecord = typeof EventRecord.Type

/** Recent processed events, newest first (local `/events`, the CLI's "recent decisions"). */
export class EventLog extends Context.Tag("rp-mw/EventLog")<EventLog, {
  readonly record: (entry: EventRecord) => Effect.Effect<void, StoreUnavailable>
  readonly recent: (limit: number) => Effect.Effect<ReadonlyArray<EventRecord>, StoreUnavailable>
}>() {}
