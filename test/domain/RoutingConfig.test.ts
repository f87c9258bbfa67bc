import { describe, expect, it } from "@effect/vitest"
import { ConfigProvider, Effect, Either } from "effect"
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import * as path from "node:path"
import {
  decodeRoutingConfig,
  defaultRoutingConfig,
  loadRoutingConfig,
  RoutingConfigError,
  WHOLE_FILE
} from "../../src/domain/RoutingConfig.js"
import { deliverySettings } from "../../src/domain/DeliveryConfig.js"
import { IntentIds, teamSlug } from "../../src/domain/Taxonomy.js"

const REPO_FILE = path.resolve(import.meta.dirname, "../../config/routing.json")
/** Raw JSON, edited freely by the tests. */
type Json = any
const rawDefaults = (): Json => JSON.parse(readFileSync(REPO_FILE, "utf8"))

const errorOf = (json: unknown): RoutingConfigError =>
  Either.match(decodeRoutingConfig(json, "test.json"), {
    onLeft: (error) => error,
    onRight: () => {
      throw new Error("expected the config to be rejected")
    }
  })

const edited = (edit: (config: Json) => void): Json => {
  const config = rawDefaults()
  edit(config)
  return config
}

const tempFile = (name: string, content: string): string => {
  const file = path.join(mkdtempSync(path.join(tmpdir(), "rp-mw-routing-")), name)
  writeFileSync(file, content)
  return file
}

