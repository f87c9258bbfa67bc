import type { Mode } from "../services/AppConfig.js"
import type { ConversationState } from "../services/ConversationStore.js"
import type { ClassifierOutput } from "./Classification.js"
import type { ChannelClass } from "./Envelope.js"
import type { HandoverSignal } from "./KeywordScreen.js"
import type { RoutingConfig } from "./RoutingConfigSchema.js"
import type { IntentId } from "./Taxonomy.js"

/** What the classifier step produced; any failure (timeout, refusal, invalid output, breaker open) is `Failed`. */
export type ClassificationResult =
  | { readonly _tag: "Classified"; readonly output: ClassifierOutput }
  | { readonly _tag: "Failed"; readonly reason: string }

/** Everything the decision depends on. No clock, no I/O: the same input always gives the same plan. */
export interface PolicyInput {
  readonly classification: ClassificationResult
  /** From `screenTier0`, run on the customer text before the model. */
  readonly tier0Hits: ReadonlyArray<IntentId>
  /** From `screenHandover`; the policy adds the classifier's own hand-over flags and sentiment. */
  readonly handoverSignals: ReadonlyArray<HandoverSignal>
  readonly message: {
    readonly channel: ChannelClass
    /** An order number found literally in the customer's text (spec §7.1), if any. */
    readonly orderNumber?: string
    readonly attachmentOnly: boolean
  }
  /** Richpanel ticket status, e.g. "OPEN" or "CLOSED". */
  readonly ticketStatus: string
  readonly state: ConversationState
  readonly mode: Mode
  /** Epoch ms. */
  readonly now: number
  readonly config: RoutingConfig
  /**
   * What the order lookup found, once the worker has done the lookup a first plan asked for (`Plan.orderLookup`).
   * Absent on the first pass.
   */
  readonly orderFinding?: OrderFinding
}

/**
 * The order-status lookup's result as the policy needs it (product spec §7.1–7.2), computed by the worker from
 * Shopify data: a verified reply (template + values), a hand-over (cancelled, several candidates, lookup failed),
 * or nothing found (which asks the customer for the order number — never says whether an order exists).
 */
export type OrderFinding =
  | {
    readonly _tag: "Reply"
    readonly templateId: string
    readonly variables: Readonly<Record<string, string>>
    /** The reply is a holding message (late order): a human follows up too. */
    readonly handOver: boolean
    readonly reason: string
  }
  | { readonly _tag: "HandOver"; readonly reason: string }
  | { readonly _tag: "NotFound"; readonly reason: string }

export interface ReplyPlan {
  readonly templateId: string
  readonly tier: 1 | 2
  /** The awaiting-order-number flow resuming: not held back by the 10-minute interval (still counts in 24 h). */
  readonly exemptFromInterval: boolean
  /** Values for the template (verified order data); none for intake templates. */
  readonly variables?: Readonly<Record<string, string>>
}

/**
 * How the awaiting-order-number flow changes. `start` = an ask is being sent: create the flow, or count one
 * more attempt and push `expires_at` to now + expiry. `clear` = the flow ended or lapsed. `keep` = unchanged.
 */
export type AwaitingChange = "start" | "clear" | "keep"

export type Outcome = "automated" | "routed" | "handed-over"

export interface Plan {
  /** Final primary intent after Tier 0 override, the priority ladder and a resumed order flow. */
  readonly intent: IntentId
  readonly secondaryIntents: ReadonlyArray<IntentId>
  /** The classifier's confidence for `intent`; null when the model failed or only a keyword named the intent. */
  readonly confidence: number | null
  /** The team the single `route-*` tag points at (the fallback team when the intended one is missing). */
  readonly team: string
  readonly addTags: ReadonlyArray<string>
  readonly removeTags: ReadonlyArray<string>
  /** Internal note for the agent (no PII, no customer text): set when handing over or routing with doubt. */
  readonly note: string | null
  /** The reply the policy allows before mode gating (the shadow report's "would have replied"). */
  readonly wouldReply: ReplyPlan | null
  /** The reply to send: `wouldReply` in `live` mode, else null. */
  readonly reply: ReplyPlan | null
  readonly outcome: Outcome
  /** Machine-readable rule hits, in the order the rules fired. */
  readonly reasons: ReadonlyArray<string>
  readonly stateChange: { readonly awaiting: AwaitingChange }
  /**
   * Set when the reply depends on an order lookup (Tier 2): the worker looks the order up and decides again with
   * `orderFinding`. `orderNumber` is the one the customer typed; without it the conversation's linked order is used.
   */
  readonly orderLookup: { readonly orderNumber?: string } | null
}
