import * as Context from "effect/Context"
import type * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import type { StoreUnavailable } from "./IdempotencyStore.js"

/** Product spec §10: conversation state lives 90 days. */
export const CONVERSATION_STATE_TTL_SECONDS = 90 * 24 * 60 * 60

/** The flow that is waiting for the customer to answer a question we asked (product spec §7.4). */
export const AwaitingOrderNumber = Schema.Struct({
  kind: Schema.Literal("order_number"),
  /** How many times we have asked so far. */
  attempts: Schema.Number,
  /** Epoch ms. */
  since: Schema.Number,
  /** Epoch ms after which the flow has lapsed (judged in code, never by TTL). */
  expires_at: Schema.Number
})

/** What the worker remembers per conversation between messages. */
export const ConversationState = Schema.Struct({
  conversation_id: Schema.String,
  /** Epoch ms of customer-visible auto-replies in the last 24 h (the per-conversation limits). */
  auto_replies: Schema.Array(Schema.Number),
  /** A human agent has replied here: the bot stays quiet in this conversation. */
  human_replied: Schema.Boolean,
  awaiting: Schema.optional(AwaitingOrderNumber),
  /** Latest customer comment id fully processed. */
  last_comment_id: Schema.optional(Schema.String),
  /** Epoch ms. */
  updated_at: Schema.Number,
  /** Optimistic-concurrency counter: 0 for a conversation never stored. */
  version: Schema.Number
})
export type ConversationState = typeof ConversationState.Type

export const emptyConversationState = (conversationId: string): ConversationState => ({
  conversation_id: conversationId,
  auto_replies: [],
  human_replied: false,
  updated_at: 0,
  version: 0
})

/** Per-conversation state in `rp_mw_conversation_state` (pk `conv#<id>`, sk `state`). */
export class ConversationStore extends Context.Tag("rp-mw/ConversationStore")<ConversationStore, {
  /** The stored state, or `emptyConversationState` when there is none. */
  readonly get: (conversationId: string) => Effect.Effect<ConversationState, StoreUnavailable>
  /**
   * Read-modify-write with a version check, re-running `change` on a concurrent update (bounded), so two
   * workers never overwrite each other's auto-reply counts.
   */
  readonly update: (
    conversationId: string,
    change: (current: ConversationState) => ConversationState
  ) => Effect.Effect<ConversationState, StoreUnavailable>
}>() {}
