import * as Context from "effect/Context"
import * as Effect from "effect/Effect"

/**
 * The metric catalogue (a contract with the CloudWatch alarms): each name with its unit and the only dimensions
 * it may carry. Dimension values are bounded enums — intent, outcome, reason, downstream, kind — never ids or text.
 */
export const CATALOGUE = {
  Decisions: { unit: "Count", dimensions: ["Intent", "Outcome"] },
  Fallbacks: { unit: "Count", dimensions: ["Reason"] },
  DownstreamCalls: { unit: "Count", dimensions: ["Downstream"] },
  DownstreamErrors: { unit: "Count", dimensions: ["Downstream"] },
  DownstreamThrottled: { unit: "Count", dimensions: ["Downstream"] },
  AckLatency: { unit: "Milliseconds", dimensions: [] },
  ProcessingLatency: { unit: "Milliseconds", dimensions: [] },
  LlmTokens: { unit: "Count", dimensions: ["Kind"] },
  DlqDepth: { unit: "Count", dimensions: [] },
  MissingRoutingTags: { unit: "Count", dimensions: [] }
} as const

export type MetricName = keyof typeof CATALOGUE
export type MetricUnit = (typeof CATALOGUE)[MetricName]["unit"]
export type Dimensions<N extends MetricName> = Readonly<Record<(typeof CATALOGUE)[N]["dimensions"][number], string>>

/** Why a message was handed to a human (or the DLQ) instead of being handled as planned. */
export type FallbackReason =
  | "classifier_failed"
  | "low_confidence"
  | "downstream_rejected"
  | "ticket_unreadable"
  | "dead_lettered"

export interface MetricPoint {
  readonly name: MetricName
  readonly unit: MetricUnit
  readonly value: number
  readonly dimensions: Readonly<Record<string, string>>
}

/**
 * Where metric points go. A `Context.Reference` whose default drops them, so programs emit unconditionally and
 * only the Lambda runtimes (EmfMetrics) pay for output; tests and the local runtime need no layer.
 */
export class Metrics extends Context.Reference<Metrics>()("rp-mw/Metrics", {
  defaultValue: (): { readonly emit: (point: MetricPoint) => Effect.Effect<void> } => ({ emit: () => Effect.void })
}) {}

/** One point of a catalogued metric; the dimension names are checked against the catalogue at compile time. */
export const emit = <N extends MetricName>(name: N, value: number, dimensions: Dimensions<N>): Effect.Effect<void> =>
  Effect.flatMap(Metrics, (metrics) => metrics.emit({ name, unit: CATALOGUE[name].unit, value, dimensions }))

export const count = <N extends MetricName>(name: N, dimensions: Dimensions<N>) => emit(name, 1, dimensions)
