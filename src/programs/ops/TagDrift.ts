import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import { AWAITING_TAG } from "../../domain/PolicyTags.js"
import { loadRoutingConfig, type RoutingConfig } from "../../domain/RoutingConfig.js"
import { IntentIds, teamSlug } from "../../domain/Taxonomy.js"
import { AppConfig } from "../../services/AppConfig.js"
import * as Metrics from "../../services/Metrics.js"
import { Richpanel } from "../../services/Richpanel.js"

/** Tags `buildTags` may add whatever the routing config says (product spec §3). */
const FIXED_TAGS = ["mw-routed", "mw-needs-human", "mw-low-confidence", "mw-model-failure", "mw-auto-replied", AWAITING_TAG]

/**
 * Every tag the worker can add under this routing config, mirroring `PolicyTags.buildTags`: one `route-<team>`
 * per team a message can be routed to (a missing team routes to the fallback team and adds `mw-needs-<team>`),
 * `mw-intent-*` / `mw-secondary-*` per intent, each intent's `extra_tags`, and the fixed `mw-*` markers.
 * Richpanel assignment rules key on these names, so each must exist there (reference/richpanel.md §3.2, §7).
 */
export const routingTags = (config: RoutingConfig): ReadonlyArray<string> => {
  const teams = [
    ...IntentIds.map((intent) => config.intents[intent].team),
    config.fallback_team,
    config.privacy_team,
    ...Object.values(config.channel_teams).filter((team): team is string => team !== undefined)
  ]
  const teamTags = teams.flatMap((team) =>
    config.missing_teams.includes(team)
      ? [`route-${teamSlug(config.fallback_team)}`, `mw-needs-${teamSlug(team)}`]
      : [`route-${teamSlug(team)}`]
  )
  const intentTags = IntentIds.flatMap((intent) => [
    `mw-intent-${intent}`,
    `mw-secondary-${intent}`,
    ...config.intents[intent].extra_tags
  ])
  return [...new Set([...teamTags, ...intentTags, ...FIXED_TAGS])].sort()
}

export type TagDriftResult =
  | { readonly status: "ok"; readonly checked: number; readonly missing: ReadonlyArray<string> }
  | { readonly status: "skipped"; readonly reason: string }

/**
 * Compares the routing config's tags with `GET /v1/tags` and reports the missing ones by name (tag names are
 * configuration, not PII) plus the `MissingRoutingTags` metric. Without a Richpanel key there is nothing to
 * compare against (the dry-run client has no tags), so the check says it was skipped rather than "all missing".
 */
export const tagDrift = Effect.fn("Ops.tagDrift")(function* () {
  const config = yield* AppConfig
  if (Option.isNone(config.richpanelApiKey)) {
    return {
      status: "skipped",
      reason: "RICHPANEL_API_KEY is not configured (dry run): set RICHPANEL_API_KEY_SECRET_ARN to a secret holding the key"
    } satisfies TagDriftResult
  }
  const expected = routingTags(yield* loadRoutingConfig())
  const existing = new Set((yield* Effect.flatMap(Richpanel, (richpanel) => richpanel.listTags)).map((tag) => tag.name))
  const missing = expected.filter((tag) => !existing.has(tag))
  yield* Metrics.emit("MissingRoutingTags", missing.length, {})
  return { status: "ok", checked: expected.length, missing } satisfies TagDriftResult
})
