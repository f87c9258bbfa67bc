import * as Either from "effect/Either"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import type { RichpanelTag, RichpanelUser, Ticket, TicketComment } from "../services/Richpanel.js"
import { htmlToText } from "../domain/normalise.js"
import { commentHeaders } from "./RichpanelHeaders.js"

/**
 * Richpanel response bodies → service types. The API is thinly documented and differs between tenants and
 * endpoints (reference/richpanel.md §2), so every field is optional and `null` counts as absent; only the
 * shape we cannot work without (a ticket object, a list) makes a body undecodable.
 */

const opt = <S extends Schema.Schema.Any>(schema: S) => Schema.optionalWith(schema, { nullable: true })
/** Ids are opaque strings; numbers are accepted and stringified. */
const IdLike = Schema.Union(Schema.String, Schema.Number)
const Via = Schema.Struct({ channel: opt(Schema.String) })

const RawComment = Schema.Struct({
  id: opt(IdLike),
  author_id: opt(IdLike),
  created_at: opt(IdLike),
  body: opt(Schema.String),
  plain_body: opt(Schema.String),
  isOperator: opt(Schema.Boolean),
  is_operator: opt(Schema.Boolean),
  sender_type: opt(Schema.String),
  public: opt(Schema.Boolean),
  type: opt(Schema.String),
  attachments: opt(Schema.Array(Schema.Unknown)),
  via: opt(Via),
  /** Undocumented contents: read leniently by `commentHeaders`, never a reason to reject the ticket. */
  metadata: opt(Schema.Unknown)
})
type RawComment = typeof RawComment.Type

const ticketFields = {
  conversation_no: opt(IdLike),
  status: opt(Schema.String),
  /** Unknown, not String: an odd subject must not make the ticket unreadable. */
  subject: opt(Schema.Unknown),
  via: opt(Via),
  customer_profile: opt(Schema.Struct({ email: opt(Schema.String), phone: opt(IdLike) })),
  /** Names on some tenants, `{id, name}` objects on others. */
  tags: opt(Schema.Array(Schema.Union(Schema.String, Schema.Struct({ name: opt(Schema.String), id: opt(IdLike) })))),
  comments: opt(Schema.Array(RawComment))
}
/** `GET /tickets/{id}` answers `{"ticket":{…}}`; list items and some samples are bare, so a bare one needs its id. */
const WrappedTicket = Schema.Struct({ ticket: Schema.Struct({ id: opt(IdLike), ...ticketFields }) })
const BareTicket = Schema.Struct({ id: IdLike, ...ticketFields })
type RawTicket = typeof BareTicket.Type | typeof WrappedTicket.Type["ticket"]

// ---- mapping -------------------------------------------------------------------------------------------

const nonEmpty = (value: string | number | undefined): string | undefined => {
  const trimmed = value === undefined ? undefined : String(value).trim()
  return trimmed === "" ? undefined : trimmed
}

/** An optional property that is absent rather than `undefined` (exactOptionalPropertyTypes). */
const maybe = <K extends string, V>(key: K, value: V | undefined): Partial<Record<K, V>> =>
  value === undefined ? {} : ({ [key]: value } as Record<K, V>)

/** "note", "private_note", "internal-comment", "Private"… but not a customer's "VoiceNote". */
const PRIVATE_TYPE = /^(?:private|internal)|^note$/i

const toComment = (comment: RawComment, index: number): TicketComment => {
  const isPrivate = comment.public === false || PRIVATE_TYPE.test(comment.type?.trim() ?? "")
  return {
    // Positional fallback: stable as long as Richpanel only appends comments.
    id: nonEmpty(comment.id) ?? `#${index}`,
    ...maybe("authorId", nonEmpty(comment.author_id)),
    // Notes count as operator comments even when unflagged: replying to an internal note would leak it.
    isOperator: comment.isOperator === true || comment.is_operator === true ||
      comment.sender_type?.toLowerCase() === "operator" || isPrivate,
    isPrivate,
    ...maybe("createdAt", nonEmpty(comment.created_at)),
    text: nonEmpty(comment.plain_body) ?? htmlToText(comment.body ?? ""),
    attachmentCount: comment.attachments?.length ?? 0,
    ...maybe("headers", commentHeaders(comment.metadata))
  }
}

const conversationNo = (raw: string | number | undefined): number | undefined => {
  const n = typeof raw === "string" && /^\s*\d{1,15}\s*$/.test(raw) ? Number(raw) : raw
  return typeof n === "number" && Number.isSafeInteger(n) && n >= 0 ? n : undefined
}

const toTicket = (raw: RawTicket, id: string): Ticket => {
  const rawComments = raw.comments ?? []
  const comments = rawComments.map(toComment)
  const customerChannel = rawComments.findLast((_, i) => comments[i]?.isOperator === false)?.via?.channel
  const tags = (raw.tags ?? []).flatMap((tag) => nonEmpty(typeof tag === "string" ? tag : tag.name ?? tag.id) ?? [])
  return {
    id,
    ...maybe("conversationNo", conversationNo(raw.conversation_no)),
    status: nonEmpty(raw.status)?.toUpperCase() ?? "UNKNOWN",
    ...maybe("channelRaw", nonEmpty(raw.via?.channel ?? customerChannel)?.toLowerCase()),
    ...maybe("subject", typeof raw.subject === "string" ? nonEmpty(raw.subject) : undefined),
    ...maybe("customerEmail", nonEmpty(raw.customer_profile?.email)?.toLowerCase()),
    ...maybe("customerPhone", nonEmpty(raw.customer_profile?.phone)),
    tags: [...new Set(tags)],
    comments
  }
}

