import * as Either from "effect/Either"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
/**
 * Webhook bodies ingress accepts (DESIGN §3). The Richpanel rule body is a template the customer writes, so
 * two shapes are accepted: a flat object and a ticket object (bare or under `ticket`). Unknown keys are
 * ignored; `null` counts as absent because a template placeholder with no value renders as `null`.
 * Every leaf and union carries a `message` annotation so a rejection names the field and what was expected.
 */

export const MAX_ID_CHARS = 256

/** Leaves and unions: the annotation replaces whatever the members would have said. */
const expected = (message: string) => ({ message: () => ({ message, override: true }) })

/** The value itself has the wrong type (not a failure further down, which keeps its own path). */
const isShapeMismatch = (issue: ParseResult.ParseIssue): boolean =>
  issue._tag === "Type" ||
  (((issue._tag === "Transformation" && issue.kind === "Encoded") ||
    (issue._tag === "Refinement" && issue.kind === "From")) && isShapeMismatch(issue.issue))

/** Objects and arrays: name the container only when it is the wrong type, else report the inner field. */
const container = (message: string) => ({
  message: (issue: ParseResult.ParseIssue) => ({ message, override: isShapeMismatch(issue) })
})

const opt = <S extends Schema.Schema.Any>(schema: S) => Schema.optionalWith(schema, { nullable: true })

const ID_EXPECTED = `must be a non-empty string or number of at most ${MAX_ID_CHARS} characters`

/** Ids may arrive as numbers (template placeholders); they are trimmed strings from here on. */
export const Id = Schema.transform(
  Schema.Union(Schema.String, Schema.Number),
  Schema.String,
  { strict: true, decode: (raw) => String(raw).trim(), encode: (id) => id }
).pipe(
  Schema.filter((id) => id.length > 0 && id.length <= MAX_ID_CHARS),
  (id) => id.annotations(expected(ID_EXPECTED))
)

/** A key that must be present (comment ids): a missing key is reported on the property, not the type. */
const RequiredId = Schema.propertySignature(Id).annotations({ missingMessage: () => "is required (string or number)" })

const Text = Schema.String.annotations(expected("must be a string"))
const Flag = Schema.Boolean.annotations(expected("must be true or false"))
const ConversationNo = Schema.Union(Schema.Number, Schema.String).annotations(
  expected("must be a number or a string")
)

const TAG_EXPECTED = "must be a string or an object with a name or id"
/** Richpanel returns tag names on some tenants and `{id, name}` objects on others; keep one string each. */
const Tag = Schema.transformOrFail(
  Schema.Union(Text, Schema.Struct({ name: opt(Text), id: opt(Id) })),
  Schema.String,
  {
    strict: true,
    decode: (tag, _, ast) => {
      const name = typeof tag === "string" ? tag : (tag.name ?? tag.id)
      return name === undefined
        ? ParseResult.fail(new ParseResult.Type(ast, tag, TAG_EXPECTED))
        : ParseResult.succeed(name.trim())
    },
    encode: ParseResult.succeed
  }
).annotations(expected(TAG_EXPECTED))

const Tags = Schema.Array(Tag).annotations(container("must be an array"))

/** Attachment objects are undocumented; keep them loose and let `normalise` pick the few fields it uses. */
export const AttachmentInput = Schema.Union(
  Text,
  Schema.Record({ key: Schema.String, value: Schema.Unknown })
).annotations(expected("must be an object or a URL string"))
export type AttachmentInput = typeof AttachmentInput.Type

const Attachments = Schema.Array(AttachmentInput).annotations(container("must be an array"))

const Via = Schema.Struct({ channel: opt(Text) }).annotations(container("must be an object"))

export const Comment = Schema.Struct({
  id: RequiredId,
  author_id: opt(Id),
  created_at: opt(Text),
  body: opt(Text),
  plain_body: opt(Text),
  isOperator: opt(Flag),
  is_operator: opt(Flag),
  attachments: opt(Attachments),
  via: opt(Via)
}).annotations(container("must be an object"))
export type Comment = typeof Comment.Type

const ticketFields = {
  id: opt(Id),
  conversation_no: opt(ConversationNo),
  status: opt(Text),
  subject: opt(Text),
  via: opt(Via),
  comments: opt(Schema.Array(Comment).annotations(container("must be an array"))),
  customer_profile: opt(
    Schema.Struct({ email: opt(Text), phone: opt(Text), id: opt(Id) }).annotations(container("must be an object"))
  ),
  tags: opt(Tags),
  assignee_id: opt(Id)
}

export const TicketPayload = Schema.Struct(ticketFields).annotations(container("must be an object"))
export type TicketPayload = typeof TicketPayload.Type

