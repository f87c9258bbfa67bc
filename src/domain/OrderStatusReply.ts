import { DEFAULT_DELIVERY_SETTINGS, type DeliverySettings, estimateDelivery, formatStoreDate } from "./DeliveryEstimate.js"
import type { DisclosableOrder, OrderFulfillment, TrackingInfo } from "./OrderMatch.js"
import type { OrderFinding } from "./PolicyTypes.js"

/**
 * An order lookup's result → the reply case of spec §7.2, as the policy's `OrderFinding`. Pure: `now` is the
 * message's time from the Clock. Template variables come only from the disclosable projection (§7.5).
 */

export type LookupSource = "customer" | "linked"

/** What `lookupOrder` found. `NotFound` covers "no such order" and "not this customer's": the reply is the same. */
export type OrderLookupResult =
  | { readonly _tag: "Matched"; readonly source: LookupSource; readonly order: DisclosableOrder }
  | { readonly _tag: "Several"; readonly source: LookupSource; readonly count: number }
  | {
    readonly _tag: "NotFound"
    readonly reason: "no-order-number" | "not-found" | "linked-not-found" | "contact-mismatch" | "no-contact"
  }

const CARRIER_LINKS: ReadonlyArray<readonly [RegExp, (n: string) => string]> = [
  [/\busps\b/i, (n) => `https://tools.usps.com/go/TrackConfirmAction?tLabels=${n}`],
  [/\bups\b/i, (n) => `https://www.ups.com/track?tracknum=${n}`],
  [/\bfed\s?ex\b/i, (n) => `https://www.fedex.com/fedextrack/?trknbr=${n}`],
  [/\bdhl\b/i, (n) => `https://www.dhl.com/global-en/home/tracking/tracking-express.html?submit=1&tracking-id=${n}`]
]

/** Shopify's link when it is https; else one built from the carrier's pattern (spec §7.2); else none. */
export const trackingLink = (tracking: TrackingInfo): string | undefined => {
  if (tracking.url !== undefined && /^https:\/\/[^\s]+$/i.test(tracking.url)) return tracking.url
  const company = tracking.company
  const number = tracking.number === undefined ? undefined : encodeURIComponent(tracking.number.trim())
  if (company === undefined || number === undefined || number === "") return undefined
  return CARRIER_LINKS.find(([carrier]) => carrier.test(company))?.[1](number)
}

/** `IN_TRANSIT` → "In transit". */
export const humanStatus = (status: string): string => {
  const words = status.trim().toLowerCase().replace(/_/g, " ")
  return words.charAt(0).toUpperCase() + words.slice(1)
}

/** The newest live fulfillment that carries a tracking number. */
const tracked = (order: DisclosableOrder): { fulfillment: OrderFulfillment; tracking: TrackingInfo } | undefined => {
  for (const fulfillment of [...order.fulfillments].reverse()) {
    if (fulfillment.status === "CANCELLED") continue
    const tracking = fulfillment.tracking.find((t) => (t.number ?? "").trim() !== "")
    if (tracking !== undefined) return { fulfillment, tracking }
  }
  return undefined
}

const vars = (entries: Record<string, string | undefined>): Record<string, string> =>
  Object.fromEntries(Object.entries(entries).filter((e): e is [string, string] => e[1] !== undefined && e[1] !== ""))

const SHIPPED = new Set(["FULFILLED", "PARTIALLY_FULFILLED"])
/**
 * Waiting on something a window cannot predict: a human decides. A pre-order on hold is the exception: Shopify
 * holds pre-orders until stock arrives, which is exactly what the pre-order window (order date + 45 days) models.
 */
const STUCK = new Set(["ON_HOLD", "REQUEST_DECLINED"])

const verified = (order: DisclosableOrder, reason: string, settings: DeliverySettings): OrderFinding => {
  const found = tracked(order)
  return {
    _tag: "Reply",
    templateId: "t_order_status_verified",
    handOver: false,
    reason,
    variables: vars({
      order_id: order.name,
      order_status: humanStatus(found?.fulfillment.displayStatus ?? order.fulfillmentStatus),
      fulfillment_status: humanStatus(order.fulfillmentStatus),
      tracking_company: found?.tracking.company,
      tracking_number: found?.tracking.number?.trim(),
      tracking_url: found === undefined ? undefined : trackingLink(found.tracking),
      // The status page opens the whole order (address, items): only when the routing config says so.
      status_url: settings.statusPageLink ? order.statusPageUrl : undefined
    })
  }
}

const delayed = (order: DisclosableOrder, reason: string, settings: DeliverySettings): OrderFinding => ({
  _tag: "Reply",
  templateId: "t_shipping_delay_verified",
  handOver: true,
  reason,
  variables: vars({
    order_id: order.name,
    order_status: "Processing",
    fulfillment_status: humanStatus(order.fulfillmentStatus),
    order_created_at: formatStoreDate(order.createdAt, settings.timeZone)
  })
})

export const orderFinding = (
  result: OrderLookupResult,
  nowMs: number,
  settings: DeliverySettings = DEFAULT_DELIVERY_SETTINGS
): OrderFinding => {
  if (result._tag === "NotFound") return { _tag: "NotFound", reason: `order:${result.reason}` }
  if (result._tag === "Several") return { _tag: "HandOver", reason: "order:several-candidates" }
  const order = result.order
  if (order.cancelled) return { _tag: "HandOver", reason: "order:cancelled" }
  if (tracked(order) !== undefined) return verified(order, "order:tracking", settings)
  // Shipped without a tracking number (local delivery, a carrier without one): status only, no ETA promise.
  if (SHIPPED.has(order.fulfillmentStatus)) return verified(order, "order:shipped-no-tracking", settings)
  const heldPreOrder = order.preOrder && order.fulfillmentStatus === "ON_HOLD"
  if (STUCK.has(order.fulfillmentStatus) && !heldPreOrder) {
    return delayed(order, `order:${order.fulfillmentStatus.toLowerCase()}`, settings)
  }
  const eta = estimateDelivery(order, nowMs, settings)
  if (eta._tag === "Unknown") return delayed(order, `order:unknown-${eta.reason}`, settings)
  if (eta.late) return delayed(order, "order:late", settings)
  return {
    _tag: "Reply",
    templateId: "t_order_eta_no_tracking_verified",
    handOver: false,
    reason: "order:eta",
    variables: vars({
      order_id: order.name,
      shipping_bucket: eta.tier,
      eta_remaining_human: eta.text,
      order_created_date_human: formatStoreDate(order.createdAt, settings.timeZone)
    })
  }
}
