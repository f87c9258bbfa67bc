import type { EventEnvelope } from "./Envelope.js"
import type { Ticket, TicketComment } from "../services/Richpanel.js"

/**
 * Messages the middleware must never act on (DESIGN.md §4.9): our own and operators' comments, automatic
 * replies and no-reply senders. Each skip carries a reason that is recorded, so nothing disappears silently.
 */
export type SkipReason =
  | "no-customer-message"
  | "operator-message"
  | "own-note"
  | "auto-reply"
  | "no-reply-sender"
  | "ticket-closed"

/** The latest comment overall and the latest customer (non-operator, public) comment. */
export const latestComments = (ticket: Ticket) => {
  const latest = ticket.comments.at(-1)
  const latestCustomer = ticket.comments.findLast((comment) => !comment.isOperator && !comment.isPrivate)
  return { latest, latestCustomer }
}

const NO_REPLY_SENDER = /^(no[-_.]?reply|do[-_.]?not[-_.]?reply|mailer[-_.]?daemon|postmaster|bounces?|notifications?)([+@._-]|$)/i

const AUTO_REPLY_TEXT = new RegExp(
  [
    "\\bout of (the )?office\\b",
    "\\bautomatic reply\\b",
    "\\bauto[- ]?reply\\b",
    "\\bautoreply\\b",
    "\\bauto[- ]?response\\b",
    "\\bdelivery status notification\\b",
    "\\bundeliverable\\b",
    "\\bmail delivery (failed|subsystem)\\b",
    "\\bI am (currently )?(away|on (annual )?leave|on vacation)\\b",
    "\\bthis (is an )?automated (message|response|reply)\\b"
  ].join("|"),
  "i"
)

/** A note we wrote ourselves starts with this marker, so a webhook fired by our own note is recognised. */
export const OWN_NOTE_MARKER = "[rp-mw]"

export const isAutoReplyText = (text: string): boolean => AUTO_REPLY_TEXT.test(text.slice(0, 2_000))

export const isNoReplySender = (email: string | undefined): boolean =>
  email !== undefined && NO_REPLY_SENDER.test(email.trim())

/** Why this message must not be processed, or null to go on. `botAuthorId` identifies our own replies. */
export const skipReason = (
  envelope: EventEnvelope,
  ticket: Ticket,
  botAuthorId: string | undefined
): SkipReason | null => {
  const { latest, latestCustomer } = latestComments(ticket)
  if (latest !== undefined && isOwnComment(latest, botAuthorId)) return "own-note"
  if (latest !== undefined && latest.isOperator) return "operator-message"
  if (latestCustomer === undefined) return envelope.message.from_operator === true ? "operator-message" : "no-customer-message"
  if (ticket.status === "CLOSED") return "ticket-closed"
  if (isNoReplySender(ticket.customerEmail ?? envelope.customer.email)) return "no-reply-sender"
  if (isAutoReplyText(latestCustomer.text)) return "auto-reply"
  return null
}

/** Our own reply (bot author) or note (marker). */
export const isOwnComment = (comment: TicketComment, botAuthorId: string | undefined) =>
  (botAuthorId !== undefined && comment.authorId === botAuthorId) || comment.text.startsWith(OWN_NOTE_MARKER)

/** A human agent (an operator who is not our bot, writing publicly) has answered in this conversation. */
export const humanHasReplied = (ticket: Ticket, botAuthorId: string | undefined): boolean =>
  ticket.comments.some((comment) => comment.isOperator && !comment.isPrivate && !isOwnComment(comment, botAuthorId))
