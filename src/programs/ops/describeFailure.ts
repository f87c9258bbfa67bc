import * as ConfigError from "effect/ConfigError"

/**
 * One line for the ops report, from the typed errors the checks can fail with: the SQS call and queue, the
 * Richpanel status, the routing-config key, the missing variable. Never a value from a ticket.
 */
export const describeFailure = (error: unknown): string => {
  if (ConfigError.isConfigError(error)) return `configuration: ${String(error)}`
  if (typeof error !== "object" || error === null) return String(error)
  const e = error as Readonly<Record<string, unknown>>
  switch (e["_tag"]) {
    case "QueueStatsFailed":
      return `${String(e["operation"])} on ${String(e["queue"])} failed: ${String(e["code"])}: ${String(e["reason"])}`
    case "RichpanelUnauthorized":
      return `Richpanel answered ${String(e["status"])}: the API key is wrong or lacks permission to list tags`
    case "RichpanelRateLimited":
      return "Richpanel rate-limited the tag listing (429); the next run retries"
    case "RoutingConfigError":
      return `routing config ${String(e["path"])}: ${String(e["key"])} ${String(e["message"])}`
  }
  const detail = [e["reason"], e["status"] === undefined ? undefined : `HTTP ${String(e["status"])}`, e["message"]]
    .filter((part) => typeof part === "string" && part !== "")
  return [typeof e["_tag"] === "string" ? e["_tag"] : "error", ...detail].join(": ")
}
