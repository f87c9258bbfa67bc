import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import { normalizeOrderName, type OrderFulfillment, type OrderRecord } from "../domain/OrderMatch.js"
import { type LinkedOrder, OrderLookup, type OrderQuery } from "../services/OrderLookup.js"
import { PAGE_SIZE } from "./ShopifyDecode.js"

/**
 * A pretend store for `npm start` without a Shopify token, so the whole "where is my order?" flow can be tried
 * locally. Dates are relative to the Clock at lookup time, so the ETA and late cases stay what they claim to be.
 * Searched like the Shopify layer: by name (with or without `#`) or store id, narrowed by email; newest first, 2 at most.
 */

interface Fixture {
  readonly name: string
  readonly email: string
  readonly phone?: string
  readonly ageDays: number
  readonly fulfillmentStatus: string
  readonly cancelled?: boolean
  readonly tags?: ReadonlyArray<string>
  readonly shippingTitle?: string
  readonly fulfillments?: ReadonlyArray<OrderFulfillment>
}

export const SAMPLE_EMAIL = "jane.doe@example.com"
export const SAMPLE_PHONE = "+1 555 010 0100"
export const OTHER_EMAIL = "sam.lee@example.com"

export const FIXTURES: ReadonlyArray<Fixture> = [
  // Shipped, with tracking → t_order_status_verified.
  {
    name: "#1001",
    email: SAMPLE_EMAIL,
    phone: SAMPLE_PHONE,
    ageDays: 4,
    fulfillmentStatus: "FULFILLED",
    shippingTitle: "Standard Shipping",
    fulfillments: [{
      status: "SUCCESS",
      displayStatus: "IN_TRANSIT",
      tracking: [{ company: "UPS", number: "1Z999AA10123456784", url: "https://www.ups.com/track?tracknum=1Z999AA10123456784" }]
    }]
  },
  // Not shipped, ordered yesterday, Standard → ETA reply.
  { name: "#1002", email: SAMPLE_EMAIL, phone: SAMPLE_PHONE, ageDays: 1, fulfillmentStatus: "UNFULFILLED", shippingTitle: "Standard Shipping" },
  // Not shipped, ordered a month ago → late: holding reply and a human.
  { name: "#1003", email: SAMPLE_EMAIL, phone: SAMPLE_PHONE, ageDays: 30, fulfillmentStatus: "UNFULFILLED", shippingTitle: "Standard Shipping" },
  // Cancelled → no reply, a human.
  { name: "#1004", email: SAMPLE_EMAIL, ageDays: 6, fulfillmentStatus: "UNFULFILLED", cancelled: true, shippingTitle: "Standard Shipping" },
  // Pre-order: the window starts 45 days after the order.
  { name: "#1005", email: SAMPLE_EMAIL, ageDays: 5, fulfillmentStatus: "UNFULFILLED", tags: ["Pre-order"], shippingTitle: "Free Shipping" },
  // Another customer: delivered, carrier and number but no link (the reply builds one).
  {
    name: "#1006",
    email: OTHER_EMAIL,
    phone: "+1 555 010 0200",
    ageDays: 9,
    fulfillmentStatus: "FULFILLED",
    shippingTitle: "Ground",
    fulfillments: [{ status: "SUCCESS", displayStatus: "DELIVERED", tracking: [{ company: "USPS", number: "9400111899223856928499" }] }]
  },
  { name: "#1007", email: OTHER_EMAIL, ageDays: 0, fulfillmentStatus: "UNFULFILLED", shippingTitle: "Express Shipping" },
  // A name with a suffix, and a shipping method no tier knows → a human.
  { name: "#1008-A", email: OTHER_EMAIL, ageDays: 2, fulfillmentStatus: "UNFULFILLED", shippingTitle: "Local pickup" },
  // Two orders sharing a name (imported orders can): the match never chooses.
  { name: "#1009", email: "alex.kim@example.com", ageDays: 3, fulfillmentStatus: "UNFULFILLED", shippingTitle: "Standard" },
  { name: "#1009", email: "alex.kim@example.com", ageDays: 8, fulfillmentStatus: "UNFULFILLED", shippingTitle: "Standard" }
]

const DAY_MS = 86_400_000

export const sampleOrders = (nowMs: number): ReadonlyArray<OrderRecord> =>
  FIXTURES.map((f, i) => {
    const createdAt = new Date(nowMs - f.ageDays * DAY_MS).toISOString()
    return {
      id: `gid://shopify/Order/90000000${1001 + i}`,
      name: f.name,
      createdAt,
      email: f.email,
      ...(f.phone === undefined ? {} : { phone: f.phone }),
      fulfillmentStatus: f.fulfillmentStatus,
      ...(f.cancelled === true ? { cancelledAt: createdAt } : {}),
      tags: f.tags ?? [],
      ...(f.shippingTitle === undefined ? {} : { shippingTitle: f.shippingTitle }),
      statusPageUrl: `https://sample-store.example.com/orders/${normalizeOrderName(f.name)}/status`,
      fulfillments: f.fulfillments ?? []
    }
  })

/** The Shopify search's semantics over the fixtures: identifiers OR-ed, email AND-ed, newest first, `first: 2`. */
export const search = (orders: ReadonlyArray<OrderRecord>, query: OrderQuery): ReadonlyArray<OrderRecord> => {
  const name = query.orderNumber === undefined ? undefined : normalizeOrderName(query.orderNumber)
  const id = /(\d+)\s*$/.exec(query.orderId ?? "")?.[1]
  const email = query.email?.trim().toLowerCase() ?? ""
  if (name === undefined && id === undefined && email === "") return []
  const byIdentifier = (o: OrderRecord) =>
    (name === undefined && id === undefined) ||
    (name !== undefined && normalizeOrderName(o.name) === name) ||
    (id !== undefined && o.id.endsWith(`/${id}`))
  return orders
    .filter((o) => byIdentifier(o) && (email === "" || o.email?.toLowerCase() === email))
    .toSorted((a, b) => b.createdAt.localeCompare(a.createdAt))
    .slice(0, PAGE_SIZE)
}

export const layer = Layer.succeed(
  OrderLookup,
  OrderLookup.of({
    findOrders: (query) => Effect.map(Clock.currentTimeMillis, (now) => search(sampleOrders(now), query)),
    // No Richpanel to ask in a local run: nothing is ever linked.
    linkedOrder: () => Effect.succeed(Option.none<LinkedOrder>())
  })
)
