import { createHash } from "node:crypto"
import type { Attachment, ChannelClass, EventEnvelope } from "./Envelope.js"
import { decodeEntities } from "./ScreenText.js"
import type { AttachmentInput, Comment, DecodedPayload, FlatPayload, TicketPayload } from "./WebhookPayload.js"

/**
 * Decoded webhook body → internal envelope. Pure and total: everything risky was rejected by the decoder,
 * and what is merely odd (unknown channel, missing text, strange attachments) degrades to a safe default.
 */

/**
 * The message's words as the envelope keeps them: far more than the model reads (4,000 characters, see
 * `ClassifyMessage`), because when Richpanel will not show the ticket the worker decides on this text, and the
 * Tier 0 screen must read the whole message. Worst case ~144 KB of JSON (every character escaped): within the
 * envelope's bound with the attachments' metadata.
 */
export const MAX_MESSAGE_TEXT_CHARS = 24_000

/**
 * Bounds on everything else the envelope copies from the payload, so its size depends on these constants, not on
 * the body: an empty attachment (`{}`, 3 bytes in the body) becomes `{"type":"other"}`, and 87,000 of them in a
 * 256 KiB body made an envelope over SQS's 1 MiB limit. The worker only counts attachments and re-reads the
 * ticket, so the first few attachments' metadata and the total are all it needs.
 */
export const MAX_ATTACHMENTS = 20
export const MAX_TAGS = 100
/** Longer than any tag name a routing rule could key on; a longer value is dropped, never cut into another name. */
export const MAX_TAG_CHARS = 200
/** RFC 5321: 64-character local part, @, 255-character domain. */
export const MAX_EMAIL_CHARS = 320
export const MAX_PHONE_CHARS = 64
/** Channel names, timestamps, statuses: short identifiers; a longer value is not one, and is dropped. */
export const MAX_FIELD_CHARS = 64
/** An e-mail subject line (RFC 5322 allows 998 characters per line); a longer one is cut, it is text. */
export const MAX_SUBJECT_CHARS = 998

/** Product spec §6. A Map, not an object literal, so `constructor` or `__proto__` never match. */
const CHANNELS = new Map<string, ChannelClass>([
  ["email", "email"],
  ["email_from_widget", "email"],
  ["livechat", "livechat"],
  ["chat", "livechat"],
  ["widget", "livechat"],
  ["live_chat", "livechat"],
  ["facebook_message", "social"],
  ["messenger", "social"],
  ["facebook", "social"],
  ["facebook_feed_comment", "social"],
  ["whatsapp", "social"],
  ["aircall", "phone"],
  ["phone", "phone"],
  ["sms", "phone"]
])
const CHANNEL_PREFIXES: ReadonlyArray<readonly [string, ChannelClass]> = [["instagram", "social"], ["tiktok", "tiktok"]]

/** Maps a raw `via.channel` to the class that drives auto-reply policy; anything unrecognised is `unknown`. */
export const channelClass = (raw: string | undefined): ChannelClass => {
  const key = raw?.trim().toLowerCase() ?? ""
  return CHANNELS.get(key) ?? CHANNEL_PREFIXES.find(([prefix]) => key.startsWith(prefix))?.[1] ?? "unknown"
}

/** Everything the envelope needs, still raw; one per payload shape. */
interface Draft {
  readonly conversation_no: number | string | undefined
  readonly channel: string | undefined
  readonly customer: { readonly email: string | undefined; readonly phone: string | undefined; readonly id: string | undefined }
  readonly message: {
    readonly id: string | undefined
    readonly created_at: string | undefined
    readonly text: string
    readonly attachments: ReadonlyArray<AttachmentInput>
    readonly author_id: string | undefined
    readonly from_operator: boolean | undefined
  }
  readonly tags: ReadonlyArray<string>
  readonly assignee_id: string | undefined
  readonly status: string | undefined
  readonly subject: string | undefined
  readonly last_comment_from_operator: true | undefined
}