describe("default routing config (product spec §1–§7)", () => {
  it("the repo file validates", () => {
    expect(Either.isRight(decodeRoutingConfig(rawDefaults()))).toBe(true)
  })

  it("has the 11 teams and their route tags", () => {
    expect(defaultRoutingConfig.teams.map((team) => `route-${teamSlug(team)}`)).toEqual([
      "route-sales-team",
      "route-backend-team",
      "route-technical-support-team",
      "route-phone-support-team",
      "route-tiktok-support",
      "route-returns-admin",
      "route-livechat-support",
      "route-leadership-team",
      "route-social-media-team",
      "route-email-support-team",
      "route-chargebacks-disputes-team"
    ])
    expect(defaultRoutingConfig.fallback_team).toBe("Email Support Team")
    expect(defaultRoutingConfig.privacy_team).toBe("Leadership Team")
    expect(defaultRoutingConfig.missing_teams).toEqual([])
  })

  it("has the spec's intent table (team, tier, P, first template)", () => {
    const table: ReadonlyArray<readonly [string, string, number, number, string | undefined, boolean]> = [
      ["order_status_tracking", "Email Support Team", 2, 4, "t_order_status_verified", true],
      ["shipping_delay_not_shipped", "Email Support Team", 2, 4, "t_order_status_verified", true],
      ["delivered_not_received", "Returns Admin", 1, 2, "t_delivered_not_received_intake", true],
      ["missing_items_in_shipment", "Returns Admin", 1, 2, "t_missing_items_intake", true],
      ["wrong_item_received", "Returns Admin", 1, 2, "t_wrong_item_intake", true],
      ["damaged_item", "Returns Admin", 1, 2, "t_damaged_item_intake", true],
      ["cancel_order", "Email Support Team", 1, 1, "t_cancel_order_ack_intake", true],
      ["address_change_order_edit", "Email Support Team", 1, 1, "t_address_change_ack_intake", true],
      ["cancel_subscription", "Email Support Team", 1, 1, "t_cancel_subscription_ack_intake", true],
      ["billing_issue", "Email Support Team", 1, 1, "t_billing_issue_intake", true],
      ["promo_discount_issue", "Sales Team", 1, 6, "t_promo_discount_info", true],
      ["pre_purchase_question", "Sales Team", 1, 6, "t_pre_purchase_info", true],
      ["influencer_marketing_inquiry", "Social Media Team", 1, 6, "t_influencer_inquiry_route", true],
      ["return_request", "Returns Admin", 1, 3, "t_return_request_intake", true],
      ["exchange_request", "Returns Admin", 1, 3, "t_exchange_request_intake", true],
      ["refund_request", "Returns Admin", 1, 3, "t_refund_request_intake", true],
      ["technical_support", "Technical Support Team", 1, 5, "t_technical_support_intake", true],
      ["phone_support_request", "Phone Support Team", 0, 5, undefined, false],
      ["tiktok_support_request", "TikTok Support", 0, 5, undefined, false],
      ["social_media_support_request", "Social Media Team", 0, 5, undefined, false],
      ["chargeback_dispute", "Chargebacks / Disputes Team", 0, 0, "t_chargeback_neutral_ack", false],
      ["legal_threat", "Leadership Team", 0, 0, "t_legal_threat_ack", false],
      ["harassment_threats", "Leadership Team", 0, 0, "t_harassment_ack", false],
      ["fraud_suspected", "Leadership Team", 0, 0, "t_fraud_ack", false],
      ["unknown_other", "Email Support Team", 0, 7, "t_unknown_ack", false]
    ]
    expect(table.map(([intent]) => intent)).toEqual([...IntentIds])
    for (const [intent, team, tier, priority, template, enabled] of table) {
      const rule = defaultRoutingConfig.intents[intent as (typeof IntentIds)[number]]
      expect({ intent, team: rule.team, tier: rule.tier, priority: rule.priority, template: rule.templates[0], enabled: rule.reply_enabled })
        .toEqual({ intent, team, tier, priority, template, enabled })
    }
    expect(defaultRoutingConfig.intents.order_status_tracking.templates).toContain("t_order_status_ask_order_number")
  })

  it("has the spec's numbers", () => {
    expect(defaultRoutingConfig.thresholds).toEqual({ route: 0.6, low_confidence: 0.5, tier1_reply: 0.7, tier2_reply: 0.85 })
    expect(defaultRoutingConfig.auto_reply_channels).toEqual(["email"])
    expect(defaultRoutingConfig.auto_reply_limits).toEqual({ min_interval_minutes: 10, max_per_24_hours: 3 })
    expect(defaultRoutingConfig.awaiting_order_number).toEqual({ max_attempts: 2, expiry_hours: 72 })
    expect(defaultRoutingConfig.tier1_enabled && defaultRoutingConfig.tier2_enabled).toBe(true)
    // Shopify's status page shows the address and items: never linked unless a support lead turns it on.
    expect(defaultRoutingConfig.delivery.include_status_page_link).toBe(false)
    expect(defaultRoutingConfig.channel_teams).toEqual({
      tiktok: "TikTok Support",
      social: "Social Media Team",
      livechat: "LiveChat Support",
      phone: "Phone Support Team"
    })
  })

  it("has a rules-classifier pattern list for every intent", () => {
    for (const intent of IntentIds) expect(defaultRoutingConfig.rules_classifier.patterns[intent]).toBeDefined()
  })

  it("fills the documented defaults when optional keys are left out", () => {
    const config = Either.getOrThrow(decodeRoutingConfig(edited((c) => {
      delete c.missing_teams
      delete c.privacy_team
      delete c.auto_reply_channels
      delete c.tier1_enabled
      delete c.tier2_enabled
      delete c.intents.cancel_order.extra_tags
      delete c.delivery.include_status_page_link
    })))
    expect(config.missing_teams).toEqual([])
    expect(config.privacy_team).toBe("Leadership Team")
    expect(config.auto_reply_channels).toEqual(["email"])
    expect(config.tier1_enabled && config.tier2_enabled).toBe(true)
    expect(config.intents.cancel_order.extra_tags).toEqual([])
    expect(config.delivery.include_status_page_link).toBe(false)
    // Without the whole `delivery` section too.
    expect(Either.getOrThrow(decodeRoutingConfig(edited((c) => delete c.delivery))).delivery.include_status_page_link).toBe(false)
  })

  it("turns the status page link on only with `delivery.include_status_page_link: true`", () => {
    const config = Either.getOrThrow(decodeRoutingConfig(edited((c) => (c.delivery.include_status_page_link = true))))
    expect(config.delivery.include_status_page_link).toBe(true)
    expect(deliverySettings(config.delivery).statusPageLink).toBe(true)
    expect(deliverySettings(defaultRoutingConfig.delivery).statusPageLink).toBe(false)
  })
})

