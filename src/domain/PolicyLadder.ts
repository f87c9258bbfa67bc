import type { ClassifierOutput } from "./Classification.js"
import type { RoutingConfig } from "./RoutingConfigSchema.js"
import { type IntentId, P0Intents, P0RiskFlagIntent } from "./Taxonomy.js"

/**
 * The multi-intent priority ladder (product spec §4.3), applied in code over everything that names an intent:
 * the model's primary and secondaries, P0 risk flags and Tier 0 keyword hits. The model only proposes.
 */

export const isP0 = (intent: IntentId): boolean => (P0Intents as ReadonlyArray<IntentId>).includes(intent)

interface Candidate {
  readonly intent: IntentId
  /** null = named by a keyword or risk flag, not scored by the model. */
  readonly confidence: number | null
}

export interface Ranked {
  readonly primary: IntentId
  readonly confidence: number | null
  readonly secondaries: ReadonlyArray<IntentId>
  /** Every P0 intent signalled from any source (the Tier 0 reasons). */
  readonly p0Signals: ReadonlyArray<IntentId>
  /** The ladder picked something other than the model's primary. */
  readonly promoted: boolean
  /** A P0–P2 intent is among the candidates at any confidence: Tier 2 is off (spec §4.3). */
  readonly blocksTier2: boolean
}

const MAX_SECONDARIES = 2

const score = (c: Candidate) => c.confidence ?? -1

/** Merge duplicates keeping the best score; first appearance keeps its place (model before keywords). */
const merge = (candidates: ReadonlyArray<Candidate>): ReadonlyArray<Candidate> => {
  const byIntent = new Map<IntentId, Candidate>()
  for (const c of candidates) {
    const seen = byIntent.get(c.intent)
    if (seen === undefined || score(c) > score(seen)) byIntent.set(c.intent, seen === undefined ? c : { ...seen, confidence: c.confidence })
  }
  return [...byIntent.values()]
}

export const rankIntents = (
  output: ClassifierOutput | undefined,
  tier0Hits: ReadonlyArray<IntentId>,
  config: RoutingConfig
): Ranked => {
  const level = (c: Candidate) => config.intents[c.intent].priority
  // Array.prototype.sort is stable, so equal candidates keep model-first order.
  const byLevel = (a: Candidate, b: Candidate) => level(a) - level(b) || score(b) - score(a)
  const flagged = (output?.risk_flags ?? []).flatMap((flag) => {
    const intent = P0RiskFlagIntent[flag]
    return intent === undefined ? [] : [intent]
  })
  const model: ReadonlyArray<Candidate> = output === undefined
    ? []
    : [{ intent: output.primary_intent, confidence: output.confidence }, ...output.secondary_intents]
  const all = merge([...model, ...[...flagged, ...tier0Hits].map((intent) => ({ intent, confidence: null }))])
  const p0 = all.filter((c) => isP0(c.intent))
  // P0: the best-scored one, at any confidence (a Tier 0 signal cannot be outvoted). Otherwise a secondary may
  // outrank the model's primary only when it is itself confident enough to route on: a 0.1 "maybe cancel"
  // must not turn a clear tracking question into a cancellation.
  const eligible = p0.length > 0
    ? [...p0].sort((a, b) => score(b) - score(a))
    : all.filter((c, i) => i === 0 || score(c) >= config.thresholds.route).sort(byLevel)
  const chosen = eligible[0] ?? { intent: "unknown_other" as const, confidence: null }
  const rest = all.filter((c) => c.intent !== chosen.intent).sort(byLevel)
  return {
    primary: chosen.intent,
    confidence: chosen.confidence,
    secondaries: rest.slice(0, MAX_SECONDARIES).map((c) => c.intent),
    p0Signals: p0.map((c) => c.intent),
    promoted: output !== undefined && chosen.intent !== output.primary_intent,
    blocksTier2: all.some((c) => level(c) <= 2)
  }
}
