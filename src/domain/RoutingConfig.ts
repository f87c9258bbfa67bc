import * as Config from "effect/Config"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import { existsSync } from "node:fs"
import { readFile } from "node:fs/promises"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import routingJson from "../../config/routing.json" with { type: "json" }
import { firstProblem } from "./RoutingConfigChecks.js"
import { type RoutingConfig, RoutingConfigSchema } from "./RoutingConfigSchema.js"

export { ORDER_STATUS_INTENTS } from "./RoutingConfigChecks.js"
export {
  type HandoverKind,
  HandoverKinds,
  type IntentRule,
  ReplyChannel,
  type RoutingConfig,
  RoutingConfigSchema,
  RULES_PATTERN_FLAGS,
  type Thresholds
} from "./RoutingConfigSchema.js"

/**
 * Why the routing config was refused: the file, the exact key to fix (`intents.cancel_order.tier`) and what
 * was wrong with it, so a support lead can fix the file without reading code. Serialisable (start-up logs, CLI).
 */
export class RoutingConfigError extends Schema.TaggedError<RoutingConfigError>()("RoutingConfigError", {
  path: Schema.String,
  key: Schema.String,
  message: Schema.String
}) {}

/** Key used when the problem is the file as a whole (unreadable, not JSON). */
export const WHOLE_FILE = "(file)"

/** `["intents", "cancel_order", "tier"]` → `intents.cancel_order.tier`; array indexes as `[2]`. */
const keyOf = (path: ReadonlyArray<PropertyKey>): string =>
  path.reduce<string>(
    (acc, key) => (typeof key === "number" ? `${acc}[${key}]` : acc === "" ? String(key) : `${acc}.${String(key)}`),
    ""
  ) || WHOLE_FILE

const toConfigError = (file: string, error: ParseResult.ParseError): RoutingConfigError => {
  const issue = ParseResult.ArrayFormatter.formatErrorSync(error)[0]
  const key = keyOf(issue?.path ?? [])
  // Effect's own wording for these two lists every allowed key; say what to do instead.
  const message = issue?._tag === "Unexpected"
    ? (key.startsWith("intents.") || key.startsWith("rules_classifier.patterns.")
      ? "is not one of the 25 intent ids (product spec §2); remove it or fix its spelling"
      : "is not a routing config key; remove it or fix its spelling")
    : issue?._tag === "Missing"
    ? "is missing"
    : (issue?.message ?? "is invalid")
  return new RoutingConfigError({ path: file, key, message })
}

const decodeSchema = Schema.decodeUnknownEither(RoutingConfigSchema, { onExcessProperty: "error", errors: "first" })

/** Parsed JSON → validated config: the Schema first, then cross-references (teams, regexes, P0 invariants). */
export const decodeRoutingConfig = (
  json: unknown,
  file = "<inline>"
): Either.Either<RoutingConfig, RoutingConfigError> =>
  Either.flatMap(Either.mapLeft(decodeSchema(json), (error) => toConfigError(file, error)), (config) => {
    const problem = firstProblem(config)
    return problem === undefined
      ? Either.right(config)
      : Either.left(new RoutingConfigError({ path: file, key: problem.key, message: problem.message }))
  })

/**
 * `config/routing.json` of the checkout this module runs from: searched upwards from this file, so it works
 * from `src/domain` (tsx, vitest) and from a bundle that ships the `config` directory beside it.
 */
const repoConfigPath = (): string => {
  let dir = path.dirname(fileURLToPath(import.meta.url))
  for (let depth = 0; depth < 6; depth++) {
    const candidate = path.join(dir, "config", "routing.json")
    if (existsSync(candidate)) return candidate
    const parent = path.dirname(dir)
    if (parent === dir) break
    dir = parent
  }
  return path.resolve("config", "routing.json")
}

const configuredPath = Config.string("MW_ROUTING_CONFIG").pipe(
  Config.option,
  Config.map(Option.filter((value) => value.trim().length > 0))
)

const failFile = (file: string, message: string) =>
  new RoutingConfigError({ path: file, key: WHOLE_FILE, message })

const describeCause = (cause: unknown) => (cause instanceof Error ? cause.message : String(cause))

/** Reads, parses and validates the routing config: `path`, else `MW_ROUTING_CONFIG`, else the repo's file. */
export const loadRoutingConfig = Effect.fn("RoutingConfig.load")(function*(file?: string) {
  const fromEnv = yield* configuredPath.pipe(
    Effect.mapError((error) => new RoutingConfigError({ path: "MW_ROUTING_CONFIG", key: WHOLE_FILE, message: String(error) }))
  )
  const resolved = file ?? Option.match(fromEnv, { onNone: repoConfigPath, onSome: (value) => path.resolve(value) })
  const text = yield* Effect.tryPromise({
    try: () => readFile(resolved, "utf8"),
    catch: (cause) => failFile(resolved, `cannot be read: ${describeCause(cause)}`)
  })
  const json = yield* Effect.try({
    try: (): unknown => JSON.parse(text),
    catch: (cause) => failFile(resolved, `is not valid JSON: ${describeCause(cause)}`)
  })
  return yield* decodeRoutingConfig(json, resolved)
})

/**
 * The repo's defaults, bundled at build time (tests, bench, and the fallback a bundle can use without the file).
 * Invalid defaults are a bug in this repository, so this throws at import rather than limping on.
 */
export const defaultRoutingConfig: RoutingConfig = Either.getOrThrowWith(
  decodeRoutingConfig(routingJson, "config/routing.json"),
  (error) => new Error(`config/routing.json is invalid at ${error.key}: ${error.message}`)
)
