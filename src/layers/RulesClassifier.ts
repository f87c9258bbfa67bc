import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Schema from "effect/Schema"
import type { Classification, ClassifierInput, ClassifierOutput } from "../domain/Classification.js"
import { MAX_TEXT_CHARS } from "../domain/ClassifierPrompt.js"
import { extractOrderNumber, guessLanguage, guessSentiment, guessUrgency, handOverFlags } from "../domain/RulesSignals.js"
import { ORDER_STATUS_INTENTS } from "../domain/RoutingConfigChecks.js"
import { IntentId, IntentIds, P0Intents, P0RiskFlagIntent, type RiskFlag } from "../domain/Taxonomy.js"
import { Classifier } from "../services/Classifier.js"

/**
 * A deterministic local classifier: the classifier when no OpenAI key is set, and the fallback during an
 * outage. Each intent scores the weighted sum of its patterns that match (each pattern counts once): a pattern
 * containing whitespace (a space or `\s`) is a phrase and weighs 2, anything else weighs 1, because phrases are
 * far more specific than single words. Regexes run case-insensitively on lower-cased, whitespace-collapsed text.
 */
export type RulesPatterns = Readonly<Record<IntentId, ReadonlyArray<string>>>

/**
 * The config shape (`{ patterns: { <intent>: [regex…] } }`). Checked on the raw keys first, so a misspelt
 * intent fails loudly instead of being dropped as an excess key; every intent must be present and every regex
 * must compile.
 */
export const RulesPatterns = Schema.Record({ key: Schema.String, value: Schema.Array(Schema.String) }).pipe(
  Schema.filter((patterns) => {
    const unknown = Object.keys(patterns).filter((key) => !(IntentIds as ReadonlyArray<string>).includes(key))
    if (unknown.length > 0) return `unknown intents: ${unknown.join(", ")}`
    const missing = IntentIds.filter((intent) => !(intent in patterns))
    if (missing.length > 0) return `missing intents: ${missing.join(", ")}`
    for (const [intent, sources] of Object.entries(patterns)) {
      for (const source of sources) {
        try {
          new RegExp(source, "i")
        } catch {
          return `${intent}: invalid regex ${JSON.stringify(source)}`
        }
      }
    }
    return true
  }),
  Schema.compose(Schema.Record({ key: IntentId, value: Schema.Array(Schema.String) }), { strict: false })
)

export const MODEL = "rules-v1"
export const PROMPT_VERSION = "rules-v1"

interface Compiled {
  readonly intent: IntentId
  readonly rules: ReadonlyArray<{ readonly regex: RegExp; readonly weight: number }>
}

const weightOf = (source: string) => (/ |\\s/.test(source) ? 2 : 1)

const P0: ReadonlySet<IntentId> = new Set(P0Intents)
const ORDER_STATUS: ReadonlySet<IntentId> = new Set(ORDER_STATUS_INTENTS)
/** A P0 intent's patterns are the Tier 0 word lists, so a hit raises that intent's risk flag too. */
const P0_FLAG: Partial<Record<IntentId, RiskFlag>> = Object.fromEntries(
  Object.entries(P0RiskFlagIntent).map(([flag, intent]) => [intent, flag as RiskFlag])
)

/**
 * 1 − 0.45·0.55^(s−1): one weak word (s = 1) → 0.55, below the 0.60 routing bar; one phrase (2) → 0.75;
 * two phrases (4) → 0.93. A competing intent pulls it down by up to 40 % as its score approaches the top one.
 */
export const confidenceOf = (top: number, runnerUp: number): number => {
  if (top <= 0) return 0.3
  const strength = 1 - 0.45 * 0.55 ** (top - 1)
  const margin = (top - runnerUp) / top
  return Math.round(Math.min(0.95, strength * (0.6 + 0.4 * margin)) * 100) / 100
}

/** Bracketed pseudo-metadata ("[Internal: refund approved]") is the customer's text posing as ours: not evidence. */
const FAKE_NOTE = /\[\s*(internal|note|system|agent|admin|staff|priority|support)\b[^\]]{0,500}\]/g

const normalise = (text: string) => text.toLowerCase().replace(/[\u2018\u2019\u02bc]/g, "'").replace(/\s+/g, " ").trim()

export const classifyText = (compiled: ReadonlyArray<Compiled>, text: string): ClassifierOutput => {
  const full = normalise(text)
  // Intents come from the customer's own words; flags also look inside fake notes (an injection attempt is a signal).
  const lower = full.replace(FAKE_NOTE, " ")
  const scored = compiled
    .map(({ intent, rules }) => ({ intent, score: rules.reduce((sum, r) => (r.regex.test(lower) ? sum + r.weight : sum), 0) }))
    .filter((s) => s.score > 0)
    // P0 first whatever its score (the ladder, product spec §4.3), then score; ties keep taxonomy order.
    .sort((a, b) => Number(P0.has(b.intent)) - Number(P0.has(a.intent)) || b.score - a.score)
  const [top, ...rest] = scored
  const topScore = top?.score ?? 0
  const runnerUp = rest.reduce((max, s) => Math.max(max, s.score), 0)
  // A secondary needs a third of the top score: enough to catch "return it… or exchange?", not every stray word.
  const secondaries = rest
    .filter((s) => s.intent !== "unknown_other" && (s.score >= topScore / 3 || P0.has(s.intent)))
    .slice(0, 2)
  const flags = [...new Set([...scored.flatMap((s) => P0_FLAG[s.intent] ?? []), ...handOverFlags(full)])]
  const primary = top?.intent ?? "unknown_other"
  const orderNumber = extractOrderNumber(lower)
  // "Where is my order #1001?": a typed order number is evidence for an order-status question it already leads;
  // it counts like one more word (never for another intent, where it says nothing about the intent).
  const evidence = topScore + (orderNumber !== null && ORDER_STATUS.has(primary) ? 1 : 0)
  return {
    primary_intent: primary,
    confidence: confidenceOf(evidence, P0.has(primary) ? 0 : runnerUp),
    secondary_intents: secondaries.map((s) => ({ intent: s.intent, confidence: Math.round(confidenceOf(s.score, 0) * 80) / 100 })),
    language: guessLanguage(lower),
    sentiment: guessSentiment(lower, text),
    urgency: guessUrgency(lower, top !== undefined && P0.has(top.intent)),
    risk_flags: flags,
    order_number: orderNumber,
    reason: top === undefined
      ? `${MODEL}: no intent pattern matched`
      : `${MODEL}: matched ${primary} (score ${topScore})${secondaries.length > 0 ? `; also ${secondaries.map((s) => s.intent).join(", ")}` : ""}`
  }
}

/** Compiles the patterns once; throws on an invalid regex (config decoding with `RulesPatterns` catches it first). */
export const make = (patterns: RulesPatterns) => {
  const compiled: ReadonlyArray<Compiled> = IntentIds.map((intent) => ({
    intent,
    rules: (patterns[intent] ?? []).map((source) => ({ regex: new RegExp(source, "i"), weight: weightOf(source) }))
  }))
  return Classifier.of({
    classify: (input: ClassifierInput) =>
      Effect.sync((): Classification => ({
        output: classifyText(compiled, input.text.slice(0, MAX_TEXT_CHARS)),
        source: "rules",
        model: MODEL,
        promptVersion: PROMPT_VERSION
      })).pipe(Effect.withSpan("RulesClassifier.classify"))
  })
}

export const layer = (patterns: RulesPatterns) => Layer.sync(Classifier, () => make(patterns))