const isObject = (u: unknown): u is Readonly<Record<string, unknown>> =>
  typeof u === "object" && u !== null && !Array.isArray(u)

/**
 * Names the offending fields only: the formatter's "actual" values could be customer text. A nullable field
 * also reports its `null` alternative one level up; the deepest path is the useful one.
 */
const parseFailure = (what: string) => (error: ParseResult.ParseError) => {
  const paths = [...new Set(ParseResult.ArrayFormatter.formatErrorSync(error).map((issue) => issue.path.join(".")))]
  const deepest = paths.filter((path) => !paths.some((other) => other !== path && other.startsWith(path === "" ? "" : `${path}.`)))
  return `${what} (${deepest.slice(0, 5).map((path) => path || "body").join(", ")})`
}

/** A ticket body, wrapped or bare; `requestedId` fills in a wrapped ticket without an id. */
export const decodeTicket = (body: unknown, requestedId: string): Either.Either<Ticket, string> => {
  const raw: Either.Either<RawTicket, ParseResult.ParseError> = isObject(body) && isObject(body["ticket"])
    ? Either.map(Schema.decodeUnknownEither(WrappedTicket)(body), ({ ticket }) => ticket)
    : Schema.decodeUnknownEither(BareTicket)(body)
  return raw.pipe(
    Either.mapLeft(parseFailure("unreadable ticket")),
    Either.map((ticket) => toTicket(ticket, nonEmpty(ticket.id) ?? requestedId))
  )
}

// ---- lists ---------------------------------------------------------------------------------------------

const TagItem = Schema.Struct({ id: IdLike, name: opt(Schema.String) })
const UserItem = Schema.Struct({ id: IdLike, name: opt(Schema.String), email: opt(Schema.String), role: opt(Schema.String) })

const toTag = (tag: typeof TagItem.Type): RichpanelTag => ({ id: String(tag.id), name: nonEmpty(tag.name) ?? String(tag.id) })
const toUser = (user: typeof UserItem.Type): RichpanelUser => ({
  id: String(user.id),
  ...maybe("name", nonEmpty(user.name)),
  ...maybe("email", nonEmpty(user.email)),
  ...maybe("role", nonEmpty(user.role))
})

const NextPage = opt(Schema.Union(Schema.Number, Schema.String, Schema.Boolean))

const pageParam = (url: string): string | undefined => {
  try {
    return new URL(url, "http://relative/").searchParams.get("page") ?? undefined
  } catch {
    return undefined
  }
}

/** Where `next_page` points after `page`: a number, a digit string, a URL with `page=`, or nothing. */
const nextPage = (next: number | string | boolean | undefined, page: number): number | undefined => {
  if (next === undefined || next === false || next === "") return undefined
  if (next === true) return page + 1
  const fromUrl = typeof next === "string" && !/^\s*\d+\s*$/.test(next) ? pageParam(next) ?? page + 1 : next
  const n = Number(fromUrl)
  // Never go backwards or stand still: a server that repeats a page must not loop us.
  return Number.isSafeInteger(n) && n > page ? n : undefined
}

export interface ListPage<A> {
  readonly items: ReadonlyArray<A>
  readonly nextPage: number | undefined
}

const decodePage = <A, I, B>(key: string, item: Schema.Schema<A, I>, map: (a: A) => B) =>
(body: unknown, page: number): Either.Either<ListPage<B>, string> => {
  // The documented key is singular (`tag`, `user`); the plural is accepted in case an endpoint differs.
  const items = isObject(body) ? body[key] ?? body[`${key}s`] : undefined
  const Page = Schema.Struct({ items: Schema.propertySignature(Schema.Array(item)).pipe(Schema.fromKey(key)), next_page: NextPage })
  return Either.map(
    Either.mapLeft(
      Schema.decodeUnknownEither(Page)({ [key]: items, next_page: isObject(body) ? body["next_page"] : undefined }),
      parseFailure(`unreadable ${key} list`)
    ),
    (decoded) => ({ items: decoded.items.map(map), nextPage: nextPage(decoded.next_page, page) })
  )
}

export const decodeTagPage = decodePage("tag", TagItem, toTag)
export const decodeUserPage = decodePage("user", UserItem, toUser)

// ---- error bodies --------------------------------------------------------------------------------------

const messageOf = (value: unknown): string | undefined =>
  typeof value === "string"
    ? nonEmpty(value)
    : Array.isArray(value)
    ? errorReason(value)
    : isObject(value) && typeof value["message"] === "string"
    ? nonEmpty(value["message"])
    : undefined

/**
 * The reason in an error body, whichever of the shapes seen it has: `error.message`, `errors.message`,
 * `message`, or a validation array `[{msg, param}]`. Submitted `value`s are left out: they may be customer text.
 */
export const errorReason = (body: unknown): string | undefined => {
  if (Array.isArray(body)) {
    const parts = body.flatMap((item) => {
      const msg = isObject(item) ? item["msg"] ?? item["message"] : undefined
      return typeof msg !== "string" ? [] : [typeof item["param"] === "string" ? `${item["param"]}: ${msg}` : msg]
    })
    return parts.length === 0 ? undefined : parts.join("; ").slice(0, 300)
  }
  if (!isObject(body)) return undefined
  return (messageOf(body["error"]) ?? messageOf(body["errors"]) ?? messageOf(body))?.slice(0, 300)
}

/** API Gateway in front of Richpanel answers `{"message":"Endpoint request timed out"}` when the backend is slow. */
export const isGatewayTimeout = (body: unknown): boolean =>
  isObject(body) && typeof body["message"] === "string" && /endpoint request timed out/i.test(body["message"])
