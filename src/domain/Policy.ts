import type { ClassifierOutput } from "./Classification.js"
import type { ChannelClass } from "./Envelope.js"
import { isP0, rankIntents } from "./PolicyLadder.js"
import { ASK_ORDER_NUMBER_TEMPLATE, chooseReply, provisionalOrderReply, type ReplyChoice, replyGates, threshold } from "./PolicyReply.js"
import { buildNote, buildTags, handoverReasons } from "./PolicyTags.js"
import type { AwaitingChange, Plan, PolicyInput, ReplyPlan } from "./PolicyTypes.js"
import { ORDER_STATUS_INTENTS } from "./RoutingConfigChecks.js"
import { type IntentId, teamSlug } from "./Taxonomy.js"

export type { AwaitingChange, ClassificationResult, OrderFinding, Outcome, Plan, PolicyInput, ReplyPlan } from "./PolicyTypes.js"
export { ASK_ORDER_NUMBER_TEMPLATE } from "./PolicyReply.js"
export { applyAwaitingChange } from "./PolicyState.js"
export { AWAITING_TAG, type HandoverReason } from "./PolicyTags.js"

/**
 * The decision policy (product spec §4, §6, §7.4): classification + screens + conversation state → one plan.
 * Pure and total. Order of precedence: Tier 0 > privacy > model failure > resumed order flow > confidence bands >
 * intent team; replies only when nothing above asked for a human and every never-reply gate passes.
 */

const isOrderStatus = (intent: IntentId) => ORDER_STATUS_INTENTS.includes(intent)

interface Route {
  readonly intent: IntentId
  readonly team: string
  readonly needsHuman: boolean
  readonly lowConfidence: boolean
  readonly reasons: ReadonlyArray<string>
}

