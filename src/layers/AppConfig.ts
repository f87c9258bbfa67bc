import * as Config from "effect/Config"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import { AppConfig } from "../services/AppConfig.js"

/** An optional secret: unset and empty both mean "not configured". */
const optionalSecret = (name: string) =>
  Config.option(Config.redacted(name)).pipe(
    Config.map(Option.filter((secret) => Redacted.value(secret).trim().length > 0))
  )

const readAppConfig = Effect.gen(function* () {
  const mode = yield* Config.literal("shadow", "route-only", "live")("MW_MODE").pipe(Config.withDefault("shadow"))
  const webhookToken = yield* optionalSecret("WEBHOOK_TOKEN")
  const richpanelApiKey = yield* optionalSecret("RICHPANEL_API_KEY")
  const openaiApiKey = yield* optionalSecret("OPENAI_API_KEY")
  const shopifyAccessToken = yield* optionalSecret("SHOPIFY_ACCESS_TOKEN")
  return { mode, webhookToken, richpanelApiKey, openaiApiKey, shopifyAccessToken }
})

/** Reads the environment through Effect's ConfigProvider; a bad value fails naming the variable. */
export const layer = Layer.effect(AppConfig, readAppConfig)

/** The same settings, but the webhook token is mandatory (the AWS ingress refuses to run open). */
export const layerRequireToken = Layer.effect(
  AppConfig,
  Effect.gen(function* () {
    const config = yield* readAppConfig
    const token = yield* Config.redacted("WEBHOOK_TOKEN")
    return { ...config, webhookToken: Option.some(token) }
  })
)
