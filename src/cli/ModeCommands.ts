import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import { userInfo } from "node:os"
import * as AppConfigLive from "../layers/AppConfig.js"
import * as DynamoClientLive from "../layers/DynamoClient.js"
import * as ModeSwitchDynamo from "../layers/ModeSwitchDynamo.js"
import { AppConfig, type Mode } from "../services/AppConfig.js"
import { ModeSwitch } from "../services/ModeSwitch.js"
import { type Args, flag, UsageError } from "./Args.js"
import { localRuntime } from "./Target.js"

/**
 * The kill switch lives in DynamoDB: the running local runtime's embedded one (found through its runtime.json),
 * or the AWS table with `--aws` (credentials and AWS_REGION from the environment, as for the AWS CLI).
 */
const modeSwitchLayer = (args: Args) => {
  const local = args.flags["aws"] === true ? undefined : localRuntime(args)
  if (args.flags["aws"] !== true && local === undefined) {
    throw new Error("no local runtime is running (start it with `npm start`), or pass --aws to change the deployed stack")
  }
  const dynamo = local === undefined ? DynamoClientLive.layer : DynamoClientLive.layerEndpoint(local.dynamo_endpoint)
  return ModeSwitchDynamo.layer.pipe(Layer.provide(dynamo), Layer.provideMerge(AppConfigLive.layer))
}

const MODES: ReadonlyArray<Mode> = ["shadow", "route-only", "live"]

const show = Effect.gen(function* () {
  const switchboard = yield* ModeSwitch
  const config = yield* AppConfig
  const override = yield* switchboard.getOverride
  return Option.match(override, {
    onNone: () => `mode: ${config.mode} (from MW_MODE; no override set)`,
    onSome: (o) => `mode: ${o.mode} (override set by ${o.set_by} at ${o.set_at}: ${o.reason}); MW_MODE is ${config.mode}`
  })
})

const set = (mode: Mode, reason: string) =>
  Effect.gen(function* () {
    const switchboard = yield* ModeSwitch
    const now = new Date(yield* Clock.currentTimeMillis).toISOString()
    yield* switchboard.setOverride({ mode, reason, set_by: userInfo().username, set_at: now })
    return `mode override set to ${mode}; every worker follows within 10 seconds`
  })

/** `rp-mw mode [show|set <mode>|clear]` and `rp-mw kill [--all]`. */
export const modeCommand = async (args: Args, kill: boolean) => {
  const [action = "show", value] = kill ? ["kill"] : args.positionals
  const reason = flag(args, "reason") ?? (kill ? "kill switch" : "set by operator")
  const program = ((): Effect.Effect<string, unknown, ModeSwitch | AppConfig> => {
    switch (action) {
      case "show":
        return show
      case "kill":
        // Stops every customer reply; --all also stops tags and notes (shadow: no Richpanel writes at all).
        return set(args.flags["all"] === true ? "shadow" : "route-only", reason)
      case "set":
        if (value === undefined || !MODES.includes(value as Mode)) throw new UsageError(`mode set needs one of: ${MODES.join(", ")}`)
        return set(value as Mode, reason)
      case "clear":
        return Effect.flatMap(ModeSwitch, (s) => s.clearOverride).pipe(
          Effect.as("mode override cleared; workers return to MW_MODE within 10 seconds")
        )
      default:
        throw new UsageError(`unknown mode action: ${action}`)
    }
  })()
  const message = await Effect.runPromise(program.pipe(Effect.provide(modeSwitchLayer(args))))
  console.log(message)
  return 0
}
