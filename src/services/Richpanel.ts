import * as Context from "effect/Context"
import * as Data from "effect/Data"
import type * as Effect from "effect/Effect"
import type { EventEnvelope } from "../domain/Envelope.js"

/** 429: every caller of Richpanel waits `retryAfterMs` (from `Retry-After`, seconds or HTTP date) when known. */
export class RichpanelRateLimited extends Data.TaggedError("RichpanelRateLimited")<{ readonly retryAfterMs?: number }> {}
export class RichpanelNotFound extends Data.TaggedError("RichpanelNotFound")<{ readonly resource: string }> {}
/** 401/403: the API key is wrong or lacks permission — an operator must act; not retryable. */
export class RichpanelUnauthorized extends Data.TaggedError("RichpanelUnauthorized")<{ readonly status: number }> {}
/** 5xx, timeouts, connection failures, API-Gateway style `{"message": "Endpoint request timed out"}`: retryable. */
export class RichpanelTransient extends Data.TaggedError("RichpanelTransient")<{ readonly reason: string; readonly status?: number }> {}
/** 400/409/413/422 or an unreadable body: our request or their answer is wrong; not retryable. */
export class RichpanelInvalid extends Data.TaggedError("RichpanelInvalid")<{ readonly reason: string; readonly status?: number }> {}

export type RichpanelError =
  | RichpanelRateLimited
  | RichpanelNotFound
  | RichpanelUnauthorized
  | RichpanelTransient
  | RichpanelInvalid

export interface TicketComment {
  readonly id: string
  readonly authorId?: string
  /** `isOperator` ∥ `is_operator`; agents, bots and our own notes are operators. */
  readonly isOperator: boolean
  /** Internal notes are not customer-visible (`public: false` / note types). */
  readonly isPrivate: boolean
  readonly createdAt?: string
  /** `plain_body`, else HTML `body` reduced to text. */
  readonly text: string
  readonly attachmentCount: number
  /**
   * Mail headers that mark automatic replies (`auto-submitted`, `precedence`, `from`, `subject`…), names lower-cased,
   * when the comment's `metadata` carries them (its shape is undocumented; absent when nothing was found).
   */
  readonly headers?: Readonly<Record<string, string>>
}

/** The parts of a Richpanel ticket the worker decides on (`GET /v1/tickets/{id}` → `ticket`). */
export interface Ticket {
  readonly id: string
  readonly conversationNo?: number
  /** "OPEN" | "CLOSED" | other values passed through upper-cased. */
  readonly status: string
  readonly channelRaw?: string
  /** The conversation's subject, i.e. its first message's (documented `ticket.subject`). */
  readonly subject?: string
  readonly customerEmail?: string
  readonly customerPhone?: string
  /** Tag names as Richpanel returns them. */
  readonly tags: ReadonlyArray<string>
  readonly comments: ReadonlyArray<TicketComment>
}

export interface RichpanelTag {
  readonly id: string
  readonly name: string
}

export interface RichpanelUser {
  readonly id: string
  readonly name?: string
  readonly email?: string
  readonly role?: string
}

/**
 * The Richpanel REST API (`x-richpanel-key`). One HTTP call per method, no retries inside: the worker applies
 * the rate limiter, the circuit breaker and the retry schedule around each call.
 */
export class Richpanel extends Context.Tag("rp-mw/Richpanel")<Richpanel, {
  /**
   * The ticket behind an event. The live layer re-reads `GET /v1/tickets/{conversation_id}`; the dry-run layer
   * builds it from the envelope, since there is no Richpanel to ask.
   */
  readonly loadTicket: (envelope: EventEnvelope) => Effect.Effect<Ticket, RichpanelError>
  /** `PUT /v1/tickets/{id}/add-tags` with tag names (incremental). */
  readonly addTags: (ticketId: string, tags: ReadonlyArray<string>) => Effect.Effect<void, RichpanelError>
  /** `PUT /v1/tickets/{id}/remove-tags`. */
  readonly removeTags: (ticketId: string, tags: ReadonlyArray<string>) => Effect.Effect<void, RichpanelError>
  /** Internal note: `PUT /v1/tickets/{id}` with `{"ticket":{"comment":{"body","sender_type":"operator","public":false}}}`. */
  readonly addInternalNote: (ticketId: string, body: string) => Effect.Effect<void, RichpanelError>
  /** Customer-visible reply: `PUT /v1/tickets/{id}/send-message` as `RICHPANEL_BOT_AUTHOR_ID`. */
  readonly sendReply: (ticketId: string, body: string) => Effect.Effect<void, RichpanelError>
  readonly listTags: Effect.Effect<ReadonlyArray<RichpanelTag>, RichpanelError>
  readonly listUsers: Effect.Effect<ReadonlyArray<RichpanelUser>, RichpanelError>
}>() {}
