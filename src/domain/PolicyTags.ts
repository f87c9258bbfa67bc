import type { ClassifierOutput } from "./Classification.js"
import type { HandoverSignal } from "./KeywordScreen.js"
import type { Ranked } from "./PolicyLadder.js"
import type { AwaitingChange, ReplyPlan } from "./PolicyTypes.js"
import type { RoutingConfig } from "./RoutingConfigSchema.js"
import { type IntentId, teamSlug } from "./Taxonomy.js"

/** Tags (product spec §3), hand-over signals (§4.4) and the internal note a human reads. */

export const AWAITING_TAG = "mw-awaiting-order-number"

export type HandoverReason = HandoverSignal | "very_negative"

/** Keyword signals plus what the classifier itself flagged; an angry customer gets a human (spec §4.4). */
export const handoverReasons = (
  keywordSignals: ReadonlyArray<HandoverSignal>,
  output: ClassifierOutput | undefined
): ReadonlyArray<HandoverReason> => {
  const flags = output?.risk_flags ?? []
  const fromModel: ReadonlyArray<HandoverReason | null> = [
    flags.includes("HUMAN_REQUESTED") ? "human_requested" : null,
    flags.includes("PRIVACY_REQUEST") ? "privacy_request" : null,
    flags.includes("SECURITY_SENSITIVE") ? "internal_info" : null,
    output?.sentiment === "very_negative" ? "very_negative" : null
  ]
  const all = [...keywordSignals, ...fromModel].filter((signal): signal is HandoverReason => signal !== null)
  return [...new Set(all)]
}

export interface TagInput {
  readonly config: RoutingConfig
  readonly intent: IntentId
  /** False when the model failed and no Tier 0 keyword named an intent: no `mw-intent-*` is invented. */
  readonly intentKnown: boolean
  readonly ranked: Ranked
  readonly intendedTeam: string
  readonly routeTeam: string
  readonly needsHuman: boolean
  readonly lowConfidence: boolean
  readonly modelFailed: boolean
  readonly reply: ReplyPlan | null
  readonly awaitingChange: AwaitingChange
}

export const buildTags = (t: TagInput): { readonly addTags: ReadonlyArray<string>; readonly removeTags: ReadonlyArray<string> } => {
  const add = [
    `route-${teamSlug(t.routeTeam)}`,
    ...(t.intentKnown ? [`mw-intent-${t.intent}`, ...t.config.intents[t.intent].extra_tags] : []),
    ...t.ranked.secondaries.map((intent) => `mw-secondary-${intent}`),
    "mw-routed",
    ...(t.needsHuman ? ["mw-needs-human"] : []),
    ...(t.lowConfidence ? ["mw-low-confidence"] : []),
    ...(t.modelFailed ? ["mw-model-failure"] : []),
    ...(t.routeTeam !== t.intendedTeam ? [`mw-needs-${teamSlug(t.intendedTeam)}`] : []),
    ...(t.awaitingChange === "start" ? [AWAITING_TAG] : []),
    // Part of the one add-tags call; the executor writes it only once the reply has actually been sent.
    ...(t.reply !== null ? ["mw-auto-replied"] : [])
  ]
  return { addTags: [...new Set(add)], removeTags: t.awaitingChange === "clear" ? [AWAITING_TAG] : [] }
}

export interface NoteInput {
  readonly config: RoutingConfig
  readonly intent: IntentId
  readonly confidence: number | null
  readonly intendedTeam: string
  readonly routeTeam: string
  readonly needsHuman: boolean
  readonly lowConfidence: boolean
  readonly reply: ReplyPlan | null
  readonly reasons: ReadonlyArray<string>
}

/**
 * The agent-facing note. Built only from codes, ids and config names — never from customer text or the
 * model's free-text reason, which may echo PII — so it can be written to the ticket as-is.
 */
export const buildNote = (n: NoteInput): string | null => {
  const missing = n.routeTeam !== n.intendedTeam
  if (!n.needsHuman && !n.lowConfidence && !missing) return null
  const headline = n.needsHuman && n.reply !== null
    ? "Needs a human: the assistant sent only a holding reply; please follow up."
    : n.needsHuman
    ? "Needs a human: the assistant will not answer this message."
    : n.lowConfidence
    ? "Low confidence: please check the intent before acting."
    : "Routed to the fallback team."
  const confidence = n.confidence === null ? "no model confidence" : `confidence ${n.confidence.toFixed(2)}`
  return [
    `[rp-mw] ${headline}`,
    `Intent: ${n.intent} (${confidence}). Team: ${n.routeTeam}.`,
    ...(missing ? [`Intended team "${n.intendedTeam}" is not set up in Richpanel.`] : []),
    `Why: ${n.reasons.join(", ") || "n/a"}.`,
    n.reply === null ? "No automatic reply was sent." : `Automatic reply: ${n.reply.templateId}.`,
    `Routing config ${n.config.version}.`
  ].join("\n")
}
