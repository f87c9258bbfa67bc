import type { Ticket, TicketComment } from "../services/Richpanel.js"
import type { EventEnvelope } from "./Envelope.js"
import { isCustomerComment } from "./SkipRules.js"

/**
 * Customers write in bursts ("hi" — "where is my order?" — "it's 1001"), faster than a reply can land. The worker
 * decides on every customer message not yet decided, as one burst, whichever of their webhooks reaches it first;
 * the other webhooks then find their message already decided. This module holds the pure parts: which comment a
 * webhook announced, and the bounded text the model reads.
 */

/** What the classifier reads at most (product spec §5). */
export const MODEL_TEXT_CHARS = 4_000

const words = (text: string) => text.replace(/\s+/g, " ").trim()

/**
 * The comment a webhook announced, on the ticket as it was read: by its id; for a payload without one, by its words
 * (the newest comment saying exactly that); for a payload naming no message at all, the newest customer message.
 * `missing` = the read does not show it (yet): a replica lagging behind the webhook, never to be decided on. Words
 * are never tried for a payload that has an id: customers repeat themselves, and on a lagging read the words would
 * find the earlier message instead.
 */
export const findAnnounced = (ticket: Ticket, envelope: EventEnvelope): TicketComment | "missing" | undefined => {
  const { id, text, truncated } = envelope.message
  if (id !== undefined) return ticket.comments.find((comment) => comment.id === id) ?? "missing"
  const said = words(text)
  if (said === "") return ticket.comments.findLast(isCustomerComment)
  // Customers repeat themselves: when the payload says when its message was written, the words must be that one's.
  const sent = envelope.message.created_at === undefined ? Number.NaN : Date.parse(envelope.message.created_at)
  return ticket.comments.findLast((comment) => {
    const written = words(comment.text)
    const at = comment.createdAt === undefined ? Number.NaN : Date.parse(comment.createdAt)
    const sameTime = !Number.isFinite(sent) || !Number.isFinite(at) || Math.abs(at - sent) <= SAME_MESSAGE_MS
    return sameTime && (written === said || (truncated && written.startsWith(said)))
  }) ?? "missing"
}

/** Richpanel's timestamps of one message, in its webhook and on its ticket, agree to well within this. */
const SAME_MESSAGE_MS = 60_000

/**
 * The payload has no message id: what the read shows as its message may be an older one (a lagging read), so an
 * "already decided" answer deserves one more look.
 */
export const identifiedLoosely = (envelope: EventEnvelope): boolean => envelope.message.id === undefined

/** A webhook arrives within seconds of its message; a newest message older than this suggests a lagging read. */
const WEBHOOK_FRESH_MS = 5_000

/**
 * A payload that names no message (only the ticket) found nothing newer than a message written well before the
 * webhook arrived: the message it was sent for may not be on this (lagging) read yet.
 */
export const mayPredateAnnounced = (envelope: EventEnvelope, announced: TicketComment | undefined): boolean => {
  if (envelope.message.id !== undefined || envelope.message.text.trim() !== "") return false
  if (announced === undefined) return true
  const written = announced.createdAt === undefined ? Number.NaN : Date.parse(announced.createdAt)
  return Number.isFinite(written) && written < Date.parse(envelope.received_at) - WEBHOOK_FRESH_MS
}

/**
 * The burst's words for the model, at most `maxChars`: the newest message always whole (cut only if it alone is
 * longer), then earlier ones, newest first, while they fit; a marker says how many were left out. The Tier 0
 * screen does not depend on this: it reads every message in full.
 */
export const burstText = (texts: ReadonlyArray<string>, maxChars: number = MODEL_TEXT_CHARS): string => {
  const newest = texts.at(-1)
  if (newest === undefined) return ""
  const kept: Array<string> = [newest.slice(0, maxChars)]
  let used = kept[0]!.length
  let index = texts.length - 2
  for (; index >= 0; index--) {
    const text = texts[index]!
    if (used + text.length + 2 > maxChars) break
    kept.unshift(text)
    used += text.length + 2
  }
  const omitted = index + 1
  const joined = kept.join("\n\n")
  const marker = `[${omitted} earlier message${omitted === 1 ? "" : "s"} not shown]\n\n`
  return omitted === 0 || joined.length + marker.length > maxChars ? joined : marker + joined
}
