import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import type { EventEnvelope } from "../../domain/Envelope.js"
import type { Mode } from "../../services/AppConfig.js"
import { ConversationStore } from "../../services/ConversationStore.js"
import { Richpanel, type Ticket } from "../../services/Richpanel.js"
import { claim, complete, release, replyKey } from "./Claims.js"
import * as Downstreams from "./Downstreams.js"
import { MessageInProgress, storeUnavailable } from "./WorkerErrors.js"

export type ReplyResult =
  | { readonly status: "sent" }
  | { readonly status: "already-sent"; readonly how: "claim" | "re-read" }
  | { readonly status: "rejected"; readonly reason: string }
  /** The kill switch was pulled before the reply left: nothing was sent. */
  | { readonly status: "cancelled"; readonly mode: Mode }
  /**
   * An earlier attempt claimed this reply and never finished, and the ticket does not show it: it may or may not
   * have reached the customer. Sending again could answer twice, so a human looks instead.
   */
  | { readonly status: "unknown" }

/** Did an earlier attempt get through? A bot/operator comment after the customer's, with our text or our author. */
const replyVisible = (ticket: Ticket, customerCommentId: string, body: string, botAuthorId: Option.Option<string>) => {
  const index = ticket.comments.findIndex((comment) => comment.id === customerCommentId)
  return ticket.comments
    .slice(index + 1)
    .some((comment) =>
      comment.isOperator && !comment.isPrivate &&
      (comment.text.trim() === body.trim() || (Option.isSome(botAuthorId) && comment.authorId === botAuthorId.value))
    )
}

const countReply = (conversationId: string, change: (replies: ReadonlyArray<number>) => ReadonlyArray<number>) =>
  Effect.flatMap(ConversationStore, (store) =>
    store.update(conversationId, (state) => ({ ...state, auto_replies: change(state.auto_replies) }))
  ).pipe(Effect.mapError(storeUnavailable("conversation state")))

/**
 * At most one public reply per customer message, ever (DESIGN.md §4.2): the reply is claimed, and counted in the
 * conversation's limits, before it is sent. A claim left behind by a crashed or timed-out attempt is taken over
 * only after checking the freshly read ticket: if the reply is there, it was sent; if not, the outcome stays
 * unknown (the read may lag behind the send), and the message goes to a human rather than risk a second reply.
 * An attempt whose outcome is unknown keeps its claim, so the retry checks instead of blindly sending.
 */
export const sendReplyOnce = Effect.fn("Worker.sendReply")(function* (args: {
  readonly ticket: Ticket
  readonly envelope: EventEnvelope
  readonly customerCommentId: string
  readonly body: string
  readonly botAuthorId: Option.Option<string>
}) {
  const key = replyKey(args.envelope.conversation_id, args.customerCommentId)
  const claimed = yield* claim(key)
  if (claimed._tag === "Completed") return { status: "already-sent", how: "claim" } satisfies ReplyResult
  if (claimed._tag === "InProgress") return yield* new MessageInProgress({ key })
  const richpanel = yield* Richpanel
  // The ticket was read at the start of this attempt, after the crashed one: if our reply is there, it went out.
  if (claimed.takeover) {
    const visible = replyVisible(args.ticket, args.customerCommentId, args.body, args.botAuthorId)
    yield* complete(key, visible ? { confirmed_by: "re-read" } : { outcome: "unknown" })
    return visible ? { status: "already-sent", how: "re-read" } satisfies ReplyResult : { status: "unknown" } satisfies ReplyResult
  }
  // Counted before it is sent, so a crash right after the send still counts toward the conversation's limits.
  const sentAt = yield* Clock.currentTimeMillis
  yield* countReply(args.envelope.conversation_id, (replies) => [...replies, sentAt])
  const refused = yield* Downstreams.richpanelReply(richpanel.sendReply(args.ticket.id, args.body)).pipe(
    Effect.as<ReplyResult | null>(null),
    // Refused by Richpanel, or stopped by the kill switch: nothing went out, so the claim is released.
    Effect.catchTags({
      RichpanelInvalid: (error) => Effect.succeed<ReplyResult>({ status: "rejected", reason: `reply-rejected:${error.status ?? "invalid"}` }),
      RichpanelNotFound: () => Effect.succeed<ReplyResult>({ status: "rejected", reason: "reply-rejected:ticket-not-found" }),
      WriteCancelled: (cancelled) => Effect.succeed<ReplyResult>({ status: "cancelled", mode: cancelled.mode })
    })
  )
  if (refused !== null) {
    yield* release(key)
    yield* countReply(args.envelope.conversation_id, (replies) => replies.filter((at) => at !== sentAt))
    return refused
  }
  yield* complete(key, { sent_at: sentAt })
  return { status: "sent" } satisfies ReplyResult
})
