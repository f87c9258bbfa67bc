import * as Schema from "effect/Schema"
/**
 * The internal event envelope (seed 000 §2): what ingress puts on the queue and the worker reads.
 * Contains raw customer identifiers (email, phone) because the worker needs them for deterministic order
 * matching; it is never logged as-is — log lines go through `redact`.
 */

/** Channel classes that drive auto-reply policy (product spec §6). The raw Richpanel value is kept too. */
export const ChannelClass = Schema.Literal("email", "livechat", "social", "tiktok", "phone", "unknown")
export type ChannelClass = typeof ChannelClass.Type

export const Attachment = Schema.Struct({
  type: Schema.Literal("image", "pdf", "other"),
  url: Schema.optional(Schema.String),
  size_bytes: Schema.optional(Schema.Number)
})
export type Attachment = typeof Attachment.Type

export const EventEnvelope = Schema.Struct({
  event_id: Schema.String,
  received_at: Schema.String,
  conversation_id: Schema.String,
  conversation_no: Schema.optional(Schema.Number),
  channel: ChannelClass,
  channel_raw: Schema.optional(Schema.String),
  customer: Schema.Struct({
    email: Schema.optional(Schema.String),
    phone: Schema.optional(Schema.String),
    id: Schema.optional(Schema.String)
  }),
  message: Schema.Struct({
    id: Schema.optional(Schema.String),
    created_at: Schema.optional(Schema.String),
    text: Schema.String,
    /** True when `text` was cut to the safe maximum; the worker re-reads the full ticket anyway. */
    truncated: Schema.Boolean,
    /** Metadata of the first attachments only (at most `MAX_ATTACHMENTS`, see `normalise`). */
    attachments: Schema.Array(Attachment),
    /** How many attachments the message had, present only when `attachments` holds fewer than that. */
    attachments_total: Schema.optional(Schema.Number),
    author_id: Schema.optional(Schema.String),
    /** Operator/bot flag as sent (`isOperator` or `is_operator`); absent when the payload did not say. */
    from_operator: Schema.optional(Schema.Boolean)
  }),
  richpanel: Schema.Struct({
    tags: Schema.Array(Schema.String),
    assignee_id: Schema.optional(Schema.String),
    status: Schema.optional(Schema.String),
    /** The ticket's e-mail subject, when the payload carried it (bounded: `MAX_SUBJECT_CHARS`). */
    subject: Schema.optional(Schema.String),
    /** A ticket payload whose newest comment is an operator's (the webhook fired on an agent's message). */
    last_comment_from_operator: Schema.optional(Schema.Boolean)
  }),
  meta: Schema.Struct({
    attempt: Schema.Number,
    source: Schema.String,
    payload_shape: Schema.Literal("flat", "ticket")
  })
})
export type EventEnvelope = typeof EventEnvelope.Type
