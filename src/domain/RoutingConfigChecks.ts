import { RULES_PATTERN_FLAGS, type RoutingConfig } from "./RoutingConfigSchema.js"
import { IntentIds, P0Intents, type IntentId } from "./Taxonomy.js"

/**
 * Rules the Schema cannot express: references between keys, and the few policy invariants a config edit must
 * not be able to break (P0 intents are always Tier 0; only order-status intents have a Tier 2 path).
 */

export interface ConfigProblem {
  readonly key: string
  readonly message: string
}

/** The only intents with a verified-reply (Tier 2) path: the order-status automation of spec §7. */
export const ORDER_STATUS_INTENTS: ReadonlyArray<IntentId> = ["order_status_tracking", "shipping_delay_not_shipped"]

const isP0 = (intent: IntentId): boolean => (P0Intents as ReadonlyArray<IntentId>).includes(intent)

function* teamProblems(config: RoutingConfig): Generator<ConfigProblem> {
  const teams = new Set(config.teams)
  const unknown = (key: string, team: string): ConfigProblem => ({
    key,
    message: `unknown team ${JSON.stringify(team)}; it must be one of \`teams\``
  })
  const seen = new Set<string>()
  for (const [i, team] of config.teams.entries()) {
    if (seen.has(team)) yield { key: `teams[${i}]`, message: `duplicate team ${JSON.stringify(team)}` }
    seen.add(team)
  }
  if (!teams.has(config.fallback_team)) yield unknown("fallback_team", config.fallback_team)
  // The fallback is where messages for missing teams go; it cannot itself be missing.
  if (config.missing_teams.includes(config.fallback_team)) {
    yield { key: "missing_teams", message: `must not contain fallback_team ${JSON.stringify(config.fallback_team)}` }
  }
  if (!teams.has(config.privacy_team)) yield unknown("privacy_team", config.privacy_team)
  for (const [i, team] of config.missing_teams.entries()) {
    if (!teams.has(team)) yield unknown(`missing_teams[${i}]`, team)
  }
  for (const intent of IntentIds) {
    const team = config.intents[intent].team
    if (!teams.has(team)) yield unknown(`intents.${intent}.team`, team)
  }
  for (const [channel, team] of Object.entries(config.channel_teams)) {
    if (team !== undefined && !teams.has(team)) yield unknown(`channel_teams.${channel}`, team)
  }
}

function* intentProblems(config: RoutingConfig): Generator<ConfigProblem> {
  for (const intent of IntentIds) {
    const rule = config.intents[intent]
    const at = `intents.${intent}`
    if (isP0(intent) && rule.tier !== 0) yield { key: `${at}.tier`, message: `a P0 intent is always tier 0, got ${rule.tier}` }
    if (isP0(intent) && rule.priority !== 0) {
      yield { key: `${at}.priority`, message: `a P0 intent always has priority 0, got ${rule.priority}` }
    }
    if (!isP0(intent) && rule.priority === 0) {
      yield { key: `${at}.priority`, message: "priority 0 is reserved for the four P0 intents, got 0" }
    }
    if (rule.tier === 2 && !ORDER_STATUS_INTENTS.includes(intent)) {
      yield { key: `${at}.tier`, message: `tier 2 exists only for ${ORDER_STATUS_INTENTS.join(" and ")}, got 2` }
    }
    if (rule.reply_enabled && rule.tier > 0 && rule.templates.length === 0) {
      yield { key: `${at}.templates`, message: "must list at least one template when reply_enabled is true" }
    }
  }
}

function* patternProblems(config: RoutingConfig): Generator<ConfigProblem> {
  for (const intent of IntentIds) {
    for (const [i, source] of config.rules_classifier.patterns[intent].entries()) {
      try {
        new RegExp(source, RULES_PATTERN_FLAGS)
      } catch (error) {
        yield {
          key: `rules_classifier.patterns.${intent}[${i}]`,
          message: `is not a valid regular expression: ${error instanceof Error ? error.message : String(error)}`
        }
      }
    }
  }
}

/** The first problem, in file order, or undefined when the config is consistent. */
export const firstProblem = (config: RoutingConfig): ConfigProblem | undefined => {
  for (const check of [teamProblems, intentProblems, patternProblems]) {
    const next = check(config).next()
    if (next.done !== true) return next.value
  }
  return undefined
}
