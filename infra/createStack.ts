import type { App } from "aws-cdk-lib"
import { type ContextOverrides, resolveEnvironment } from "./environments.js"
import { acknowledgeFindings, addNagChecks } from "./nag.js"
import { RpMwStack } from "./RpMwStack.js"

const contextString = (app: App, key: string): string | undefined => {
  const value: unknown = app.node.tryGetContext(key)
  return typeof value === "string" && value.trim() !== "" ? value.trim() : undefined
}

/**
 * The one way a stack is made, for the CLI and the tests alike: environment from `-c env=` (default dev),
 * overrides from context, cdk-nag checks on the app, and the acknowledged findings.
 */
export const createStack = (app: App): RpMwStack => {
  const name = contextString(app, "env") ?? "dev"
  const overrides: ContextOverrides = Object.fromEntries(
    ([
      "region",
      "alarmEmail",
      "mode",
      "richpanelBotAuthorId",
      "shopifyShop",
      "workerReservedConcurrency",
      "workerMaxConcurrency",
      "workerBatchSize"
    ] as const).flatMap((key) => {
      const value = contextString(app, key)
      return value === undefined ? [] : [[key, value]]
    })
  )
  const settings = resolveEnvironment(name, overrides)
  addNagChecks(app)
  const stack = new RpMwStack(app, `rp-mw-${settings.name}`, { settings })
  acknowledgeFindings(stack)
  return stack
}
