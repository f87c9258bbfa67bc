import { GetSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager"
import * as Config from "effect/Config"
import * as Data from "effect/Data"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"

/** One `<NAME>_SECRET_ARN` that is set, with what the secret should hold (for the operator's instructions). */
export interface SecretRef {
  readonly name: string
  readonly variable: string
  readonly arn: string
  readonly secretName: string
  readonly holds: string
}

/**
 * One or more configured secrets could not be read: the runtime does not start. The message names each ARN
 * variable and what to do; it never contains a secret value (none was read, or it is not the one that failed).
 */
export class SecretsUnavailable extends Data.TaggedError("SecretsUnavailable")<{
  readonly message: string
  readonly variables: ReadonlyArray<string>
}> {}

/** A cold start must not hang on Secrets Manager: all secrets, retries included, within this. */
export const SECRETS_TIMEOUT = Duration.seconds(5)

const sdkClient = Effect.gen(function* () {
  const region = yield* Config.string("AWS_REGION").pipe(Config.withDefault("us-east-2"))
  // The SDK reads this standard variable too; reading it here keeps tests on the ConfigProvider like the rest.
  const endpoint = yield* Config.option(Config.string("AWS_ENDPOINT_URL_SECRETS_MANAGER"))
  return new SecretsManagerClient({
    region,
    maxAttempts: 2,
    requestHandler: { connectionTimeout: 1_000, requestTimeout: 2_000 },
    ...(Option.isSome(endpoint) ? { endpoint: endpoint.value } : {})
  })
})

const errorName = (cause: unknown): string =>
  typeof cause === "object" && cause !== null && "name" in cause && typeof cause.name === "string" ? cause.name : "Error"

/** What the operator should do, per failure; the SDK's own message is kept (it names the secret, not its value). */
const advice = (ref: SecretRef, cause: unknown): string => {
  const name = errorName(cause)
  const put = `aws secretsmanager put-secret-value --secret-id ${ref.secretName} --secret-string '<${ref.holds}>'`
  const detail = cause instanceof Error ? cause.message : String(cause)
  if (name === "ResourceNotFoundException") {
    return `${ref.variable}: secret ${ref.arn} does not exist or has no value yet (${detail}). Put ${ref.holds} in secret ${ref.secretName}: ${put}`
  }
  if (name === "AccessDeniedException" || name === "AccessDenied" || name.includes("KMS") || name === "DecryptionFailure") {
    return `${ref.variable}: not allowed to read secret ${ref.arn} (${name}: ${detail}). Grant the function's role secretsmanager:GetSecretValue on it (and kms:Decrypt on its key if it uses a customer-managed key).`
  }
  return `${ref.variable}: could not read secret ${ref.arn} (${name}: ${detail}). Check that the ARN is right and Secrets Manager is reachable, then retry.`
}

/** The value of a string secret, or undefined when it is empty (= not configured). */
const readOne = (client: SecretsManagerClient, ref: SecretRef) =>
  Effect.tryPromise({
    try: (signal) => client.send(new GetSecretValueCommand({ SecretId: ref.arn }), { abortSignal: signal }),
    catch: (cause) => advice(ref, cause)
  }).pipe(
    Effect.flatMap((output) =>
      output.SecretString === undefined && output.SecretBinary !== undefined
        ? Effect.fail(`${ref.variable}: secret ${ref.arn} is binary; store ${ref.holds} as a plain string (${ref.secretName}).`)
        : Effect.succeed(Option.getOrUndefined(Option.liftPredicate((output.SecretString ?? "").trim(), (v) => v !== "")))
    )
  )

/**
 * Reads every referenced secret in parallel with one short-lived client. Every failure is reported together,
 * so one deployment fixes them all; the whole read is bounded by SECRETS_TIMEOUT.
 */
export const fetchSecrets = (refs: ReadonlyArray<SecretRef>) =>
  Effect.acquireUseRelease(
    sdkClient,
    (client) =>
      Effect.forEach(refs, (ref) => Effect.either(Effect.map(readOne(client, ref), (value) => ({ ref, value }))), {
        concurrency: "unbounded"
      }).pipe(
        Effect.timeoutFail({
          duration: SECRETS_TIMEOUT,
          onTimeout: () =>
            new SecretsUnavailable({
              message: `Secrets Manager did not answer within ${Duration.format(SECRETS_TIMEOUT)} for ${refs.map((r) => r.variable).join(", ")}; check the network path (VPC endpoint / NAT) and retry.`,
              variables: refs.map((r) => r.variable)
            })
        }),
        Effect.flatMap((results) => {
          const failed = results.flatMap((result, i) => (Either.isLeft(result) ? [{ ref: refs[i]!, problem: result.left }] : []))
          return failed.length === 0
            ? Effect.succeed(results.flatMap((result) => (Either.isRight(result) ? [result.right] : [])))
            : Effect.fail(
              new SecretsUnavailable({
                message: `cannot read secrets at start-up:\n${failed.map((f) => `- ${f.problem}`).join("\n")}`,
                variables: failed.map((f) => f.ref.variable)
              })
            )
        })
      ),
    (client) => Effect.sync(() => client.destroy())
  ).pipe(Effect.withSpan("SecretsConfig.read", { attributes: { "secrets.count": refs.length } }))
