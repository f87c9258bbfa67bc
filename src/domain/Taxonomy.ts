import * as Schema from "effect/Schema"
/** The 25 intent ids (product spec §2). Fixed: tags, config keys and the classifier's enum are built from them. */
export const IntentIds = [
  "order_status_tracking",
  "shipping_delay_not_shipped",
  "delivered_not_received",
  "missing_items_in_shipment",
  "wrong_item_received",
  "damaged_item",
  "cancel_order",
  "address_change_order_edit",
  "cancel_subscription",
  "billing_issue",
  "promo_discount_issue",
  "pre_purchase_question",
  "influencer_marketing_inquiry",
  "return_request",
  "exchange_request",
  "refund_request",
  "technical_support",
  "phone_support_request",
  "tiktok_support_request",
  "social_media_support_request",
  "chargeback_dispute",
  "legal_threat",
  "harassment_threats",
  "fraud_suspected",
  "unknown_other"
] as const
export const IntentId = Schema.Literal(...IntentIds)
export type IntentId = typeof IntentId.Type

/** The four P0 intents: a Tier 0 signal, never answered by the bot. */
export const P0Intents = ["chargeback_dispute", "legal_threat", "harassment_threats", "fraud_suspected"] as const satisfies ReadonlyArray<IntentId>

/** Risk flags the classifier may raise (product spec §5). */
export const RiskFlags = [
  "CHARGEBACK_DISPUTE",
  "LEGAL_THREAT",
  "HARASSMENT_THREATS",
  "FRAUD_SUSPECTED",
  "HUMAN_REQUESTED",
  "PRIVACY_REQUEST",
  "SECURITY_SENSITIVE"
] as const
export const RiskFlag = Schema.Literal(...RiskFlags)
export type RiskFlag = typeof RiskFlag.Type

/** Risk flags that are Tier 0 signals, with the P0 intent each one forces. */
export const P0RiskFlagIntent: Readonly<Partial<Record<RiskFlag, IntentId>>> = {
  CHARGEBACK_DISPUTE: "chargeback_dispute",
  LEGAL_THREAT: "legal_threat",
  HARASSMENT_THREATS: "harassment_threats",
  FRAUD_SUSPECTED: "fraud_suspected"
}

export const Language = Schema.Literal("en", "es", "other", "unknown")
export const Sentiment = Schema.Literal("positive", "neutral", "negative", "very_negative")
export const Urgency = Schema.Literal("low", "normal", "high")

/** Automation tiers (DESIGN.md §3): 0 escalate/route-only · 1 safe intake · 2 verified reply · 3 actions (disabled). */
export const Tier = Schema.Literal(0, 1, 2, 3)
export type Tier = typeof Tier.Type

/** Team name → routing tag slug: lower-case, runs of non-alphanumerics become one `-`, trimmed (product spec §1). */
export const teamSlug = (team: string): string =>
  team
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
