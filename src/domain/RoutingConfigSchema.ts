import type * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import { IntentId, P0Intents } from "./Taxonomy.js"

/**
 * The shape of `config/routing.json` (DESIGN.md §3 "Routing config"; defaults from product spec §1–§7).
 * A support lead edits this file, so every leaf says what it expected and what it got, and unknown keys are
 * rejected at decode time (`onExcessProperty: "error"`): a typo must fail start-up, not silently fall back.
 */

const shown = (actual: unknown): string => (actual === undefined ? "nothing" : JSON.stringify(actual) ?? String(actual))

/** Leaves: replace whatever the members would have said with "expected …, got …". */
const expected = (what: string) => ({
  message: (issue: ParseResult.ParseIssue) => ({ message: `expected ${what}, got ${shown(issue.actual)}`, override: true })
})

/** The value itself has the wrong type (not a failure further down, which keeps its own path and message). */
const isShapeMismatch = (issue: ParseResult.ParseIssue): boolean =>
  issue._tag === "Type" ||
  (((issue._tag === "Transformation" && issue.kind === "Encoded") ||
    (issue._tag === "Refinement" && issue.kind === "From")) && isShapeMismatch(issue.issue))

/** Containers: name the container only when it is the wrong type, else report the inner key. */
const container = (what: string) => ({
  message: (issue: ParseResult.ParseIssue) => ({
    message: `expected ${what}, got ${shown(issue.actual)}`,
    override: isShapeMismatch(issue)
  })
})

const NonEmptyString = Schema.String.pipe(Schema.minLength(1)).annotations(expected("a non-empty string"))
const Bool = Schema.Boolean.annotations(expected("true or false"))
const Probability = Schema.Number.pipe(Schema.between(0, 1)).annotations(expected("a number between 0 and 1"))
const listOf = <S extends Schema.Schema.Any>(item: S, what: string) => Schema.Array(item).annotations(container(what))
const Strings = listOf(NonEmptyString, "a list of strings")
const withDefault = <S extends Schema.Schema.Any>(schema: S, value: () => Schema.Schema.Type<S>) =>
  Schema.optionalWith(schema, { default: value })

/** Richpanel tags we add besides the computed ones; a `route-*` tag here would break "exactly one route tag". */
const ExtraTag = Schema.String.pipe(
  Schema.pattern(/^(?!route-)[A-Za-z0-9_:.-]+$/)
).annotations(expected("a tag of letters, digits, `_ : . -` that does not start with `route-`"))

export const IntentRule = Schema.Struct({
  team: NonEmptyString,
  tier: Schema.Literal(0, 1, 2, 3).annotations(expected("a tier 0, 1, 2 or 3")),
  /** The P column of product spec §2: the multi-intent ladder level, 0 (P0) … 7. */
  priority: Schema.Int.pipe(Schema.between(0, 7)).annotations(expected("an integer priority between 0 and 7")),
  /** The first template is the intake reply; order-status intents list their whole set (spec §7). */
  templates: listOf(NonEmptyString, "a list of template ids"),
  reply_enabled: Bool,
  extra_tags: withDefault(listOf(ExtraTag, "a list of tags"), () => [])
}).annotations(container("an object"))
export type IntentRule = typeof IntentRule.Type

/** Ordered so each gate is at least as strict as the one before it: low_confidence ≤ route ≤ tier1 ≤ tier2. */
const THRESHOLD_ORDER = ["low_confidence", "route", "tier1_reply", "tier2_reply"] as const

export const Thresholds = Schema.Struct({
  route: Probability,
  low_confidence: Probability,
  tier1_reply: Probability,
  tier2_reply: Probability
}).annotations(container("an object")).pipe(
  Schema.filter((t) => {
    for (let i = 1; i < THRESHOLD_ORDER.length; i++) {
      const lower = THRESHOLD_ORDER[i - 1]!
      const key = THRESHOLD_ORDER[i]!
      if (t[key] < t[lower]) return { path: [key], message: `must be ≥ ${lower} (${t[lower]}), got ${t[key]}` }
    }
    return undefined
  })
)
export type Thresholds = typeof Thresholds.Type

/** Social, TikTok and phone are fixed route-only (spec §6): only these two may ever be allow-listed. */
export const ReplyChannel = Schema.Literal("email", "livechat").annotations(expected("\"email\" or \"livechat\""))

const Count = (min: number) =>
  Schema.Int.pipe(Schema.greaterThanOrEqualTo(min)).annotations(expected(`an integer ≥ ${min}`))

export const HandoverKinds = ["human_requested", "refund_dispute", "privacy_request", "internal_info"] as const
export type HandoverKind = (typeof HandoverKinds)[number]

const P0Intent = Schema.Literal(...P0Intents)

