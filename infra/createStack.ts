import type { App } from "aws-cdk-lib"
import { type ContextOverrides, resolveEnvironment } from "./environments.js"
import { acknowledgeFindings, addNagChecks } from "./nag.js"
import { RpMwStack } from "./RpMwStack.js"

const contextString = (app: App, key: string): string | undefined => {
  const value: unknown = app.node.tryGetContext(key)
  return typeof value === "string" && value.trim() !== "" ? value.trim() : undefined
}

const OVERRIDE_KEYS = [
  "region",
  "alarmEmail",
  "mode",
  "richpanelBotAuthorId",
  "shopifyShop",
  "workerReservedConcurrency",
  "workerMaxConcurrency",
  "workerBatchSize"
] as const satisfies ReadonlyArray<keyof ContextOverrides>

/**
 * An environment's settings kept in `cdk.json` (`context.environments.<env>`), so every deploy of it gets the same
 * mode, shop and bot id without retyping them: a forgotten `-c` must not quietly reset a live stack to shadow.
 */
const storedSettings = (app: App, name: string): ContextOverrides => {
  const all: unknown = app.node.tryGetContext("environments")
  const stored: unknown = typeof all === "object" && all !== null ? (all as Record<string, unknown>)[name] : undefined
  if (stored === undefined) return {}
  if (typeof stored !== "object" || stored === null) throw new Error(`cdk.json context.environments.${name} must be an object`)
  return Object.fromEntries(Object.entries(stored).map(([key, value]) => {
    if (!(OVERRIDE_KEYS as ReadonlyArray<string>).includes(key)) {
      throw new Error(`cdk.json context.environments.${name}.${key} is not a setting; use one of ${OVERRIDE_KEYS.join(", ")}`)
    }
    if (typeof value !== "string" && typeof value !== "number") {
      throw new Error(`cdk.json context.environments.${name}.${key} must be a string or a number`)
    }
    return [key, String(value)]
  }))
}

/**
 * The one way a stack is made, for the CLI and the tests alike: environment from `-c env=` (default dev), its
 * settings from `cdk.json` (`context.environments.<env>`), `-c key=value` over those, cdk-nag checks on the app,
 * and the acknowledged findings.
 */
export const createStack = (app: App): RpMwStack => {
  const name = contextString(app, "env") ?? "dev"
  const fromCommandLine: ContextOverrides = Object.fromEntries(
    OVERRIDE_KEYS.flatMap((key) => {
      const value = contextString(app, key)
      return value === undefined ? [] : [[key, value]]
    })
  )
  const settings = resolveEnvironment(name, { ...storedSettings(app, name), ...fromCommandLine })
  addNagChecks(app)
  const stack = new RpMwStack(app, `rp-mw-${settings.name}`, { settings })
  acknowledgeFindings(stack)
  return stack
}
