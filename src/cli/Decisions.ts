import type { EventView } from "./Http.js"

export const DECISION_HEADER = ["conversation", "outcome", "intent", "conf", "team", "reply", "why"]

/** One decision as a table row: what happened, and the rule hits that made it happen. */
export const decisionRow = (event: EventView): ReadonlyArray<string> => {
  const d = event.decision
  const reply = d?.reply ?? (d?.would_reply ? `(would: ${d.would_reply})` : "-")
  const why = event.reason ?? (d?.reasons ?? []).join(", ")
  return [
    event.conversation_id,
    event.outcome,
    d?.intent ?? "-",
    typeof d?.confidence === "number" ? d.confidence.toFixed(2) : "-",
    d?.team ?? "-",
    reply,
    why.length > 70 ? `${why.slice(0, 67)}...` : why
  ]
}
