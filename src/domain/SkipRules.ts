import type { Ticket, TicketComment } from "../services/Richpanel.js"
import { autoReplyEvidence, isNoReplySender } from "./AutoReply.js"

/**
 * Messages the middleware must never act on (DESIGN.md §4.9): our own and operators' comments, automatic
 * replies and no-reply senders, and tickets an agent has closed. Each skip carries a reason about the message it
 * judges — never about whatever comment happens to be the ticket's latest — and is recorded, so nothing
 * disappears silently. A Tier 0 hit overrides every skip but the first two (the worker screens first).
 */
export type SkipReason =
  | "no-customer-message"
  | "operator-message"
  | "own-note"
  | "auto-reply"
  | "no-reply-sender"
  | "ticket-closed"
  | "ticket-not-found"
  | "ticket-unreadable"

/** A note we wrote ourselves starts with this marker, so a webhook fired by our own note is recognised. */
export const OWN_NOTE_MARKER = "[rp-mw]"

/**
 * Our own reply (bot author) or note (the marker, on an operator's comment). A customer typing the marker is still a
 * customer: only the bot or an operator writes our notes.
 */
export const isOwnComment = (comment: TicketComment, botAuthorId: string | undefined): boolean =>
  (botAuthorId !== undefined && comment.authorId === botAuthorId) ||
  (comment.isOperator && comment.text.startsWith(OWN_NOTE_MARKER))

/** A public comment by the customer (not an agent, the bot, or an internal note). */
export const isCustomerComment = (comment: TicketComment): boolean => !comment.isOperator && !comment.isPrivate

/** Why the comment a webhook announced is not a customer message at all, or null when it is one. */
export const notFromCustomer = (comment: TicketComment, botAuthorId: string | undefined): SkipReason | null =>
  isOwnComment(comment, botAuthorId) ? "own-note" : isCustomerComment(comment) ? null : "operator-message"

/**
 * A comment written by the customer's mail system, not by the customer, judged from what marks one (headers, a
 * heading or autoresponder template at the start) — never from words customers use. The ticket's subject is the
 * subject of its first message only: an out-of-office that opened the ticket must not mark every later message.
 */
export const isAutoReply = (comment: TicketComment, ticket: Ticket): boolean =>
  autoReplyEvidence({
    text: comment.text,
    subject: ticket.comments.find(isCustomerComment)?.id === comment.id ? ticket.subject : undefined,
    headers: comment.headers
  }) !== null

/**
 * Why a burst of customer messages is not acted on: the ticket is closed, the sender never reads replies, or every
 * message in it is an automatic reply. Null = decide on it (its automatic replies, if any, are left out of the text).
 */
export const burstSkipReason = (
  ticket: Ticket,
  burst: { readonly genuine: number },
  senderEmail: string | undefined
): SkipReason | null =>
  ticket.status === "CLOSED"
    ? "ticket-closed"
    : isNoReplySender(senderEmail)
    ? "no-reply-sender"
    : burst.genuine === 0
    ? "auto-reply"
    : null

/** A human agent (an operator who is not our bot, writing publicly) has answered in this conversation. */
export const humanHasReplied = (ticket: Ticket, botAuthorId: string | undefined): boolean =>
  ticket.comments.some((comment) => comment.isOperator && !comment.isPrivate && !isOwnComment(comment, botAuthorId))