describe("invalid routing config: the error names the key to fix", () => {
  const table: ReadonlyArray<readonly [string, (c: Json) => void, string, string]> = [
    ["missing intent", (c) => delete c.intents.cancel_order, "intents.cancel_order", "is missing"],
    ["unknown intent key", (c) => (c.intents.cancel_everything = c.intents.cancel_order), "intents.cancel_everything", "not one of the 25 intent ids"],
    ["unknown top-level key", (c) => (c.treshold = 1), "treshold", "not a routing config key"],
    ["tier out of range", (c) => (c.intents.cancel_order.tier = 5), "intents.cancel_order.tier", "expected a tier 0, 1, 2 or 3, got 5"],
    ["tier as string", (c) => (c.intents.cancel_order.tier = "1"), "intents.cancel_order.tier", "got \"1\""],
    ["priority out of range", (c) => (c.intents.damaged_item.priority = 8), "intents.damaged_item.priority", "between 0 and 7, got 8"],
    ["priority not an integer", (c) => (c.intents.damaged_item.priority = 2.5), "intents.damaged_item.priority", "got 2.5"],
    ["threshold out of range", (c) => (c.thresholds.route = 1.5), "thresholds.route", "expected a number between 0 and 1, got 1.5"],
    ["threshold negative", (c) => (c.thresholds.low_confidence = -0.1), "thresholds.low_confidence", "got -0.1"],
    ["threshold missing", (c) => delete c.thresholds.tier2_reply, "thresholds.tier2_reply", "is missing"],
    ["route below low_confidence", (c) => (c.thresholds.route = 0.4), "thresholds.route", "must be ≥ low_confidence (0.5), got 0.4"],
    ["tier1 below route", (c) => (c.thresholds.tier1_reply = 0.55), "thresholds.tier1_reply", "must be ≥ route (0.6)"],
    ["tier2 below tier1", (c) => (c.thresholds.tier2_reply = 0.65), "thresholds.tier2_reply", "must be ≥ tier1_reply (0.7)"],
    ["unknown intent team", (c) => (c.intents.cancel_order.team = "Billing Team"), "intents.cancel_order.team", "unknown team \"Billing Team\""],
    ["unknown channel team", (c) => (c.channel_teams.tiktok = "TikTok"), "channel_teams.tiktok", "unknown team"],
    ["unknown fallback team", (c) => (c.fallback_team = "Email"), "fallback_team", "unknown team"],
    ["unknown privacy team", (c) => (c.privacy_team = "Legal"), "privacy_team", "unknown team"],
    ["unknown missing team", (c) => (c.missing_teams = ["Ghost Team"]), "missing_teams[0]", "unknown team"],
    ["fallback team listed missing", (c) => (c.missing_teams = ["Email Support Team"]), "missing_teams", "must not contain fallback_team"],
    ["duplicate team", (c) => c.teams.push("Sales Team"), "teams[11]", "duplicate team"],
    ["bad regex", (c) => (c.rules_classifier.patterns.cancel_order = ["ok", "(unclosed"]), "rules_classifier.patterns.cancel_order[1]", "not a valid regular expression"],
    ["missing pattern list", (c) => delete c.rules_classifier.patterns.billing_issue, "rules_classifier.patterns.billing_issue", "is missing"],
    ["social auto-reply channel", (c) => (c.auto_reply_channels = ["email", "social"]), "auto_reply_channels[1]", "expected \"email\" or \"livechat\", got \"social\""],
    ["P0 intent given a reply tier", (c) => (c.intents.legal_threat.tier = 1), "intents.legal_threat.tier", "P0 intent is always tier 0"],
    ["P0 intent demoted", (c) => (c.intents.fraud_suspected.priority = 3), "intents.fraud_suspected.priority", "always has priority 0"],
    ["non-P0 at P0", (c) => (c.intents.cancel_order.priority = 0), "intents.cancel_order.priority", "reserved for the four P0 intents"],
    ["tier 2 outside order status", (c) => (c.intents.cancel_order.tier = 2), "intents.cancel_order.tier", "tier 2 exists only for"],
    ["enabled without template", (c) => (c.intents.cancel_order.templates = []), "intents.cancel_order.templates", "at least one template"],
    ["templates not a list", (c) => (c.intents.cancel_order.templates = "t_x"), "intents.cancel_order.templates", "expected a list of template ids, got \"t_x\""],
    ["extra route tag", (c) => (c.intents.cancel_order.extra_tags = ["route-x"]), "intents.cancel_order.extra_tags[0]", "does not start with `route-`"],
    ["reply_enabled not boolean", (c) => (c.intents.cancel_order.reply_enabled = "yes"), "intents.cancel_order.reply_enabled", "expected true or false"],
    ["missing P0 keyword list", (c) => delete c.tier0_keywords.legal_threat, "tier0_keywords.legal_threat", "is missing"],
    ["empty keyword", (c) => c.handover_keywords.human_requested.push(""), "handover_keywords.human_requested[18]", "non-empty string"],
    ["negative limit", (c) => (c.auto_reply_limits.max_per_24_hours = -1), "auto_reply_limits.max_per_24_hours", "integer ≥ 0, got -1"],
    ["status page switch not boolean", (c) => (c.delivery.include_status_page_link = "yes"), "delivery.include_status_page_link", "expected true or false, got \"yes\""],
    ["status page switch misspelt", (c) => (c.delivery.status_page_link = true), "delivery.status_page_link", "is not a routing config key"],
    ["zero attempts", (c) => (c.awaiting_order_number.max_attempts = 0), "awaiting_order_number.max_attempts", "integer ≥ 1, got 0"],
    ["empty version", (c) => (c.version = ""), "version", "non-empty string"],
    ["not an object", (c) => (c.thresholds = 3), "thresholds", "expected an object, got 3"]
  ]

  for (const [name, edit, key, message] of table) {
    it(name, () => {
      const error = errorOf(edited(edit))
      expect(error).toBeInstanceOf(RoutingConfigError)
      expect({ path: error.path, key: error.key }).toEqual({ path: "test.json", key })
      expect(error.message).toContain(message)
    })
  }

  it("a body that is not an object names the whole file", () => {
    expect(errorOf([1, 2]).key).toBe(WHOLE_FILE)
  })
})