const TimeZone = NonEmptyString.pipe(
  Schema.filter((zone) => {
    try {
      new Intl.DateTimeFormat("en-US", { timeZone: zone })
      return true
    } catch {
      return `expected an IANA time zone such as "America/New_York", got ${JSON.stringify(zone)}`
    }
  })
)

const ShippingTierRule = Schema.Struct({
  name: NonEmptyString,
  min_days: Count(0),
  max_days: Count(0),
  /** Matched at the start of a word of the order's shipping-method title, ignoring case. */
  keywords: Strings
}).annotations(container("an object")).pipe(
  Schema.filter((t) => t.max_days >= t.min_days ? undefined : { path: ["max_days"], message: `must be ≥ min_days (${t.min_days}), got ${t.max_days}` })
)

/** Spec §7.3: business-day windows per shipping tier, checked top-down, in the store's calendar. */
export const DeliveryWindows = Schema.Struct({
  time_zone: withDefault(TimeZone, () => "America/New_York"),
  pre_order_tag: withDefault(NonEmptyString, () => "Pre-order"),
  pre_order_start_days: withDefault(Count(0), () => 45),
  /** Shopify's order status page shows the address and items: linked in the verified reply only when switched on. */
  include_status_page_link: withDefault(Bool, () => false),
  tiers: withDefault(listOf(ShippingTierRule, "a list of shipping tiers"), () => [
    { name: "Priority", min_days: 1, max_days: 1, keywords: ["priority", "overnight", "next day"] },
    { name: "Rushed", min_days: 1, max_days: 2, keywords: ["rush", "express", "expedited"] },
    { name: "Standard", min_days: 3, max_days: 5, keywords: ["standard", "ground", "economy", "free"] }
  ])
}).annotations(container("an object"))
export type DeliveryWindows = typeof DeliveryWindows.Type

export const RoutingConfigSchema = Schema.Struct({
  /** Recorded in every decision so a decision can be traced to the config that made it. */
  version: NonEmptyString,
  teams: listOf(NonEmptyString, "a list of team names"),
  /** Teams the tenant does not have (yet): their messages go to `fallback_team` + `mw-needs-<slug>` (spec §1). */
  missing_teams: withDefault(listOf(NonEmptyString, "a list of team names"), () => []),
  fallback_team: NonEmptyString,
  /** Privacy / data-deletion requests go here whatever the intent (spec §4.4). */
  privacy_team: withDefault(NonEmptyString, () => "Leadership Team"),
  intents: Schema.Record({ key: IntentId, value: IntentRule }).annotations(container("an object with one entry per intent id")),
  thresholds: Thresholds,
  tier1_enabled: withDefault(Bool, () => true),
  tier2_enabled: withDefault(Bool, () => true),
  auto_reply_channels: withDefault(listOf(ReplyChannel, "a list of channels"), () => ["email"] as const),
  auto_reply_limits: Schema.Struct({
    min_interval_minutes: Count(0),
    max_per_24_hours: Count(0)
  }).annotations(container("an object")),
  /** Channel-first rule: a confident `unknown_other` on these channels goes to the channel's team (spec §2). */
  channel_teams: Schema.Struct({
    livechat: Schema.optionalWith(NonEmptyString, { exact: true }),
    social: Schema.optionalWith(NonEmptyString, { exact: true }),
    tiktok: Schema.optionalWith(NonEmptyString, { exact: true }),
    phone: Schema.optionalWith(NonEmptyString, { exact: true })
  }).annotations(container("an object")),
  awaiting_order_number: Schema.Struct({
    max_attempts: Count(1),
    expiry_hours: Schema.Number.pipe(Schema.positive()).annotations(expected("a number of hours > 0"))
  }).annotations(container("an object")),
  delivery: withDefault(DeliveryWindows, () => Schema.decodeSync(DeliveryWindows)({})),
  tier0_keywords: Schema.Record({ key: P0Intent, value: Strings }).annotations(
    container("an object with a keyword list per P0 intent")
  ),
  handover_keywords: Schema.Struct({
    human_requested: Strings,
    refund_dispute: Strings,
    privacy_request: Strings,
    internal_info: Strings
  }).annotations(container("an object")),
  rules_classifier: Schema.Struct({
    /** Regex sources compiled with RULES_PATTERN_FLAGS by the local rules classifier. */
    patterns: Schema.Record({ key: IntentId, value: Strings }).annotations(
      container("an object with a pattern list per intent id")
    )
  }).annotations(container("an object"))
}).annotations(container("a JSON object"))

export type RoutingConfig = typeof RoutingConfigSchema.Type

/** Flags the rules classifier compiles its patterns with (validated with the same flags at load). */
export const RULES_PATTERN_FLAGS = "i"
