import * as Either from "effect/Either"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import { normalizeOrderName, type OrderFulfillment, type OrderRecord } from "../domain/OrderMatch.js"
import type { OrderQuery } from "../services/OrderLookup.js"

/**
 * The one GraphQL query the middleware sends (reference/shopify_openai.md A2), and its answer → domain types.
 * Deliberately without line items, addresses, customer, payment or notes: we never disclose them, and every
 * field not read is one that cannot leak and costs nothing. `first: 2` is enough to see that a name is ambiguous.
 */
export const ORDER_QUERY = `query OrderStatusLookup($search: String!, $first: Int!) {
  orders(first: $first, query: $search, sortKey: PROCESSED_AT, reverse: true) {
    nodes {
      id name createdAt email phone tags displayFulfillmentStatus cancelledAt statusPageUrl
      shippingLines(first: 1) { nodes { title } }
      fulfillments(first: 5) {
        status displayStatus createdAt estimatedDeliveryAt deliveredAt
        trackingInfo(first: 3) { company number url }
      }
    }
  }
}`
export const PAGE_SIZE = 2
/** Shopify's requested cost for ORDER_QUERY, estimated (2 + 2 × (1 order + 3 shipping lines + 5 × 4 fulfillments)). */
export const QUERY_COST_ESTIMATE = 50

const quote = (value: string) => `"${value.replace(/["\\]/g, (c) => `\\${c}`)}"`

/**
 * The `orders(query:)` search: identifiers OR-ed, the email AND-ed. The grammar (shopify.dev search syntax)
 * allows `( … )` sub-queries but states no precedence between AND and OR, so the OR group is always
 * parenthesised when an email narrows it. `#` in names: both spellings are searched (which one Shopify
 * needs is unconfirmed). Undefined when there is nothing to search for: an empty query would list every order.
 */
export const searchString = (query: OrderQuery): string | undefined => {
  const name = query.orderNumber === undefined ? "" : normalizeOrderName(query.orderNumber)
  const id = /(\d+)\s*$/.exec(query.orderId ?? "")?.[1]
  const ids = [
    ...(name === "" ? [] : [`name:${quote(`#${name}`)}`, `name:${quote(name)}`]),
    ...(id === undefined ? [] : [`id:${id}`])
  ]
  const email = query.email?.trim() ?? ""
  if (ids.length === 0) return email === "" ? undefined : `email:${quote(email)}`
  const either = ids.join(" OR ")
  return email === "" ? either : `(${either}) AND email:${quote(email)}`
}

const opt = <S extends Schema.Schema.Any>(schema: S) => Schema.optionalWith(schema, { nullable: true })

const Fulfillment = Schema.Struct({
  status: opt(Schema.String),
  displayStatus: opt(Schema.String),
  createdAt: opt(Schema.String),
  estimatedDeliveryAt: opt(Schema.String),
  deliveredAt: opt(Schema.String),
  trackingInfo: opt(Schema.Array(Schema.Struct({ company: opt(Schema.String), number: opt(Schema.String), url: opt(Schema.String) })))
})

const Order = Schema.Struct({
  id: Schema.String,
  name: Schema.String,
  createdAt: Schema.String,
  email: opt(Schema.String),
  phone: opt(Schema.String),
  tags: opt(Schema.Array(Schema.String)),
  displayFulfillmentStatus: Schema.String,
  cancelledAt: opt(Schema.String),
  statusPageUrl: opt(Schema.String),
  shippingLines: opt(Schema.Struct({ nodes: Schema.Array(Schema.Struct({ title: opt(Schema.String) })) })),
  fulfillments: opt(Schema.Array(Fulfillment))
})

const ThrottleStatus = Schema.Struct({
  maximumAvailable: opt(Schema.Number),
  currentlyAvailable: Schema.Number,
  restoreRate: Schema.Number
})

const Answer = Schema.Struct({
  data: opt(Schema.Struct({ orders: opt(Schema.Struct({ nodes: Schema.Array(Order) })) })),
  // A list of GraphQL errors; a bare string (`{"errors": "Not Found"}`) is what non-GraphQL failures carry.
  errors: opt(Schema.Union(
    Schema.String,
    Schema.Array(Schema.Struct({ message: opt(Schema.String), extensions: opt(Schema.Struct({ code: opt(Schema.String) })) }))
  )),
  extensions: opt(Schema.Struct({
    cost: opt(Schema.Struct({ requestedQueryCost: opt(Schema.Number), throttleStatus: opt(ThrottleStatus) }))
  }))
})

export interface Throttle {
  readonly currentlyAvailable: number
  readonly restoreRate: number
}

export interface DecodedAnswer {
  /** Undefined when the answer carried no readable `data.orders`. */
  readonly orders: ReadonlyArray<OrderRecord> | undefined
  readonly errors: ReadonlyArray<{ readonly message: string; readonly code?: string }>
  readonly requestedCost: number | undefined
  readonly throttle: Throttle | undefined
}

const defined = <K extends string, V>(key: K, value: V | undefined): Partial<Record<K, V>> =>
  value === undefined || value === "" ? {} : ({ [key]: value } as Record<K, V>)

const toFulfillment = (f: typeof Fulfillment.Type): OrderFulfillment => ({
  ...defined("status", f.status),
  ...defined("displayStatus", f.displayStatus),
  ...defined("createdAt", f.createdAt),
  ...defined("estimatedDeliveryAt", f.estimatedDeliveryAt),
  ...defined("deliveredAt", f.deliveredAt),
  tracking: (f.trackingInfo ?? []).map((t) => ({ ...defined("company", t.company), ...defined("number", t.number), ...defined("url", t.url) }))
})

const toOrder = (o: typeof Order.Type): OrderRecord => ({
  id: o.id,
  name: o.name,
  createdAt: o.createdAt,
  ...defined("email", o.email),
  ...defined("phone", o.phone),
  fulfillmentStatus: o.displayFulfillmentStatus,
  ...defined("cancelledAt", o.cancelledAt),
  tags: o.tags ?? [],
  ...defined("shippingTitle", o.shippingLines?.nodes[0]?.title),
  ...defined("statusPageUrl", o.statusPageUrl),
  fulfillments: (o.fulfillments ?? []).map(toFulfillment)
})

/** Names the offending fields only: the formatter's "actual" values could be customer data. */
const parseFailure = (error: ParseResult.ParseError) => {
  const paths = ParseResult.ArrayFormatter.formatErrorSync(error).map((issue) => issue.path.join(".") || "body")
  return `unreadable Shopify answer (${[...new Set(paths)].slice(0, 5).join(", ")})`
}

export const decodeAnswer = (body: unknown): Either.Either<DecodedAnswer, string> =>
  Either.map(Either.mapLeft(Schema.decodeUnknownEither(Answer)(body), parseFailure), (answer) => ({
    orders: answer.data?.orders?.nodes.map(toOrder),
    errors: typeof answer.errors === "string"
      ? [{ message: answer.errors }]
      : (answer.errors ?? []).map((e) => ({ message: e.message ?? "", ...defined("code", e.extensions?.code) })),
    requestedCost: answer.extensions?.cost?.requestedQueryCost,
    throttle: answer.extensions?.cost?.throttleStatus
  }))

/** Seconds until `cost` points are back in the bucket, as ms; at least 1 s (Shopify restores per second). */
export const waitForPointsMs = (cost: number, throttle: Throttle): number =>
  throttle.restoreRate > 0 ? Math.max(1, Math.ceil((cost - throttle.currentlyAvailable) / throttle.restoreRate)) * 1000 : 1000
