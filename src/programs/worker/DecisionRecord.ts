import type { HandoverSignal } from "../../domain/KeywordScreen.js"
import type { Plan } from "../../domain/Policy.js"
import { redact } from "../../domain/redact.js"
import type { IntentId } from "../../domain/Taxonomy.js"
import type { Mode } from "../../services/AppConfig.js"
import type { ClassifyOutcome } from "./ClassifyMessage.js"

/**
 * The decision as the event log keeps it: what a support lead reads before switching to live. Ids, codes and
 * template ids only — no message text, no raw PII (the classifier's reason is redacted).
 */
export const decisionRecord = (args: {
  readonly mode: Mode
  readonly plan: Plan
  readonly classified: ClassifyOutcome
  readonly tier0Hits: ReadonlyArray<IntentId>
  readonly handoverSignals: ReadonlyArray<HandoverSignal>
  /** Reasons the worker adds to the policy's own (a reply held back, a skip a Tier 0 hit overrode). */
  readonly extraReasons: ReadonlyArray<string>
  readonly configVersion: string
}) => {
  const { classified, plan } = args
  const classification = classified.result._tag === "Classified" ? classified.result.output : undefined
  return {
    mode: args.mode,
    intent: plan.intent,
    secondary_intents: plan.secondaryIntents,
    confidence: plan.confidence,
    team: plan.team,
    tags: plan.addTags,
    reasons: [...plan.reasons, ...args.extraReasons],
    tier0_hits: args.tier0Hits,
    handover_signals: args.handoverSignals,
    would_reply: plan.wouldReply?.templateId ?? null,
    reply: plan.reply?.templateId ?? null,
    classifier: {
      source: classified.source,
      ...(classified.model === undefined ? {} : { model: classified.model }),
      ...(classified.promptVersion === undefined ? {} : { prompt_version: classified.promptVersion }),
      ...(classified.usage === undefined ? {} : { usage: classified.usage }),
      ...(classified.result._tag === "Failed" ? { failure: classified.result.reason } : {}),
      ...(classified.fallbackGuess === undefined ? {} : { rules_guess: classified.fallbackGuess }),
      ...(classification === undefined ? {} : {
        language: classification.language,
        sentiment: classification.sentiment,
        urgency: classification.urgency,
        risk_flags: classification.risk_flags,
        reason: redact(classification.reason)
      })
    },
    config_version: args.configVersion
  }
}
