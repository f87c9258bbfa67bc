import * as Schema from "effect/Schema"
import { IntentId, Language, RiskFlag, Sentiment, Urgency } from "./Taxonomy.js"

/**
 * What the classifier returns (product spec §5). The OpenAI layer generates its strict JSON Schema from this
 * Schema and decodes the model's answer back through it; the rules classifier produces the same shape.
 */
export const ClassifierOutput = Schema.Struct({
  primary_intent: IntentId,
  confidence: Schema.Number.pipe(Schema.between(0, 1)),
  secondary_intents: Schema.Array(
    Schema.Struct({ intent: IntentId, confidence: Schema.Number.pipe(Schema.between(0, 1)) })
  ).pipe(Schema.maxItems(2)),
  language: Language,
  sentiment: Sentiment,
  urgency: Urgency,
  risk_flags: Schema.Array(RiskFlag),
  order_number: Schema.NullOr(Schema.String),
  reason: Schema.String.pipe(Schema.maxLength(200))
})
export type ClassifierOutput = typeof ClassifierOutput.Type

/** What the classifier is told besides the (redacted, fenced) text: facts only code can know. */
export interface ClassifierInput {
  /** Redacted customer text, at most 4,000 characters; order numbers are kept. */
  readonly text: string
  readonly channel: string
  readonly hasOrderNumber: boolean
  readonly hasEmail: boolean
  readonly hasPhone: boolean
  readonly hasAttachments: boolean
  readonly hasLinkedOrder: boolean
}

export interface TokenUsage {
  readonly inputTokens: number
  readonly outputTokens: number
  readonly cachedTokens: number
}

/** A classification with its provenance, recorded in the decision record. */
export interface Classification {
  readonly output: ClassifierOutput
  readonly source: "openai" | "rules"
  readonly model: string
  readonly promptVersion: string
  readonly usage?: TokenUsage
}