/** Richpanel spells the flag both ways; either one being true makes the message an operator's. */
const operatorFlag = (o: { readonly isOperator?: boolean | undefined; readonly is_operator?: boolean | undefined }) =>
  o.isOperator === true || o.is_operator === true ? true : (o.isOperator ?? o.is_operator)

const fromFlat = (flat: FlatPayload): Draft => ({
  conversation_no: flat.conversation_no,
  channel: flat.channel,
  customer: { email: flat.customer_email, phone: flat.customer_phone, id: undefined },
  message: {
    id: flat.message_id,
    created_at: flat.created_at,
    text: flat.text?.trim() ?? "",
    attachments: flat.attachments ?? [],
    author_id: flat.author_id,
    from_operator: operatorFlag(flat)
  },
  tags: flat.tags ?? [],
  assignee_id: undefined,
  status: undefined,
  subject: flat.subject,
  last_comment_from_operator: undefined
})

/** The message to act on is the latest customer comment; if operators wrote them all, the latest one. */
const latestCustomerComment = (comments: ReadonlyArray<Comment>): Comment | undefined =>
  comments.findLast((comment) => operatorFlag(comment) !== true) ?? comments.at(-1)

const commentText = (comment: Comment): string => {
  const plain = comment.plain_body?.trim() ?? ""
  return plain !== "" ? plain : htmlToText(comment.body ?? "")
}

const fromTicket = (ticket: TicketPayload): Draft => {
  const comment = latestCustomerComment(ticket.comments ?? [])
  return {
    conversation_no: ticket.conversation_no,
    channel: nonEmpty(ticket.via?.channel) ?? comment?.via?.channel,
    customer: { email: ticket.customer_profile?.email, phone: ticket.customer_profile?.phone, id: ticket.customer_profile?.id },
    message: {
      id: comment?.id,
      created_at: comment?.created_at,
      text: comment === undefined ? "" : commentText(comment),
      attachments: comment?.attachments ?? [],
      author_id: comment?.author_id,
      from_operator: comment === undefined ? undefined : operatorFlag(comment)
    },
    tags: ticket.tags ?? [],
    assignee_id: ticket.assignee_id,
    status: ticket.status,
    subject: ticket.subject,
    last_comment_from_operator: operatorFlag(ticket.comments?.at(-1) ?? {}) === true ? true : undefined
  }
}

export const normalise = (payload: DecodedPayload, receivedAt: string): EventEnvelope => {
  const draft = payload.shape === "flat" ? fromFlat(payload.flat) : fromTicket(payload.ticket)
  const conversation_id = payload.conversation_id
  const channel_raw = nonEmpty(draft.channel)?.toLowerCase()
  const customer = compact({
    email: nonEmpty(draft.customer.email)?.toLowerCase(),
    phone: nonEmpty(draft.customer.phone),
    id: draft.customer.id
  })
  const { created_at, text: fullText, attachments: allAttachments } = draft.message
  // Hash what the payload carried (full text, every attachment, unbounded fields), not what the envelope keeps:
  // two long messages sharing a prefix stay distinct, and event ids are the same as before the bounds existed.
  const eventKey = draft.message.id ??
    `h${contentHash({
      conversation_id,
      channel_raw,
      customer,
      text: fullText,
      created_at,
      attachments: allAttachments.map(toAttachment),
      // Without a message id or a timestamp, a redelivery and a new message with the same words ("yes", or an
      // id-only payload) look alike; dropping the new one would lose it, so the receive time tells them apart
      // and the worker's per-comment claim catches the real duplicates after re-reading the ticket.
      received_at: created_at === undefined ? receivedAt : undefined
    })}`
  const channel = atMost(channel_raw, MAX_FIELD_CHARS)
  return {
    event_id: `evt:rp:${conversation_id}:${eventKey}`,
    received_at: receivedAt,
    conversation_id,
    ...compact({ conversation_no: conversationNo(draft.conversation_no), channel_raw: channel }),
    channel: channelClass(channel),
    customer: compact({
      email: atMost(customer.email, MAX_EMAIL_CHARS),
      phone: atMost(customer.phone, MAX_PHONE_CHARS),
      id: customer.id
    }),
    message: compact({
      id: draft.message.id,
      created_at: atMost(created_at, MAX_FIELD_CHARS),
      ...truncateText(fullText),
      attachments: allAttachments.slice(0, MAX_ATTACHMENTS).map(toAttachment),
      attachments_total: allAttachments.length > MAX_ATTACHMENTS ? allAttachments.length : undefined,
      author_id: draft.message.author_id,
      from_operator: draft.message.from_operator
    }),
    richpanel: compact({
      tags: boundedTags(draft.tags),
      assignee_id: draft.assignee_id,
      status: atMost(nonEmpty(draft.status), MAX_FIELD_CHARS),
      subject: nonEmpty(draft.subject)?.slice(0, MAX_SUBJECT_CHARS),
      last_comment_from_operator: draft.last_comment_from_operator
    }),
    meta: { attempt: 0, source: "richpanel_http_target", payload_shape: payload.shape }
  }
}

