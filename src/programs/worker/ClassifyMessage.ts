import * as Effect from "effect/Effect"
import type { ClassifierOutput } from "../../domain/Classification.js"
import type { ChannelClass } from "../../domain/Envelope.js"
import type { ClassificationResult } from "../../domain/Policy.js"
import { redact } from "../../domain/redact.js"
import * as Metrics from "../../services/Metrics.js"
import { WorkerSettings } from "../../services/WorkerSettings.js"
import * as Downstreams from "./Downstreams.js"

export interface ClassifyOutcome {
  readonly result: ClassificationResult
  readonly source: "openai" | "rules" | "none"
  readonly model?: string
  readonly promptVersion?: string
  readonly usage?: { readonly inputTokens: number; readonly outputTokens: number; readonly cachedTokens: number }
  /** When the model failed: the rules classifier's guess, recorded for the agent (never used to route or reply). */
  readonly fallbackGuess?: { readonly intent: string; readonly confidence: number }
}

/** Product spec §5: the model sees redacted text capped at 4,000 characters. */
const MAX_PROMPT_CHARS = 4_000

/** A message with no words (a photo, an empty body) is not sent to the model: nothing to classify, a human looks. */
const nothingToClassify = (reason: string): ClassifierOutput => ({
  primary_intent: "unknown_other",
  confidence: 0,
  secondary_intents: [],
  language: "unknown",
  sentiment: "neutral",
  urgency: "normal",
  risk_flags: [],
  order_number: null,
  reason
})

/**
 * Classification with its fallback in the error channel: any classifier failure that survives `openaiRetry` —
 * refusal, truncation, invalid output, outage, open breaker — becomes `Failed`, which the policy routes to a
 * human with `mw-model-failure`. The customer is never left untouched.
 */
export const classifyMessage = Effect.fn("Worker.classify")(function* (input: {
  readonly text: string
  readonly channel: ChannelClass
  readonly hasOrderNumber: boolean
  readonly hasEmail: boolean
  readonly hasPhone: boolean
  readonly attachmentCount: number
}) {
  if (input.text.trim() === "") {
    const reason = input.attachmentCount > 0 ? "attachment-only message" : "empty message"
    return { result: { _tag: "Classified", output: nothingToClassify(reason) }, source: "none" } satisfies ClassifyOutcome
  }
  const classifierInput = {
    text: redact(input.text).slice(0, MAX_PROMPT_CHARS),
    channel: input.channel,
    hasOrderNumber: input.hasOrderNumber,
    hasEmail: input.hasEmail,
    hasPhone: input.hasPhone,
    hasAttachments: input.attachmentCount > 0,
    hasLinkedOrder: false
  }
  return yield* Downstreams.classify(classifierInput).pipe(
    // Tokens are spent once the model answered, whatever happens to the message afterwards.
    Effect.tap((classification) =>
      classification.usage === undefined ? Effect.void : Effect.zipRight(
        Metrics.emit("LlmTokens", classification.usage.inputTokens, { Kind: "input" }),
        Metrics.emit("LlmTokens", classification.usage.outputTokens, { Kind: "output" })
      )
    ),
    Effect.map((classification): ClassifyOutcome => ({
      result: { _tag: "Classified", output: classification.output },
      source: classification.source,
      model: classification.model,
      promptVersion: classification.promptVersion,
      ...(classification.usage === undefined ? {} : { usage: classification.usage })
    })),
    Effect.catchAll((error) =>
      Effect.gen(function* () {
        yield* Effect.logWarning("classification failed; handing over to a human", error._tag)
        const settings = yield* WorkerSettings
        const guess = yield* settings.rulesClassifier.classify(classifierInput).pipe(Effect.option)
        const outcome: ClassifyOutcome = {
          result: { _tag: "Failed", reason: error._tag },
          source: "none",
          ...(guess._tag === "Some"
            ? { fallbackGuess: { intent: guess.value.output.primary_intent, confidence: guess.value.output.confidence } }
            : {})
        }
        return outcome
      })
    )
  )
})
