import { FetchHttpClient } from "@effect/platform"
import { Effect, Layer, Option } from "effect"
import { AppConfig } from "../services/AppConfig.js"
import { WorkerSettings } from "../services/WorkerSettings.js"
import * as DryRunRichpanel from "./DryRunRichpanel.js"
import * as OpenAiClassifier from "./OpenAiClassifier.js"
import * as RichpanelHttp from "./RichpanelHttp.js"
import * as RulesClassifier from "./RulesClassifier.js"

/** Richpanel for real when `RICHPANEL_API_KEY` is set; otherwise a dry run that records what it would write. */
export const richpanel = Layer.unwrapEffect(
  Effect.map(AppConfig, (config) =>
    Option.isSome(config.richpanelApiKey)
      ? RichpanelHttp.layer.pipe(Layer.provide(FetchHttpClient.layer))
      : DryRunRichpanel.layer
  )
)

/** OpenAI when `OPENAI_API_KEY` is set; otherwise the local rules classifier with the routing config's patterns. */
export const classifier = Layer.unwrapEffect(
  Effect.gen(function* () {
    const config = yield* AppConfig
    if (Option.isSome(config.openaiApiKey)) return OpenAiClassifier.layer
    const settings = yield* WorkerSettings
    return RulesClassifier.layer(settings.routing.rules_classifier.patterns)
  })
)
