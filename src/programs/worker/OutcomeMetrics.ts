import * as Effect from "effect/Effect"
import type { EventOutcome } from "../../services/EventLog.js"
import * as Metrics from "../../services/Metrics.js"

/**
 * The metrics of one recorded outcome, derived from the decision record itself (not from the steps that built it),
 * so they stay true to what `GET /events` and the shadow report show: one decision by intent and outcome, the
 * fallback behind a hand-over if there was one, and the time since the webhook arrived.
 */
export interface RecordedOutcome {
  readonly outcome: EventOutcome
  readonly decision?: unknown
  readonly actions?: ReadonlyArray<unknown>
}

const isRecord = (value: unknown): value is Readonly<Record<string, unknown>> => typeof value === "object" && value !== null

const strings = (value: unknown): ReadonlyArray<string> =>
  Array.isArray(value) ? value.filter((item): item is string => typeof item === "string") : []

export const fallbackReason = (entry: RecordedOutcome): Metrics.FallbackReason | undefined => {
  if (entry.outcome === "dead-lettered") return "dead_lettered"
  const decision = isRecord(entry.decision) ? entry.decision : {}
  const reasons = strings(decision["reasons"])
  const classifier = isRecord(decision["classifier"]) ? decision["classifier"] : {}
  if (classifier["failure"] !== undefined || reasons.includes("model-failure")) return "classifier_failed"
  if (reasons.some((reason) => reason.startsWith("confidence:below-"))) return "low_confidence"
  const refused = (entry.actions ?? []).some((action) => isRecord(action) && (action["status"] === "rejected" || action["status"] === "failed"))
  if (refused) return "downstream_rejected"
  if (reasons.includes("ticket:unreadable-used-webhook")) return "ticket_unreadable"
  return undefined
}

export const emitOutcomeMetrics = (receivedAt: string, entry: RecordedOutcome, now: number) => {
  const decision = isRecord(entry.decision) ? entry.decision : {}
  const intent = typeof decision["intent"] === "string" ? decision["intent"] : "none"
  const fallback = fallbackReason(entry)
  const received = Date.parse(receivedAt)
  return Effect.all([
    Metrics.count("Decisions", { Intent: intent, Outcome: entry.outcome }),
    fallback === undefined ? Effect.void : Metrics.count("Fallbacks", { Reason: fallback }),
    Number.isFinite(received) ? Metrics.emit("ProcessingLatency", Math.max(0, now - received), {}) : Effect.void
  ], { discard: true })
}