/** Ids a template may put beside (wrapped) or inside (bare) a ticket; used only when `ticket.id` is absent. */
const outerIds = { conversation_id: opt(Id), ticket_id: opt(Id) }

export const WrappedTicketPayload = Schema.Struct({ ticket: TicketPayload, ...outerIds, id: opt(Id) })
export const BareTicketPayload = Schema.Struct({ ...ticketFields, ...outerIds })

export const FlatPayload = Schema.Struct({
  ...outerIds,
  id: opt(Id),
  message_id: opt(Id),
  text: opt(Text),
  /** The e-mail subject: screened for Tier 0 with the message when the worker cannot read the ticket. */
  subject: opt(Text),
  channel: opt(Text),
  customer_email: opt(Text),
  customer_phone: opt(Text),
  created_at: opt(Text),
  tags: opt(Tags),
  author_id: opt(Id),
  is_operator: opt(Flag),
  isOperator: opt(Flag),
  attachments: opt(Attachments),
  conversation_no: opt(ConversationNo)
})
export type FlatPayload = typeof FlatPayload.Type

export type DecodedPayload =
  | { readonly shape: "flat"; readonly conversation_id: string; readonly flat: FlatPayload }
  | { readonly shape: "ticket"; readonly conversation_id: string; readonly ticket: TicketPayload }

export class PayloadError extends Schema.TaggedError<PayloadError>()("PayloadError", {
  field: Schema.String,
  message: Schema.String
}) {}

export const BODY_NOT_OBJECT_MESSAGE = "body must be a JSON object"
export const MISSING_ID_MESSAGE = "conversation_id, ticket_id or id is required (string or number)"

const isObject = (u: unknown): u is Record<string, unknown> =>
  typeof u === "object" && u !== null && !Array.isArray(u)

type Shape = "flat" | "wrapped" | "bare"

const shapeOf = (body: Record<string, unknown>): Shape =>
  Object.hasOwn(body, "ticket") && isObject(body["ticket"])
    ? "wrapped"
    : ["comments", "via", "customer_profile"].some((key) => Object.hasOwn(body, key))
    ? "bare"
    : "flat"

/** `["ticket", "comments", 2, "id"]` → `ticket.comments[2].id`. */
const fieldPath = (path: ReadonlyArray<PropertyKey>): string =>
  path.reduce<string>(
    (acc, key) => typeof key === "number" ? `${acc}[${key}]` : acc === "" ? String(key) : `${acc}.${String(key)}`,
    ""
  ) || "body"

const toPayloadError = (error: ParseResult.ParseError): PayloadError => {
  const issue = ParseResult.ArrayFormatter.formatErrorSync(error)[0]
  const field = fieldPath(issue?.path ?? [])
  return new PayloadError({ field, message: `${field} ${issue?.message ?? "is invalid"}` })
}

const decodeWith = <A, I>(schema: Schema.Schema<A, I>, body: unknown): Either.Either<A, PayloadError> =>
  Either.mapLeft(Schema.decodeUnknownEither(schema)(body), toPayloadError)

const requireId = (
  ids: ReadonlyArray<string | undefined>,
  make: (conversationId: string) => DecodedPayload
): Either.Either<DecodedPayload, PayloadError> => {
  const id = ids.find((candidate) => candidate !== undefined)
  return id === undefined
    ? Either.left(new PayloadError({ field: "conversation_id", message: MISSING_ID_MESSAGE }))
    : Either.right(make(id))
}

/** Validates a parsed JSON body; the error names the first offending field (JSON path) for the 400 body. */
export const decodeWebhookPayload = (input: unknown): Either.Either<DecodedPayload, PayloadError> => {
  if (!isObject(input)) return Either.left(new PayloadError({ field: "body", message: BODY_NOT_OBJECT_MESSAGE }))
  switch (shapeOf(input)) {
    case "wrapped":
      return Either.flatMap(decodeWith(WrappedTicketPayload, input), (body) =>
        requireId(
          [body.ticket.id, body.conversation_id, body.ticket_id, body.id],
          (conversation_id) => ({ shape: "ticket", conversation_id, ticket: body.ticket })
        ))
    case "bare":
      return Either.flatMap(decodeWith(BareTicketPayload, input), (body) =>
        requireId(
          [body.id, body.conversation_id, body.ticket_id],
          (conversation_id) => ({ shape: "ticket", conversation_id, ticket: body })
        ))
    case "flat":
      return Either.flatMap(decodeWith(FlatPayload, input), (body) =>
        requireId(
          [body.conversation_id, body.ticket_id, body.id],
          (conversation_id) => ({ shape: "flat", conversation_id, flat: body })
        ))
  }
}
