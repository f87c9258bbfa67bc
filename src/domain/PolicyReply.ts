import type { ConversationState } from "../services/ConversationStore.js"
import type { ClassifierOutput } from "./Classification.js"
import type { ChannelClass } from "./Envelope.js"
import type { OrderFinding, ReplyPlan } from "./PolicyTypes.js"
import { ORDER_STATUS_INTENTS } from "./RoutingConfigChecks.js"
import type { RoutingConfig } from "./RoutingConfigSchema.js"
import type { IntentId } from "./Taxonomy.js"

/** Which reply an intent earns (spec §4.1, §7) and the never-reply gates (spec §6). */

export const ASK_ORDER_NUMBER_TEMPLATE = "t_order_status_ask_order_number"

const HOUR_MS = 60 * 60 * 1000
const DAY_MS = 24 * HOUR_MS

export const threshold = (value: number): string => value.toFixed(2)

export interface ReplyChoice {
  readonly candidate: ReplyPlan | null
  readonly reasons: ReadonlyArray<string>
  /** A human must take the conversation: attempts used up, order cancelled or ambiguous, lookup failed, late. */
  readonly handOver: boolean
  /** The reply depends on an order lookup the worker has not done yet (Tier 2, first pass). */
  readonly lookup: boolean
}

export interface ReplyContext {
  readonly intent: IntentId
  readonly confidence: number
  readonly orderNumber: string | undefined
  /** Attempts so far in a live (unexpired) awaiting flow, or undefined when none is running. */
  readonly activeAttempts: number | undefined
  readonly blocksTier2: boolean
  /** The customer answered our order-number question: the flow's context, not this message's score, decides. */
  readonly resumed: boolean
  readonly orderFinding: OrderFinding | undefined
  readonly config: RoutingConfig
}

const none = (...reasons: ReadonlyArray<string>): ReplyChoice => ({ candidate: null, reasons, handOver: false, lookup: false })
const handOver = (...reasons: ReadonlyArray<string>): ReplyChoice => ({ candidate: null, reasons, handOver: true, lookup: false })

/** Why a verified (Tier 2) order reply is not allowed for this message; empty when it is. */
const tier2Blocked = (ctx: ReplyContext, tier: number): ReadonlyArray<string> => {
  const { config } = ctx
  return tier !== 2 || !config.tier2_enabled
    ? ["tier-disabled:2"]
    : !ctx.resumed && ctx.confidence < config.thresholds.tier2_reply
    ? [`confidence:below-${threshold(config.thresholds.tier2_reply)}`]
    : ctx.blocksTier2
    ? ["tier2:blocked-by-priority"]
    : []
}

/** The Tier 1 question for the order number (spec §7.4), or a hand-over once it has been asked enough. */
const askForOrderNumber = (ctx: ReplyContext, templates: ReadonlyArray<string>, reasons: ReadonlyArray<string>): ReplyChoice => {
  if (!ctx.config.tier1_enabled) return none(...reasons, "tier-disabled:1")
  if (!templates.includes(ASK_ORDER_NUMBER_TEMPLATE)) return none(...reasons, "template:none")
  const attempts = ctx.activeAttempts ?? 0
  if (attempts >= ctx.config.awaiting_order_number.max_attempts) return handOver(...reasons, "awaiting:attempts-exhausted")
  // Asking again inside a running flow answers the customer's answer: exempt from the interval (spec §6).
  return {
    candidate: { templateId: ASK_ORDER_NUMBER_TEMPLATE, tier: 1, exemptFromInterval: ctx.activeAttempts !== undefined },
    reasons,
    handOver: false,
    lookup: false
  }
}

/**
 * Order status (spec §7): with Tier 2 allowed, the order is looked up first (by the typed number, else the
 * conversation's linked order) and the finding picks the reply; nothing found asks for the number. Without
 * Tier 2, a message with a number is routed and one without is asked for it.
 */