describe("loadRoutingConfig", () => {
  it.effect("loads the repo file by default", () =>
    Effect.gen(function*() {
      const config = yield* loadRoutingConfig()
      expect(config).toEqual(defaultRoutingConfig)
    }).pipe(Effect.withConfigProvider(ConfigProvider.fromMap(new Map()))))

  it.effect("MW_ROUTING_CONFIG points at another file", () =>
    Effect.gen(function*() {
      const file = tempFile("routing.json", JSON.stringify(edited((c) => (c.version = "from-env"))))
      const config = yield* loadRoutingConfig().pipe(
        Effect.withConfigProvider(ConfigProvider.fromMap(new Map([["MW_ROUTING_CONFIG", file]])))
      )
      expect(config.version).toBe("from-env")
    }))

  it.effect("an explicit path wins over MW_ROUTING_CONFIG", () =>
    Effect.gen(function*() {
      const file = tempFile("routing.json", JSON.stringify(edited((c) => (c.version = "explicit"))))
      const config = yield* loadRoutingConfig(file).pipe(
        Effect.withConfigProvider(ConfigProvider.fromMap(new Map([["MW_ROUTING_CONFIG", "/nowhere.json"]])))
      )
      expect(config.version).toBe("explicit")
    }))

  it.effect("a missing file fails naming the path", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(loadRoutingConfig("/definitely/not/here.json"))
      expect(error).toMatchObject({ _tag: "RoutingConfigError", path: "/definitely/not/here.json", key: WHOLE_FILE })
      expect(error.message).toContain("cannot be read")
    }))

  it.effect("invalid JSON fails naming the path", () =>
    Effect.gen(function*() {
      const file = tempFile("broken.json", "{ \"version\": ")
      const error = yield* Effect.flip(loadRoutingConfig(file))
      expect(error).toMatchObject({ path: file, key: WHOLE_FILE })
      expect(error.message).toContain("is not valid JSON")
    }))

  it.effect("a schema error in a file carries the file path and the key", () =>
    Effect.gen(function*() {
      const file = tempFile("routing.json", JSON.stringify(edited((c) => (c.thresholds.route = 1.5))))
      const error = yield* Effect.flip(loadRoutingConfig(file))
      expect(error).toMatchObject({ path: file, key: "thresholds.route", message: "expected a number between 0 and 1, got 1.5" })
    }))
})
