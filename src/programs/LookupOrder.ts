import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import { DEFAULT_DELIVERY_SETTINGS } from "../domain/DeliveryEstimate.js"
import { type CustomerContact, matchCustomerOrder, matchLinkedOrder, type OrderMatch } from "../domain/OrderMatch.js"
import type { LookupSource, OrderLookupResult } from "../domain/OrderStatusReply.js"
import { OrderLookup } from "../services/OrderLookup.js"

export interface LookupRequest {
  readonly conversationId: string
  /** From `extractOrderNumber` on the customer's text (or the model's, only if it appears literally in it). */
  readonly orderNumber?: string | undefined
  /** `customerContact`: the ticket's email/phone, else the one of each kind the message holds. */
  readonly contact: CustomerContact
  /** Default "Pre-order" (DeliverySettings.preOrderTag). */
  readonly preOrderTag?: string | undefined
}

const toResult = (match: OrderMatch, source: LookupSource): OrderLookupResult => {
  switch (match._tag) {
    case "Matched":
      return { _tag: "Matched", source, order: match.order }
    case "Several":
      return { _tag: "Several", source, count: match.count }
    case "None":
      return { _tag: "NotFound", reason: source === "linked" ? "linked-not-found" : "not-found" }
    case "Mismatch":
      return { _tag: "NotFound", reason: match.reason === "no-contact" ? "no-contact" : "contact-mismatch" }
  }
}

/**
 * The order a message is about (spec §7.1): the number the customer typed, verified against their email or phone;
 * without a number, the order Richpanel links to the conversation. The search is by name only — the contact is
 * compared here, not in Shopify's query — so a customer known only by phone still matches, and the uncertain
 * AND/OR and `email:` filter semantics do not matter. Failures stay typed (`OrderLookupError`): the caller hands over.
 */
export const lookupOrder = Effect.fn("OrderLookup.lookup")(function*(request: LookupRequest) {
  const lookup = yield* OrderLookup
  const preOrderTag = request.preOrderTag ?? DEFAULT_DELIVERY_SETTINGS.preOrderTag
  if (request.orderNumber !== undefined && request.orderNumber.trim() !== "") {
    const candidates = yield* lookup.findOrders({ orderNumber: request.orderNumber })
    return toResult(matchCustomerOrder(candidates, request.orderNumber, request.contact, preOrderTag), "customer")
  }
  const linked = yield* lookup.linkedOrder(request.conversationId)
  if (Option.isNone(linked)) return { _tag: "NotFound", reason: "no-order-number" } satisfies OrderLookupResult as OrderLookupResult
  const candidates = yield* lookup.findOrders({
    ...(linked.value.orderName === undefined ? {} : { orderNumber: linked.value.orderName }),
    ...(linked.value.orderId === undefined ? {} : { orderId: linked.value.orderId })
  })
  return toResult(matchLinkedOrder(candidates, linked.value, request.contact, preOrderTag), "linked")
})
