import { createHash } from "node:crypto"

/**
 * SQS FIFO `MessageGroupId` / `MessageDeduplicationId`: at most 128 characters of printable ASCII without
 * space (`[A-Za-z0-9!"#$%&'()*+,-./:;<=>?@[\]^_`{|}~]`). Richpanel ids are opaque and may be up to 256
 * characters or contain anything, so an id SQS would reject is replaced by a deterministic hash — the same
 * conversation always lands in the same group and a redelivered event always carries the same dedup id.
 */

export const MAX_SQS_ID_CHARS = 128

const VALID_SQS_ID = /^[\x21-\x7e]{1,128}$/

const sqsSafe = (id: string): string =>
  VALID_SQS_ID.test(id) ? id : `h:${createHash("sha256").update(id, "utf8").digest("hex")}`

export const messageGroupId = (conversationId: string): string => sqsSafe(conversationId)

export const deduplicationId = (eventId: string): string => sqsSafe(eventId)

/**
 * SQS accepts only #x9 | #xA | #xD | #x20–#xD7FF | #xE000–#xFFFD | #x10000–#x10FFFF in a body and refuses the whole
 * message otherwise (`InvalidMessageContents`) — on every try, so a customer typing U+FFFF would be answered 503
 * forever. `JSON.stringify` already escapes control characters and lone surrogates; the two noncharacters U+FFFE and
 * U+FFFF it leaves as they are, so they are escaped here. The body still parses to the same envelope.
 */
export const queueBody = (envelope: unknown): string =>
  JSON.stringify(envelope).replace(/[\uFFFE\uFFFF]/g, (char) => `\\u${char.charCodeAt(0).toString(16)}`)
