import * as Option from "effect/Option"
import * as nodePath from "node:path"
import type { AppConfig } from "../services/AppConfig.js"
import type { LocalSettings } from "./LocalSettings.js"

const liveOr = (key: Option.Option<unknown>, dryRun: string) => (Option.isSome(key) ? "live" : dryRun)

/** What a developer needs to see at start: where to send webhooks, what the middleware will do, where data lives. */
export const banner = (url: string, settings: LocalSettings, config: AppConfig["Type"]) =>
  [
    `rp-mw local runtime listening on ${url}`,
    `  POST ${url}/webhooks/richpanel   GET ${url}/events   GET ${url}/healthz`,
    `  mode:       ${config.mode}${config.mode === "shadow" ? " (decide and record only; no Richpanel writes)" : ""}`,
    `  webhook:    ${Option.isSome(config.webhookToken) ? "token required (x-webhook-token header or ?token=)" : "OPEN — no WEBHOOK_TOKEN set; anyone who can reach this port can post"}`,
    `  richpanel:  ${liveOr(config.richpanelApiKey, "dry-run (no RICHPANEL_API_KEY): intended calls are recorded, not sent")}`,
    `  openai:     ${liveOr(config.openaiApiKey, "local rules classifier (no OPENAI_API_KEY)")}`,
    `  shopify:    ${liveOr(config.shopifyAccessToken, "sample store (no SHOPIFY_ACCESS_TOKEN)")}`,
    `  data:       ${nodePath.resolve(settings.dataDir)} (queue journals + DynamoDB tables; survives restarts, delete it to start clean)`,
    `  Ctrl-C stops cleanly; acknowledged events are on disk and resume on the next start.`
  ].join("\n")
