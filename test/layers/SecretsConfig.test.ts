import { afterAll, beforeAll, beforeEach, describe, expect, it } from "@effect/vitest"
import { Config, type ConfigError, ConfigProvider, Effect, Exit, Fiber, Layer, Logger, LogLevel, ManagedRuntime, Option, Redacted, TestClock } from "effect"
import * as AppConfigLive from "../../src/layers/AppConfig.js"
import { makeJsonLogger } from "../../src/layers/Logging.js"
import * as SecretsConfig from "../../src/layers/SecretsConfig.js"
import { AppConfig } from "../../src/services/AppConfig.js"
import { awsError, FAKE_AWS_ENV, type FakeAwsJson, startFakeAwsJson } from "../support/fakeAwsJson.js"

const arn = (name: string) => `arn:aws:secretsmanager:us-east-2:123456789012:secret:rp-mw/${name}-AbCdEf`
const RICHPANEL_ARN = arn("richpanel-api-key")
const TOKEN_ARN = arn("webhook-token")
const OPENAI_ARN = arn("openai-api-key")
const RICHPANEL_SECRET = "rp_live_from_secrets_manager_42"
const TOKEN_SECRET = "webhook-token-from-secrets-manager"

/** The secrets the fake holds, by ARN; absent = ResourceNotFoundException, as for a secret without a value. */
let stored: Record<string, string | { readonly deny: true }> = {}
let fake: FakeAwsJson

beforeAll(async () => {
  // The SDK signs requests with credentials from process.env (not from Effect's ConfigProvider).
  Object.assign(process.env, FAKE_AWS_ENV)
  fake = await startFakeAwsJson("application/x-amz-json-1.1", {
    GetSecretValue: (body) => {
      const id = String(body["SecretId"])
      const value = stored[id]
      if (value === undefined) {
        return awsError("ResourceNotFoundException", "Secrets Manager can't find the specified secret value for staging label: AWSCURRENT")
      }
      if (typeof value !== "string") return awsError("AccessDeniedException", `User is not authorized to perform: secretsmanager:GetSecretValue on resource: ${id}`)
      return { body: { ARN: id, Name: id.split(":").pop(), SecretString: value, VersionId: "v1" } }
    }
  })
})
afterAll(() => fake.close())
beforeEach(() => {
  stored = {}
  fake.requests.length = 0
})

/** The environment as Effect's ConfigProvider sees it (the Lambda's would be `fromEnv`). */
const environment = (vars: Record<string, string>) =>
  Layer.setConfigProvider(ConfigProvider.fromMap(new Map(Object.entries({ AWS_ENDPOINT_URL_SECRETS_MANAGER: fake.url, ...vars }))))

/** As the Lambda modules compose it: the secrets layer under everything that reads config. */
const appConfigWith = (vars: Record<string, string>, app: Layer.Layer<AppConfig, ConfigError.ConfigError> = AppConfigLive.layer) =>
  app.pipe(Layer.provide(SecretsConfig.layer), Layer.provide(environment(vars)))

const secretValue = (secret: Option.Option<Redacted.Redacted<string>>) => Option.map(secret, Redacted.value)

const captureLogs = () => {
  const lines: Array<string> = []
  const logger = Layer.mergeAll(
    Logger.replace(Logger.defaultLogger, makeJsonLogger((line) => lines.push(line))),
    Logger.minimumLogLevel(LogLevel.All)
  )
  return { lines, logger }
}

