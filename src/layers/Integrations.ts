import { FetchHttpClient } from "@effect/platform"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import { AppConfig } from "../services/AppConfig.js"
import { Classifier } from "../services/Classifier.js"
import { type Downstream, LiveDownstreams } from "../services/Downstream.js"
import type { RateLimit } from "../services/RateLimiter.js"
import { WorkerSettings } from "../services/WorkerSettings.js"
import * as DryRunRichpanel from "./DryRunRichpanel.js"
import * as OpenAiClassifier from "./OpenAiClassifier.js"
import * as RichpanelHttp from "./RichpanelHttp.js"
import * as RateLimiterDynamo from "./RateLimiterDynamo.js"
import * as RateLimiterMemory from "./RateLimiterMemory.js"

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
    return Layer.succeed(Classifier, settings.rulesClassifier)
  })
)

/** A dry run or the local rules classifier calls nothing outside: no limit to protect, so none to wait for. */
const UNLIMITED: RateLimit = { limit: 1_000_000, intervalMs: 1_000, capacity: 1_000_000 }

/** The real limits for the integrations that are live, none for those that are not. */
export const rateLimits = (config: AppConfig["Type"]): Record<Downstream, RateLimit> => ({
  richpanel: Option.isSome(config.richpanelApiKey) ? RateLimiterMemory.defaultLimits.richpanel : UNLIMITED,
  openai: Option.isSome(config.openaiApiKey) ? RateLimiterMemory.defaultLimits.openai : UNLIMITED,
  shopify: Option.isSome(config.shopifyAccessToken) ? RateLimiterMemory.defaultLimits.shopify : UNLIMITED
})

/** One process (the laptop): the limiter lives in memory. */
export const rateLimiterMemory = Layer.unwrapEffect(Effect.map(AppConfig, (config) => RateLimiterMemory.layer(rateLimits(config))))

/** Every worker Lambda shares one bucket per downstream in DynamoDB. */
export const rateLimiterDynamo = Layer.unwrapEffect(Effect.map(AppConfig, (config) => RateLimiterDynamo.layer(rateLimits(config))))

/** Which downstreams are real here (a key is set); the others' stand-ins are not counted as downstream calls. */
export const liveDownstreams = Layer.effect(
  LiveDownstreams,
  Effect.map(AppConfig, (config) =>
    new Set<Downstream>([
      ...(Option.isSome(config.richpanelApiKey) ? ["richpanel" as const] : []),
      ...(Option.isSome(config.openaiApiKey) ? ["openai" as const] : []),
      ...(Option.isSome(config.shopifyAccessToken) ? ["shopify" as const] : [])
    ])
  )
)
