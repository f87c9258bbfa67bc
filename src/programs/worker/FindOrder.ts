import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import { customerContact } from "../../domain/CustomerContact.js"
import type { DeliverySettings } from "../../domain/DeliveryEstimate.js"
import type { OrderFinding } from "../../domain/PolicyTypes.js"
import { orderFinding } from "../../domain/OrderStatusReply.js"
import { lookupOrder } from "../LookupOrder.js"

export interface FindOrderInput {
  readonly conversationId: string
  /** The number the customer typed (`Plan.orderLookup`); without it, the order Richpanel links to the conversation. */
  readonly orderNumber?: string | undefined
  /** The customer typed two different order numbers: which one they mean is not ours to guess. */
  readonly severalNumbers?: boolean
  /** The ticket's (else the webhook's) customer profile, and the customer's words, which may carry the checkout email. */
  readonly email?: string | undefined
  readonly phone?: string | undefined
  readonly text: string
  /** The message's time: the ETA counts business days from it. */
  readonly now: number
  readonly delivery: DeliverySettings
}

/**
 * The lookup a first plan asked for, turned into the finding the second `decide` replies from (spec §7.2). It never
 * fails: Shopify or Richpanel being down, throttled beyond the retries, or unconfigured is a lookup failure, and a
 * lookup failure is a hand-over — the customer still reaches a human, and nothing order-specific is guessed.
 */
export const findOrder = Effect.fn("Worker.findOrder")(function*(input: FindOrderInput) {
  if (input.severalNumbers === true) return { _tag: "HandOver", reason: "order:several-numbers" } satisfies OrderFinding as OrderFinding
  const result = yield* Effect.either(lookupOrder({
    conversationId: input.conversationId,
    orderNumber: input.orderNumber,
    contact: customerContact({ email: input.email, phone: input.phone, text: input.text }),
    preOrderTag: input.delivery.preOrderTag
  }))
  if (Either.isLeft(result)) {
    yield* Effect.logWarning("order lookup failed; handing over", { error: result.left._tag })
    return { _tag: "HandOver", reason: "order:lookup-failed" } satisfies OrderFinding as OrderFinding
  }
  const finding = orderFinding(result.right, input.now, input.delivery)
  yield* Effect.annotateCurrentSpan("order.finding", finding.reason)
  return finding
})
