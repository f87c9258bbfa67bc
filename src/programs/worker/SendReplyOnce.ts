import { Clock, Effect, Option } from "effect"
import { Richpanel, type Ticket } from "../../services/Richpanel.js"
import { claim, complete, release, replyKey } from "./Claims.js"
import * as Downstreams from "./Downstreams.js"
import { MessageInProgress } from "./WorkerErrors.js"

export type ReplyResult =
  | { readonly status: "sent" }
  | { readonly status: "already-sent"; readonly how: "claim" | "re-read" }
  | { readonly status: "rejected"; readonly reason: string }

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

/**
 * At most one public reply per customer message, ever (DESIGN.md §4.2): the reply is claimed before it is sent.
 * A claim left behind by a crashed or timed-out attempt is taken over only after re-reading the ticket: if the
 * reply is there, it is not sent again. An attempt whose outcome is unknown keeps its claim, so the retry
 * re-reads instead of blindly sending.
 */
export const sendReplyOnce = Effect.fn("Worker.sendReply")(function* (args: {
  readonly ticket: Ticket
  readonly envelope: Parameters<Richpanel["Type"]["loadTicket"]>[0]
  readonly customerCommentId: string
  readonly body: string
  readonly botAuthorId: Option.Option<string>
}) {
  const key = replyKey(args.envelope.conversation_id, args.customerCommentId)
  const claimed = yield* claim(key)
  if (claimed._tag === "Completed") return { status: "already-sent", how: "claim" } satisfies ReplyResult
  if (claimed._tag === "InProgress") return yield* new MessageInProgress({ key })
  const richpanel = yield* Richpanel
  if (claimed.takeover) {
    const current = yield* Downstreams.richpanel(richpanel.loadTicket(args.envelope)).pipe(
      Effect.map(Option.some),
      Effect.catchTags({ RichpanelNotFound: () => Effect.succeed(Option.none()), RichpanelInvalid: () => Effect.succeed(Option.none()) })
    )
    // Unreadable ticket after a possibly-sent reply: do not guess; keep the claim and let a human see it.
    if (Option.isNone(current)) return { status: "rejected", reason: "reply-state-unknown" } satisfies ReplyResult
    if (replyVisible(current.value, args.customerCommentId, args.body, args.botAuthorId)) {
      yield* complete(key, { confirmed_by: "re-read" })
      return { status: "already-sent", how: "re-read" } satisfies ReplyResult
    }
  }
  const rejection = yield* Downstreams.richpanel(richpanel.sendReply(args.ticket.id, args.body)).pipe(
    Effect.as<string | null>(null),
    // Richpanel answered and refused: nothing went out, so the claim is released and a human takes over.
    Effect.catchTags({
      RichpanelInvalid: (error) => release(key).pipe(Effect.as(`reply-rejected:${error.status ?? "invalid"}`)),
      RichpanelNotFound: () => release(key).pipe(Effect.as("reply-rejected:ticket-not-found"))
    })
  )
  if (rejection !== null) return { status: "rejected", reason: rejection } satisfies ReplyResult
  yield* complete(key, { sent_at: yield* Clock.currentTimeMillis })
  return { status: "sent" } satisfies ReplyResult
})
