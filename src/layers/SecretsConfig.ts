import * as Arr from "effect/Array"
import * as Config from "effect/Config"
import type * as ConfigError from "effect/ConfigError"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import { fetchSecrets, type SecretRef, SecretsUnavailable } from "./SecretsManager.js"

export { SecretsUnavailable } from "./SecretsManager.js"

/**
 * The secrets the code reads as plain config, each with the seed's secret name and what it holds, so an init
 * failure can say exactly what to put where.
 */
export const SECRETS = {
  WEBHOOK_TOKEN: { secretName: "rp-mw/webhook-token", holds: "the webhook token" },
  RICHPANEL_API_KEY: { secretName: "rp-mw/richpanel-api-key", holds: "the Richpanel API key" },
  OPENAI_API_KEY: { secretName: "rp-mw/openai-api-key", holds: "the OpenAI API key" },
  SHOPIFY_ACCESS_TOKEN: { secretName: "rp-mw/shopify-access-token", holds: "the Shopify Admin API access token" }
} as const

export type SecretConfigName = keyof typeof SECRETS

const NAMES = Object.keys(SECRETS) as ReadonlyArray<SecretConfigName>

/** Every `<NAME>_SECRET_ARN` that is set (empty counts as unset). */
const secretRefs = Effect.map(
  Effect.forEach(NAMES, (name) =>
    Config.option(Config.string(`${name}_SECRET_ARN`)).pipe(
      Effect.map(Option.flatMap((raw) => Option.liftPredicate(raw.trim(), (arn) => arn !== ""))),
      Effect.map(Option.map((arn): SecretRef => ({ name, variable: `${name}_SECRET_ARN`, arn, ...SECRETS[name] })))
    )),
  Arr.getSomes
)

/**
 * Reads every `<NAME>_SECRET_ARN` that is set from Secrets Manager, once, when the layer is built (a Lambda's
 * module-scope runtime builds it on the first invocation and keeps it for the container's life), and installs
 * a ConfigProvider in which those values win over the environment: the layers it is provided to keep reading
 * `Config.redacted("RICHPANEL_API_KEY")` and see the secret. An empty secret is not configured, so the plain
 * variable (unset in AWS) applies. With no ARN set (the laptop, tests) nothing is called and nothing changes.
 */
export const layer: Layer.Layer<never, SecretsUnavailable | ConfigError.ConfigError> = Layer.unwrapEffect(
  Effect.gen(function* () {
    const refs = yield* secretRefs
    if (refs.length === 0) return Layer.empty
    const values = yield* fetchSecrets(refs)
    const found = new Map<string, string>()
    for (const { ref, value } of values) {
      if (value === undefined) {
        yield* Effect.logWarning(`${ref.variable}: the secret is empty, so ${ref.name} is not configured`)
      } else found.set(ref.name, value)
    }
    const fallback = yield* Effect.configProviderWith(Effect.succeed)
    return Layer.setConfigProvider(ConfigProvider.orElse(ConfigProvider.fromMap(found), () => fallback))
  })
)