export const decide = (input: PolicyInput): Plan => {
  const { config, state, now } = input
  const output: ClassifierOutput | undefined = input.classification._tag === "Classified"
    ? input.classification.output
    : undefined
  const ranked = rankIntents(output, input.tier0Hits, config)
  const { thresholds } = config
  const tier0 = isP0(ranked.primary)
  const handovers = handoverReasons(input.handoverSignals, output)
  const awaiting = state.awaiting
  const expired = awaiting !== undefined && now >= awaiting.expires_at
  const active = awaiting !== undefined && !expired
  const confidence = ranked.confidence
  const confident = confidence !== null && confidence >= thresholds.route
  // A different confident intent ends the order flow; an order number with anything less resumes it (spec §7.4).
  const otherConfidentIntent = confident && !isOrderStatus(ranked.primary) && ranked.primary !== "unknown_other"
  const resumed = active && output !== undefined && !tier0 && handovers.length === 0 &&
    input.message.orderNumber !== undefined && !otherConfidentIntent

  const route = ((): Route => {
    const reasons = [
      ...ranked.p0Signals.map((intent) => `tier0:${intent}`),
      ...(output === undefined ? ["model-failure"] : []),
      ...handovers.map((signal) => `handover:${signal}`),
      ...(ranked.promoted && !tier0 ? [`ladder:promoted:${ranked.primary}`] : [])
    ]
    const base = { intent: ranked.primary, lowConfidence: false, reasons }
    const intentTeam = config.intents[ranked.primary].team
    if (tier0) return { ...base, team: intentTeam, needsHuman: true }
    if (handovers.includes("privacy_request")) return { ...base, team: config.privacy_team, needsHuman: true }
    if (output === undefined) return { ...base, team: config.fallback_team, needsHuman: true }
    if (resumed) {
      const intent = isOrderStatus(ranked.primary) ? ranked.primary : "order_status_tracking"
      return { ...base, intent, team: config.intents[intent].team, needsHuman: false, reasons: [...reasons, "awaiting:resumed"] }
    }
    const needsHuman = handovers.length > 0
    if (confidence === null || confidence < thresholds.low_confidence) {
      const below = [...reasons, `confidence:below-${threshold(thresholds.low_confidence)}`]
      return { ...base, team: config.fallback_team, needsHuman: true, reasons: below }
    }
    if (confidence < thresholds.route) {
      const below = [...reasons, `confidence:below-${threshold(thresholds.route)}`]
      return { ...base, team: config.fallback_team, needsHuman, lowConfidence: true, reasons: below }
    }
    const channelTeams: Partial<Record<ChannelClass, string>> = config.channel_teams
    const channelTeam = ranked.primary === "unknown_other" ? channelTeams[input.message.channel] : undefined
    return channelTeam !== undefined
      ? { ...base, team: channelTeam, needsHuman, reasons: [...reasons, `channel-first:${input.message.channel}`] }
      : { ...base, team: intentTeam, needsHuman }
  })()

  const choice: ReplyChoice = route.needsHuman || route.lowConfidence || output === undefined || confidence === null
    ? { candidate: null, reasons: [], handOver: false, lookup: false }
    : chooseReply({
      intent: route.intent,
      confidence,
      orderNumber: input.message.orderNumber,
      activeAttempts: active ? awaiting.attempts : undefined,
      blocksTier2: ranked.blocksTier2,
      resumed,
      orderFinding: input.orderFinding,
      config
    })
  // A lookup is only worth doing when its reply could go out: the gates are judged on the reply it would lead to.
  const gated = choice.candidate ?? (choice.lookup ? provisionalOrderReply(resumed) : null)
  const gates = gated === null || output === undefined
    ? []
    : replyGates({ ...input, ...input.message, candidate: gated, output })
  const orderLookup = choice.lookup && gates.length === 0
    ? (input.message.orderNumber === undefined ? {} : { orderNumber: input.message.orderNumber })
    : null
  const wouldReply: ReplyPlan | null = gates.length === 0 ? choice.candidate : null
  const reply = input.mode === "live" ? wouldReply : null
  const needsHuman = route.needsHuman || choice.handOver

  const awaitingChange: AwaitingChange = reply?.templateId === ASK_ORDER_NUMBER_TEMPLATE
    ? "start"
    : awaiting === undefined
    ? "keep"
    : expired || needsHuman || resumed || otherConfidentIntent
    ? "clear"
    : "keep"
  // A missing team's messages go to the fallback team, tagged so the lead sees what is missing (spec §1).
  const routeTeam = config.missing_teams.includes(route.team) ? config.fallback_team : route.team
  const reasons = [...new Set([
    ...route.reasons,
    ...(routeTeam !== route.team ? [`team-missing:${teamSlug(route.team)}`] : []),
    ...choice.reasons,
    ...gates,
    ...(wouldReply !== null && reply === null ? [`mode:${input.mode}`] : []),
    ...(expired ? ["awaiting:expired"] : []),
    ...(awaitingChange === "clear" && !expired && !resumed && !choice.handOver ? ["awaiting:ended"] : [])
  ])]
  const shared = {
    config,
    intent: route.intent,
    intendedTeam: route.team,
    routeTeam,
    needsHuman,
    lowConfidence: route.lowConfidence,
    reply
  }
  // A resumed flow substitutes the intent; the model never scored that one.
  const planConfidence = route.intent === ranked.primary ? confidence : null
  const { addTags, removeTags } = buildTags({
    ...shared,
    intentKnown: output !== undefined || tier0,
    ranked,
    modelFailed: output === undefined,
    awaitingChange
  })
  return {
    intent: route.intent,
    secondaryIntents: ranked.secondaries,
    confidence: planConfidence,
    team: routeTeam,
    addTags,
    removeTags,
    note: buildNote({ ...shared, confidence: planConfidence, reasons }),
    wouldReply,
    reply,
    outcome: reply !== null ? "automated" : needsHuman ? "handed-over" : "routed",
    reasons,
    stateChange: { awaiting: awaitingChange },
    orderLookup
  }
}
