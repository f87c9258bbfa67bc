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

/**
 * Who is asking: at most one email and one phone (`customerContact` picks them), so a match can never be one of
 * many contacts tried against the order.
 */
export interface CustomerContact {
  readonly email?: string
  readonly phone?: string
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

interface PhoneDigits {
  readonly digits: string
  /** Written with its country code (`+` or the `00` international prefix): `digits` is then the full E.164 number. */
  readonly international: boolean
}

/**
 * `(0)` inside an international number (`+44 (0)7700 900123`) is the trunk prefix shown for callers at home,
 * not dialled from abroad, so it is not part of the E.164 number.
 */
const phoneDigits = (phone: string): PhoneDigits => {
  const prefix = /^\s*\(?\s*(?:\+|00)/.exec(phone)
  if (prefix === null) return { digits: phone.replace(/\D/g, ""), international: false }
  return { digits: phone.slice(prefix[0].length).replace(/\(\s*0\s*\)/, "").replace(/\D/g, ""), international: true }
}

/** E.164 country codes are 1–3 digits. */
const COUNTRY_CODE = /^\d{1,3}$/

/**
 * A number without its country (`07700 900123`, `(555) 010-0100`) against one with it (`+44 7700 900123`): the
 * national number, without a leading trunk `0`, must end the international one, with a country code in front. The
 * same digits with the country code typed without `+` (`1 555 010 0100`) also match.
 */
const nationalMatches = (national: string, international: string): boolean => {
  if (national === international) return true
  const nsn = national.startsWith("0") ? national.slice(1) : national
  return nsn.length >= 7 && international.endsWith(nsn) && COUNTRY_CODE.test(international.slice(0, -nsn.length))
}

/**
 * Phones compare as numbers, not as their last digits: with a country code on both sides, the full E.164 numbers
 * (so `+44 7700 900123` is not `+1 770 090 0123`); with it on one side, the national number against the end of
 * the international one; with it on neither, all digits. Fewer than 7 digits never match.
 *
 * What stays ambiguous: a number written without its country could be in any country. `07700 900123` matches
 * `+44 7700 900123` and also `+1 770 090 0123`; only the order number, also required, tells them apart. Written
 * without `+`, a country code reads as a national number (`44 7700 900123` vs `+44…` matches only digit for
 * digit), and the US `011` exit code is not recognised: both fail towards "no match", never towards a wrong one.
 */
export const samePhone = (a: string, b: string): boolean => {
  const x = phoneDigits(a)
  const y = phoneDigits(b)
  if (x.digits.length < 7 || y.digits.length < 7) return false
  if (x.international === y.international) return x.digits === y.digits
  return x.international ? nationalMatches(y.digits, x.digits) : nationalMatches(x.digits, y.digits)
}

/** The contact must be the order's: one email, one phone, each compared once. */
const belongsTo = (order: OrderRecord, contact: CustomerContact): boolean =>
  (contact.email !== undefined && order.email !== undefined && sameEmail(contact.email, order.email)) ||
  (contact.phone !== undefined && order.phone !== undefined && samePhone(contact.phone, order.phone))

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

/** A number the customer typed: exactly one order with that name, and it carries their email or phone. */
export const matchCustomerOrder = (
  candidates: ReadonlyArray<OrderRecord>,
  orderNumber: string,
  contact: CustomerContact,
  preOrderTag: string
): OrderMatch => {
  const wanted = normalizeOrderName(orderNumber)
  const hasContact = (contact.email ?? "").trim() !== "" || (contact.phone ?? "").trim() !== ""
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
