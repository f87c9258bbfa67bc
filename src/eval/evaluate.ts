import type { ClassifierInput } from "../domain/Classification.js"
import * as Effect from "effect/Effect"
import type { IntentId } from "../domain/Taxonomy.js"

/**
 * Offline evaluation of a classifier against labelled messages (product spec §11): accuracy, macro- and
 * support-weighted F1, and per-intent precision/recall. Pure scoring is separate from running the classifier
 * so a CLI can score stored predictions as well as live ones.
 */
export interface Labelled<A> {
  readonly item: A
  readonly expected: IntentId
}

export interface Prediction {
  readonly expected: IntentId
  readonly predicted: IntentId
}

export interface IntentMetrics {
  readonly intent: IntentId
  readonly precision: number
  readonly recall: number
  readonly f1: number
  /** Labelled examples of this intent. */
  readonly support: number
  /** Times the classifier chose this intent. */
  readonly predicted: number
}

export interface EvaluationReport {
  readonly total: number
  readonly accuracy: number
  /** Mean F1 over the intents present in the labels (an intent nobody labelled cannot have recall). */
  readonly macroF1: number
  readonly weightedF1: number
  /** Intents present in the labels or the predictions, by support then name. */
  readonly perIntent: ReadonlyArray<IntentMetrics>
  /** The most frequent mistakes, as expected → predicted with a count. */
  readonly confusions: ReadonlyArray<{ readonly expected: IntentId; readonly predicted: IntentId; readonly count: number }>
}

const ratio = (a: number, b: number) => (b === 0 ? 0 : a / b)
const harmonic = (p: number, r: number) => (p + r === 0 ? 0 : (2 * p * r) / (p + r))

export const score = (predictions: Iterable<Prediction>): EvaluationReport => {
  const support = new Map<IntentId, number>()
  const predicted = new Map<IntentId, number>()
  const correct = new Map<IntentId, number>()
  const mistakes = new Map<string, { expected: IntentId; predicted: IntentId; count: number }>()
  let total = 0
  const bump = <K>(map: Map<K, number>, key: K) => map.set(key, (map.get(key) ?? 0) + 1)
  for (const p of predictions) {
    total++
    bump(support, p.expected)
    bump(predicted, p.predicted)
    if (p.expected === p.predicted) bump(correct, p.expected)
    else {
      const key = `${p.expected}→${p.predicted}`
      const entry = mistakes.get(key) ?? { expected: p.expected, predicted: p.predicted, count: 0 }
      mistakes.set(key, { ...entry, count: entry.count + 1 })
    }
  }
  const intents = [...new Set([...support.keys(), ...predicted.keys()])]
  const perIntent = intents
    .map((intent): IntentMetrics => {
      const precision = ratio(correct.get(intent) ?? 0, predicted.get(intent) ?? 0)
      const recall = ratio(correct.get(intent) ?? 0, support.get(intent) ?? 0)
      return { intent, precision, recall, f1: harmonic(precision, recall), support: support.get(intent) ?? 0, predicted: predicted.get(intent) ?? 0 }
    })
    .sort((a, b) => b.support - a.support || a.intent.localeCompare(b.intent))
  const labelled = perIntent.filter((m) => m.support > 0)
  return {
    total,
    accuracy: ratio([...correct.values()].reduce((a, b) => a + b, 0), total),
    macroF1: ratio(labelled.reduce((sum, m) => sum + m.f1, 0), labelled.length),
    weightedF1: ratio(labelled.reduce((sum, m) => sum + m.f1 * m.support, 0), total),
    perIntent,
    confusions: [...mistakes.values()].sort((a, b) => b.count - a.count)
  }
}

/** Runs `classify` over every labelled item (bounded concurrency, for rate-limited models) and scores it. */
export const evaluate = <A, E, R>(
  classify: (item: A) => Effect.Effect<IntentId, E, R>,
  labelled: Iterable<Labelled<A>>,
  options: { readonly concurrency?: number } = {}
): Effect.Effect<EvaluationReport, E, R> =>
  Effect.forEach(labelled, ({ expected, item }) => Effect.map(classify(item), (predicted) => ({ expected, predicted })), {
    concurrency: options.concurrency ?? 1
  }).pipe(Effect.map(score))

const pct = (x: number) => `${(x * 100).toFixed(1)}%`.padStart(6)

/** A plain-text table for terminals and CI logs. */
export const formatReport = (report: EvaluationReport, options: { readonly confusions?: number } = {}): string => {
  const width = Math.max(6, ...report.perIntent.map((m) => m.intent.length))
  const rows = report.perIntent.map((m) =>
    `${m.intent.padEnd(width)}  ${pct(m.precision)}  ${pct(m.recall)}  ${pct(m.f1)}  ${String(m.support).padStart(7)}  ${String(m.predicted).padStart(9)}`
  )
  const confusions = report.confusions.slice(0, options.confusions ?? 8).map((c) => `  ${c.expected} → ${c.predicted}: ${c.count}`)
  return [
    `accuracy ${pct(report.accuracy).trim()}  macro-F1 ${report.macroF1.toFixed(3)}  weighted-F1 ${report.weightedF1.toFixed(3)}  (n = ${report.total})`,
    `${"intent".padEnd(width)}  ${"prec".padStart(6)}  ${"recall".padStart(6)}  ${"F1".padStart(6)}  support  predicted`,
    ...rows,
    ...(confusions.length > 0 ? ["most frequent confusions:", ...confusions] : [])
  ].join("\n")
}

/** A bare text as the classifier sees it: an email with no order number, contact details or attachments. */
export const textOnlyInput = (text: string): ClassifierInput => ({
  text,
  channel: "email",
  hasOrderNumber: false,
  hasEmail: false,
  hasPhone: false,
  hasAttachments: false,
  hasLinkedOrder: false
})