// ---- small total helpers -------------------------------------------------------------------------------

const nonEmpty = (s: string | undefined): string | undefined => {
  const trimmed = s?.trim()
  return trimmed === undefined || trimmed === "" ? undefined : trimmed
}

/** A value longer than its field can hold is not a value of that field: absent rather than cut. */
const atMost = (s: string | undefined, maxChars: number): string | undefined =>
  s !== undefined && s.length <= maxChars ? s : undefined

const boundedTags = (tags: ReadonlyArray<string>): ReadonlyArray<string> => {
  const kept = new Set<string>()
  for (const raw of tags) {
    if (kept.size === MAX_TAGS) break
    const tag = raw.trim()
    if (tag !== "" && tag.length <= MAX_TAG_CHARS) kept.add(tag)
  }
  return [...kept]
}

type Compact<T> =
  & { [K in keyof T as undefined extends T[K] ? never : K]: T[K] }
  & { [K in keyof T as undefined extends T[K] ? K : never]?: Exclude<T[K], undefined> }

/** Optional envelope fields must be absent, not `undefined` (exactOptionalPropertyTypes, Schema encoding). */
const compact = <T extends Record<string, unknown>>(o: T): Compact<T> =>
  Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Compact<T>

const conversationNo = (raw: number | string | undefined): number | undefined => {
  const n = typeof raw === "string" && /^\s*\d{1,15}\s*$/.test(raw) ? Number(raw) : raw
  return typeof n === "number" && Number.isSafeInteger(n) && n >= 0 ? Math.abs(n) : undefined // abs: no -0
}

// ---- attachments: metadata only, never content ----------------------------------------------------------