describe("SecretsConfig", () => {
  it.effect("secret values reach Config.redacted and AppConfig, win over the environment, and are read once", () =>
    Effect.gen(function* () {
      stored = { [RICHPANEL_ARN]: RICHPANEL_SECRET, [TOKEN_ARN]: `${TOKEN_SECRET}\n` }
      const runtime = ManagedRuntime.make(
        appConfigWith({
          RICHPANEL_API_KEY_SECRET_ARN: RICHPANEL_ARN,
          WEBHOOK_TOKEN_SECRET_ARN: TOKEN_ARN,
          RICHPANEL_API_KEY: "stale-env-value",
          OPENAI_API_KEY: "sk-from-env"
        }, AppConfigLive.layerRequireToken)
      )
      const config = yield* Effect.promise(() => runtime.runPromise(AppConfig))
      expect(secretValue(config.richpanelApiKey)).toEqual(Option.some(RICHPANEL_SECRET))
      // Trimmed: a trailing newline from `--secret-string file://…` must not end up in a header.
      expect(secretValue(config.webhookToken)).toEqual(Option.some(TOKEN_SECRET))
      // Not in Secrets Manager: the environment still applies.
      expect(secretValue(config.openaiApiKey)).toEqual(Option.some("sk-from-env"))
      // A later read through the runtime (as a handler's Config read would be) sees the same provider.
      const later = yield* Effect.promise(() => runtime.runPromise(Config.redacted("RICHPANEL_API_KEY")))
      expect(Redacted.value(later)).toBe(RICHPANEL_SECRET)
      expect(fake.requests.map((r) => [r.target, r.body["SecretId"]]).sort()).toEqual([
        ["secretsmanager.GetSecretValue", RICHPANEL_ARN],
        ["secretsmanager.GetSecretValue", TOKEN_ARN]
      ])
      yield* Effect.promise(() => runtime.dispose())
    }))

  it.effect("with no ARN set, the environment is used and nothing is called", () =>
    Effect.gen(function* () {
      const config = yield* AppConfig.pipe(Effect.provide(appConfigWith({ RICHPANEL_API_KEY: "rp_env", WEBHOOK_TOKEN_SECRET_ARN: "  " })))
      expect(secretValue(config.richpanelApiKey)).toEqual(Option.some("rp_env"))
      expect(config.webhookToken).toEqual(Option.none())
      expect(fake.requests).toEqual([])
    }))

  it.effect("a missing or denied secret fails start-up, naming each ARN variable and what to do", () =>
    Effect.gen(function* () {
      stored = { [TOKEN_ARN]: TOKEN_SECRET, [OPENAI_ARN]: { deny: true } }
      const { lines, logger } = captureLogs()
      const failure = yield* AppConfig.pipe(
        Effect.provide(appConfigWith({
          RICHPANEL_API_KEY_SECRET_ARN: RICHPANEL_ARN,
          WEBHOOK_TOKEN_SECRET_ARN: TOKEN_ARN,
          OPENAI_API_KEY_SECRET_ARN: OPENAI_ARN
        })),
        Effect.tapErrorCause((cause) => Effect.logError("start-up failed", cause)),
        Effect.provide(logger),
        Effect.flip
      )
      expect(failure._tag).toBe("SecretsUnavailable")
      if (failure._tag !== "SecretsUnavailable") return
      expect(failure.variables).toEqual(["RICHPANEL_API_KEY_SECRET_ARN", "OPENAI_API_KEY_SECRET_ARN"])
      expect(failure.message).toContain(
        `RICHPANEL_API_KEY_SECRET_ARN: secret ${RICHPANEL_ARN} does not exist or has no value yet`
      )
      expect(failure.message).toContain(
        "Put the Richpanel API key in secret rp-mw/richpanel-api-key: aws secretsmanager put-secret-value --secret-id rp-mw/richpanel-api-key"
      )
      expect(failure.message).toContain("OPENAI_API_KEY_SECRET_ARN: not allowed to read secret")
      expect(failure.message).toContain("secretsmanager:GetSecretValue")
      // The token that was read fine is in neither the error nor the logs.
      expect(lines.join("\n")).toContain("RICHPANEL_API_KEY_SECRET_ARN")
      expect(failure.message).not.toContain(TOKEN_SECRET)
      expect(lines.join("\n")).not.toContain(TOKEN_SECRET)
    }))

  it.effect("an empty secret is not configured: optional keys are None, the mandatory webhook token fails closed", () =>
    Effect.gen(function* () {
      stored = { [RICHPANEL_ARN]: "", [TOKEN_ARN]: "   " }
      const { lines, logger } = captureLogs()
      const vars = { RICHPANEL_API_KEY_SECRET_ARN: RICHPANEL_ARN, WEBHOOK_TOKEN_SECRET_ARN: TOKEN_ARN }
      const config = yield* AppConfig.pipe(Effect.provide(appConfigWith(vars)), Effect.provide(logger))
      expect(config.richpanelApiKey).toEqual(Option.none())
      expect(config.webhookToken).toEqual(Option.none())
      expect(lines.some((line) => line.includes("RICHPANEL_API_KEY_SECRET_ARN: the secret is empty"))).toBe(true)
      const required = yield* Effect.exit(AppConfig.pipe(Effect.provide(appConfigWith(vars, AppConfigLive.layerRequireToken))))
      expect(Exit.isFailure(required)).toBe(true)
    }))

  it.effect("secret values never appear in log output, even at debug level", () =>
    Effect.gen(function* () {
      stored = { [RICHPANEL_ARN]: RICHPANEL_SECRET, [TOKEN_ARN]: TOKEN_SECRET }
      const { lines, logger } = captureLogs()
      const config = yield* AppConfig.pipe(
        Effect.tap((config) => Effect.logDebug("config loaded", config)),
        Effect.provide(appConfigWith({ RICHPANEL_API_KEY_SECRET_ARN: RICHPANEL_ARN, WEBHOOK_TOKEN_SECRET_ARN: TOKEN_ARN })),
        Effect.provide(logger)
      )
      expect(secretValue(config.richpanelApiKey)).toEqual(Option.some(RICHPANEL_SECRET))
      expect(lines.length).toBeGreaterThan(0)
      const output = lines.join("\n")
      expect(output).not.toContain(RICHPANEL_SECRET)
      expect(output).not.toContain(TOKEN_SECRET)
    }))

  it.effect("a Secrets Manager that does not answer fails start-up after 5 s instead of hanging", () =>
    Effect.gen(function* () {
      const answer = fake.handlers.get("GetSecretValue")!
      fake.handlers.set("GetSecretValue", () => ({ body: {}, delayMs: 60_000 }))
      const fiber = yield* Effect.fork(
        Effect.flip(AppConfig.pipe(Effect.provide(appConfigWith({ RICHPANEL_API_KEY_SECRET_ARN: RICHPANEL_ARN }))))
      )
      // Only once the request is out is the 5 s timer certainly running on the TestClock.
      while (fake.requests.length === 0) yield* Effect.promise(() => new Promise((resolve) => setTimeout(resolve, 5)))
      yield* TestClock.adjust("5 seconds")
      const failure = yield* Fiber.join(fiber).pipe(Effect.ensuring(Effect.sync(() => fake.handlers.set("GetSecretValue", answer))))
      expect(failure._tag).toBe("SecretsUnavailable")
      expect(failure.message).toContain("did not answer within 5s for RICHPANEL_API_KEY_SECRET_ARN")
    }))
})
