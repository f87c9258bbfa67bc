import { isPreOrder } from "./DeliveryEstimate.js"

/**
 * The deterministic order match (spec §7.1) and what a reply may show of the matched order (§7.5). Nothing
 * order-specific leaves this module unless exactly one order has the number and the customer's contact matches
 * it; a contact mismatch is reported to the caller only, who must treat it like "no order found".
 */

export interface TrackingInfo {
  readonly company?: string
  readonly number?: string
  readonly url?: string
}

export interface OrderFulfillment {
  /** Shopify `FulfillmentStatus` (SUCCESS, CANCELLED, …). */
  readonly status?: string
  /** Shopify `FulfillmentDisplayStatus` (IN_TRANSIT, DELIVERED, …). */
  readonly displayStatus?: string
  readonly createdAt?: string
  readonly estimatedDeliveryAt?: string
  readonly deliveredAt?: string
  readonly tracking: ReadonlyArray<TrackingInfo>
}

/**
 * An order as a lookup returns it. `email`/`phone` exist only to be compared with the customer's, and `tags`
 * only to spot a pre-order: neither ever reaches a reply. No address, payment, items or notes are read at all.
 */
export interface OrderRecord {
  readonly id: string
  /** `#1001`, `#1001-A`. */
  readonly name: string
  readonly createdAt: string
  readonly email?: string
  readonly phone?: string
  /** Shopify `displayFulfillmentStatus` (UNFULFILLED, FULFILLED, …). */
  readonly fulfillmentStatus: string
  readonly cancelledAt?: string
  readonly tags: ReadonlyArray<string>
  /** Title of the first shipping line: picks the delivery window. */
  readonly shippingTitle?: string
  readonly statusPageUrl?: string
  readonly fulfillments: ReadonlyArray<OrderFulfillment>
}

/** Only what spec §7.5 allows in a reply, plus the ETA inputs. */
export interface DisclosableOrder {
  readonly name: string
  readonly createdAt: string
  readonly fulfillmentStatus: string
  readonly cancelled: boolean
  readonly shippingTitle?: string
  readonly preOrder: boolean
  readonly statusPageUrl?: string
  readonly fulfillments: ReadonlyArray<OrderFulfillment>
}

/** The customer's known emails and phones: the conversation profile's, plus any written in the message. */
export interface CustomerContact {
  readonly emails: ReadonlyArray<string>
  readonly phones: ReadonlyArray<string>
}

/** The order Richpanel links to a conversation: its name (`#1001`), its store id (Shopify's numeric id), or both. */
export interface LinkedOrder {
  readonly orderName?: string
  readonly orderId?: string
}

export type OrderMatch =
  | { readonly _tag: "Matched"; readonly order: DisclosableOrder }
  /** More than one order carries the identifier: never choose, a human does. */
  | { readonly _tag: "Several"; readonly count: number }
  | { readonly _tag: "None" }
  /** Exactly one order has the number, but nothing ties it to this customer. Towards the customer: same as None. */
  | { readonly _tag: "Mismatch"; readonly reason: "contact-differs" | "no-contact" }

/** `#1001`, `1001`, ` #1001-a ` all name the same order. */
export const normalizeOrderName = (name: string): string => name.trim().replace(/^#\s*/, "").toUpperCase()

export const sameEmail = (a: string, b: string): boolean => {
  const x = a.trim().toLowerCase()
  return x !== "" && x === b.trim().toLowerCase()
}

/**
 * Phones compare by digits: the last 10 when both have at least 10 (so `+1 (555) 010-0100` = `555.010.0100`, and
 * `+44 7700 900123` = `07700 900123`), otherwise all of them; fewer than 7 digits never match. Two real numbers
 * sharing their last 10 digits across countries would also need the same order number.
 */
export const samePhone = (a: string, b: string): boolean => {
  const x = a.replace(/\D/g, "")
  const y = b.replace(/\D/g, "")
  if (x.length < 7 || y.length < 7) return false
  return x.length >= 10 && y.length >= 10 ? x.slice(-10) === y.slice(-10) : x === y
}

const belongsTo = (order: OrderRecord, contact: CustomerContact): boolean =>
  contact.emails.some((email) => order.email !== undefined && sameEmail(email, order.email)) ||
  contact.phones.some((phone) => order.phone !== undefined && samePhone(phone, order.phone))

const pick = <T extends object, K extends keyof T>(from: T, keys: ReadonlyArray<K>): Pick<T, K> =>
  Object.fromEntries(keys.flatMap((k) => (from[k] === undefined ? [] : [[k, from[k]]]))) as Pick<T, K>

/** Field by field, never by spreading: whatever else a layer put on the object stays behind. */
const discloseFulfillment = (f: OrderFulfillment): OrderFulfillment => ({
  ...pick(f, ["status", "displayStatus", "createdAt", "estimatedDeliveryAt", "deliveredAt"]),
  tracking: f.tracking.map((t) => pick(t, ["company", "number", "url"]))
})

export const disclose = (order: OrderRecord, preOrderTag: string): DisclosableOrder => ({
  name: order.name,
  createdAt: order.createdAt,
  fulfillmentStatus: order.fulfillmentStatus,
  cancelled: order.cancelledAt !== undefined,
  ...(order.shippingTitle === undefined ? {} : { shippingTitle: order.shippingTitle }),
  preOrder: isPreOrder(order.tags, preOrderTag),
  ...(order.statusPageUrl === undefined ? {} : { statusPageUrl: order.statusPageUrl }),
  fulfillments: order.fulfillments.map(discloseFulfillment)
})

const single = (found: ReadonlyArray<OrderRecord>, verify: (order: OrderRecord) => OrderMatch): OrderMatch => {
  const [only] = found
  if (only === undefined) return { _tag: "None" }
  return found.length > 1 ? { _tag: "Several", count: found.length } : verify(only)
}

/** A number the customer typed: exactly one order with that name, and it carries one of their emails or phones. */
export const matchCustomerOrder = (
  candidates: ReadonlyArray<OrderRecord>,
  orderNumber: string,
  contact: CustomerContact,
  preOrderTag: string
): OrderMatch => {
  const wanted = normalizeOrderName(orderNumber)
  const hasContact = contact.emails.some((e) => e.trim() !== "") || contact.phones.some((p) => p.trim() !== "")
  return single(candidates.filter((order) => normalizeOrderName(order.name) === wanted), (order) =>
    !hasContact
      ? { _tag: "Mismatch", reason: "no-contact" }
      : belongsTo(order, contact)
      ? { _tag: "Matched", order: disclose(order, preOrderTag) }
      : { _tag: "Mismatch", reason: "contact-differs" })
}

const numericId = (id: string) => /(\d+)\s*$/.exec(id)?.[1]

/**
 * The order Richpanel linked to this conversation. Its store id is one order of the configured shop, linked by
 * Richpanel to this customer: no contact check. A name alone is not: Richpanel may link orders of another shop
 * whose numbering overlaps ours, so a name-only link must also carry the customer's email or phone.
 */
export const matchLinkedOrder = (
  candidates: ReadonlyArray<OrderRecord>,
  linked: LinkedOrder,
  contact: CustomerContact,
  preOrderTag: string
): OrderMatch => {
  const id = linked.orderId === undefined ? undefined : numericId(linked.orderId)
  if (id !== undefined) {
    const byId = candidates.filter((order) => numericId(order.id) === id)
    return single(byId, (order) => ({ _tag: "Matched", order: disclose(order, preOrderTag) }))
  }
  if (linked.orderName === undefined) return { _tag: "None" }
  return matchCustomerOrder(candidates, linked.orderName, contact, preOrderTag)
}