const IMAGE_EXT = /\.(?:png|jpe?g|gif|webp|heic|heif|bmp|tiff?|svg)(?:[?#]|$)/i
const PDF_EXT = /\.pdf(?:[?#]|$)/i
const MAX_URL_CHARS = 2048

const field = (o: Readonly<Record<string, unknown>>, keys: ReadonlyArray<string>): unknown =>
  keys.map((key) => (Object.hasOwn(o, key) ? o[key] : undefined)).find((v) => v !== undefined && v !== null)

const str = (v: unknown): string | undefined => (typeof v === "string" ? nonEmpty(v) : undefined)

/** Only plain http(s) links: a `data:` URL *is* the content, and huge strings are not links. */
const safeUrl = (v: unknown): string | undefined => {
  const url = str(v)
  return url !== undefined && url.length <= MAX_URL_CHARS && /^https?:\/\//i.test(url) ? url : undefined
}

const size = (v: unknown): number | undefined => {
  const n = typeof v === "string" && /^\d{1,15}$/.test(v.trim()) ? Number(v) : v
  return typeof n === "number" && Number.isFinite(n) && n >= 0 ? Math.abs(n) : undefined
}

const kindOf = (mime: string | undefined, name: string): Attachment["type"] => {
  const m = mime?.toLowerCase() ?? ""
  if (m.startsWith("image") || (!m.includes("pdf") && IMAGE_EXT.test(name))) return "image"
  return m.includes("pdf") || PDF_EXT.test(name) ? "pdf" : "other"
}

const toAttachment = (input: AttachmentInput): Attachment => {
  if (typeof input === "string") return compact({ type: kindOf(undefined, input), url: safeUrl(input) })
  const url = safeUrl(field(input, ["url", "href", "link"]))
  const name = str(field(input, ["filename", "file_name", "name"])) ?? url ?? ""
  return compact({
    type: kindOf(str(field(input, ["type", "content_type", "mime_type", "contentType", "mimeType"])), name),
    url,
    size_bytes: size(field(input, ["size_bytes", "size", "file_size"]))
  })
}

// ---- event id hash -------------------------------------------------------------------------------------

/** Key-sorted JSON, so the hash depends on the content only, never on key order. */
const canonicalJson = (value: unknown): string => {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`
  if (typeof value === "object" && value !== null) {
    const entries = Object.entries(value).filter(([, v]) => v !== undefined)
    entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`
  }
  return JSON.stringify(value) ?? "null"
}

const contentHash = (content: Record<string, unknown>): string =>
  createHash("sha256").update(canonicalJson(content), "utf8").digest("hex").slice(0, 32)

// ---- text ----------------------------------------------------------------------------------------------

const isHighSurrogate = (code: number) => code >= 0xd800 && code <= 0xdbff

/** Cuts to the maximum without splitting a surrogate pair (which would make invalid UTF-16 downstream). */
const truncateText = (text: string): { readonly text: string; readonly truncated: boolean } => {
  if (text.length <= MAX_MESSAGE_TEXT_CHARS) return { text, truncated: false }
  const end = isHighSurrogate(text.charCodeAt(MAX_MESSAGE_TEXT_CHARS - 1))
    ? MAX_MESSAGE_TEXT_CHARS - 1
    : MAX_MESSAGE_TEXT_CHARS
  return { text: text.slice(0, end), truncated: true }
}

const BLOCK_TAG = /^\/?(?:br|p|div|li|ul|ol|tr|td|th|table|h[1-6]|blockquote|hr|pre)\b/i
const RAW_TEXT_TAG = /^(?:script|style)\b/i
const RAW_TEXT_END = /<\/(?:script|style)/gi
const TAG_START = /[A-Za-z/!?]/
/**
 * Strips tags with a single forward scan (a regex like `<[^>]*>` is quadratic on "<<<<…"): block tags become
 * line breaks, `<script>`/`<style>`/comments disappear with their content, a `<` that starts no tag stays.
 */
const stripTags = (html: string): string => {
  let out = ""
  let i = 0
  while (i < html.length) {
    const open = html.indexOf("<", i)
    if (open === -1 || !TAG_START.test(html.charAt(open + 1))) {
      out += open === -1 ? html.slice(i) : html.slice(i, open + 1)
      i = open === -1 ? html.length : open + 1
      continue
    }
    const isComment = html.startsWith("<!--", open)
    const close = isComment ? html.indexOf("-->", open + 4) : html.indexOf(">", open + 1)
    if (close === -1) return out + html.slice(i) // nothing closes it: the rest is text
    const head = html.slice(open + 1, Math.min(close, open + 12))
    out += html.slice(i, open) + (BLOCK_TAG.test(head) ? "\n" : "")
    i = isComment ? close + 3 : close + 1
    if (RAW_TEXT_TAG.test(head)) {
      RAW_TEXT_END.lastIndex = i
      i = RAW_TEXT_END.exec(html)?.index ?? html.length
    }
  }
  return out
}

const collapseWhitespace = (text: string): string =>
  text.replace(/[^\S\n]+/g, " ").replace(/ ?\n\s*/g, "\n").trim()

/** Every HTML entity is decoded (Outlook writes `didn&rsquo;t`), so the model and the screens read real text. */
export const htmlToText = (html: string): string => collapseWhitespace(decodeEntities(stripTags(html)))