const orderStatusReply = (ctx: ReplyContext, templates: ReadonlyArray<string>, tier: number): ReplyChoice => {
  const blocked = tier2Blocked(ctx, tier)
  if (blocked.length > 0) return ctx.orderNumber !== undefined ? none(...blocked) : askForOrderNumber(ctx, templates, [])
  const finding = ctx.orderFinding
  if (finding === undefined) return { candidate: null, reasons: ["tier2:order-lookup"], handOver: false, lookup: true }
  switch (finding._tag) {
    case "HandOver":
      return handOver(finding.reason)
    case "NotFound":
      return askForOrderNumber(ctx, templates, [finding.reason])
    case "Reply": {
      // The template must be one this intent is configured to send; otherwise a human answers.
      if (!templates.includes(finding.templateId)) return handOver(finding.reason, `template:not-configured:${finding.templateId}`)
      return {
        candidate: { templateId: finding.templateId, tier: 2, exemptFromInterval: ctx.resumed, variables: finding.variables },
        reasons: [finding.reason],
        handOver: finding.handOver,
        lookup: false
      }
    }
  }
}

/** The reply an order lookup would lead to, for judging the never-reply gates before looking anything up. */
export const provisionalOrderReply = (resumed: boolean): ReplyPlan => ({
  templateId: "t_order_status_verified",
  tier: 2,
  exemptFromInterval: resumed
})

/** The template this intent's confident classification would send, before any never-reply gate. */
export const chooseReply = (ctx: ReplyContext): ReplyChoice => {
  const rule = ctx.config.intents[ctx.intent]
  if (rule.tier === 0) return none("intent:route-only")
  if (rule.tier === 3) return none("tier-disabled:3")
  if (!ctx.resumed && ctx.confidence < ctx.config.thresholds.tier1_reply) {
    return none(`confidence:below-${threshold(ctx.config.thresholds.tier1_reply)}`)
  }
  if (!rule.reply_enabled) return none("template:disabled")
  if (ORDER_STATUS_INTENTS.includes(ctx.intent)) return orderStatusReply(ctx, rule.templates, rule.tier)
  if (!ctx.config.tier1_enabled) return none("tier-disabled:1")
  const template = rule.templates[0]
  return template === undefined
    ? none("template:none")
    : { candidate: { templateId: template, tier: 1, exemptFromInterval: false }, reasons: [], handOver: false, lookup: false }
}

const CLOSED_STATUSES = new Set(["closed", "resolved"])

export interface GateContext {
  readonly candidate: ReplyPlan
  readonly output: ClassifierOutput
  readonly channel: ChannelClass
  readonly attachmentOnly: boolean
  readonly ticketStatus: string
  readonly state: ConversationState
  readonly now: number
  readonly config: RoutingConfig
}

/** Every never-reply condition that holds (all of them, so the shadow report shows the full picture). */
export const replyGates = (ctx: GateContext): ReadonlyArray<string> => {
  const { config, now } = ctx
  const limits = config.auto_reply_limits
  // Timestamps in the future (clock skew between workers) count as recent: the limits err towards silence.
  const since = (ms: number) => ctx.state.auto_replies.filter((at) => now - at < ms).length
  const allowed: ReadonlyArray<ChannelClass> = config.auto_reply_channels
  return [
    CLOSED_STATUSES.has(ctx.ticketStatus.trim().toLowerCase()) ? "ticket:closed" : null,
    ctx.attachmentOnly ? "attachment-only" : null,
    ctx.output.language !== "en" ? "language:not-en" : null,
    allowed.includes(ctx.channel) ? null : "channel:not-allowlisted",
    ctx.state.human_replied ? "human-replied" : null,
    !ctx.candidate.exemptFromInterval && since(limits.min_interval_minutes * 60_000) > 0 ? "limit:interval" : null,
    since(DAY_MS) >= limits.max_per_24_hours ? "limit:24h" : null
  ].filter((reason): reason is string => reason !== null)
}
