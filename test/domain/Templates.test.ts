import { describe, expect, it } from "@effect/vitest"
import { ConfigProvider, Effect, Either } from "effect"
import { mkdtempSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import {
  decodeTemplates,
  defaultTemplates,
  loadTemplates,
  MAX_VALUE_LENGTH,
  renderTemplate,
  type TemplateCatalogue,
  type TemplateChannel
} from "../../src/domain/Templates.js"

/** Product spec §8, row by row: id → [tier, on, required variables, other named variables]. */
const spec: Record<string, readonly [number, boolean, ReadonlyArray<string>, ReadonlyArray<string>]> = {
  t_order_status_verified: [2, true, ["order_id", "order_status"], [
    "fulfillment_status",
    "tracking_company",
    "tracking_number",
    "tracking_url",
    "status_url"
  ]],
  t_order_eta_no_tracking_verified: [2, true, ["order_id", "shipping_bucket", "eta_remaining_human"], [
    "order_created_date_human"
  ]],
  t_shipping_delay_verified: [2, true, ["order_id", "order_status", "fulfillment_status"], [
    "order_created_at",
    "support_hours_note"
  ]],
  t_order_status_ask_order_number: [1, true, [], []],
  t_delivered_not_received_intake: [1, true, [], []],
  t_missing_items_intake: [1, true, [], []],
  t_wrong_item_intake: [1, true, [], []],
  t_damaged_item_intake: [1, true, [], []],
  t_cancel_order_ack_intake: [1, true, [], []],
  t_address_change_ack_intake: [1, true, [], []],
  t_cancel_subscription_ack_intake: [1, true, [], []],
  t_billing_issue_intake: [1, true, [], []],
  t_return_request_intake: [1, true, [], []],
  t_exchange_request_intake: [1, true, [], []],
  t_refund_request_intake: [1, true, [], []],
  t_technical_support_intake: [1, true, [], []],
  t_promo_discount_info: [1, true, [], []],
  t_pre_purchase_info: [1, true, [], []],
  t_influencer_inquiry_route: [1, true, [], []],
  t_chargeback_neutral_ack: [0, false, [], []],
  t_legal_threat_ack: [0, false, [], []],
  t_harassment_ack: [0, false, [], []],
  t_fraud_ack: [0, false, [], []],
  t_unknown_ack: [0, false, [], []]
}

const orderVars = {
  order_id: "#1001",
  order_status: "Fulfilled",
  tracking_company: "UPS",
  tracking_number: "1Z999AA10123456784",
  tracking_url: "https://www.ups.com/track?tracknum=1Z999AA10123456784"
}

const render = (id: string, vars: Record<string, string | undefined>, channel: TemplateChannel = "email") =>
  renderTemplate(defaultTemplates, id, vars, { channel })

const body = (id: string, vars: Record<string, string | undefined>, channel: TemplateChannel = "email") =>
  Either.getOrThrowWith(render(id, vars, channel), (e) => new Error(`${e.reason}: ${e.detail}`)).body

/** Every variable a template names, each with a plausible value. */
const fullVars = (id: string) =>
  Object.fromEntries([...(spec[id]?.[2] ?? []), ...(spec[id]?.[3] ?? [])].map((name) => [
    name,
    name.endsWith("_url") ? "https://example.com/x" : `v-${name}`
  ]))

const withTemplate = (def: unknown): unknown => ({
  version: 1,
  constants: {},
  templates: { t_test: def }
})

const testTemplate = (email: ReadonlyArray<string>, optional: ReadonlyArray<string> = ["first_name"]) =>
  withTemplate({ tier: 1, enabled: true, variables: { required: ["order_id"], optional }, text: { email } })

describe("template catalogue", () => {
  it.effect("config/templates.json loads and validates", () =>
    Effect.gen(function*() {
      expect(yield* loadTemplates()).toEqual(defaultTemplates)
      expect(defaultTemplates.constants.support_signature).toBe("Customer Support")
    }))

  it("holds exactly the templates of spec §8 with their tiers, switches and variables", () => {
    expect(Object.keys(defaultTemplates.templates).sort()).toEqual(Object.keys(spec).sort())
    for (const [id, [tier, enabled, required, others]] of Object.entries(spec)) {
      const def = defaultTemplates.templates[id]
      expect({ id, tier: def?.tier, enabled: def?.enabled }).toEqual({ id, tier, enabled })
      expect(def?.variables.required).toEqual(required)
      expect([...(def?.variables.optional ?? [])].sort()).toEqual(["first_name", ...others].sort())
    }
  })

  it("every enabled template renders on both channels, greets, signs its email and promises nothing", () => {
    for (const [id, def] of Object.entries(defaultTemplates.templates)) {
      if (!def.enabled) continue
      for (const channel of ["email", "livechat"] as const) {
        const text = body(id, fullVars(id), channel)
        expect(text, id).toMatch(/^Hi there,/)
        expect(text, id).not.toMatch(/\{\{|\}\}/)
        const promise = /\b(guarantee|compensat|will be refunded|we will refund|refund you|within \d+ (hours|days))/i
        expect(text, id).not.toMatch(promise)
        // Cards come up only to warn: every sentence that mentions one says not to send it.
        const aboutCards = text.split(/(?<=[.;?!])\s+/).filter((sentence) => /\bcard\b/i.test(sentence))
        for (const sentence of aboutCards) expect(sentence, id).toMatch(/\b(don't|never)\b/)
        if (channel === "email") expect(text, id).toMatch(/\nCustomer Support$/)
      }
    }
  })

  it("the billing template warns against sending card numbers", () => {
    for (const channel of ["email", "livechat"] as const) {
      expect(body("t_billing_issue_intake", {}, channel)).toMatch(/please don't (send|share) your card number/)
    }
  })

  it.effect("MW_TEMPLATES points at another file", () =>
    Effect.gen(function*() {
      const dir = mkdtempSync(join(tmpdir(), "templates-"))
      const path = join(dir, "templates.json")
      writeFileSync(path, JSON.stringify(testTemplate(["Order {{order_id}}."])))
      const catalogue = yield* loadTemplates().pipe(
        Effect.withConfigProvider(ConfigProvider.fromMap(new Map([["MW_TEMPLATES", path]])))
      )
      expect(Object.keys(catalogue.templates)).toEqual(["t_test"])
      // Defaulted when the file leaves it out.
      expect(catalogue.constants.support_signature).toBe("Customer Support")
    }))

  it.effect("a bad file fails naming the template and the key", () =>
    Effect.gen(function*() {
      const dir = mkdtempSync(join(tmpdir(), "templates-"))
      const write = (name: string, content: unknown) => {
        const path = join(dir, name)
        writeFileSync(path, typeof content === "string" ? content : JSON.stringify(content))
        return path
      }
      const badTier = write(
        "tier.json",
        withTemplate({
          tier: 7,
          enabled: true,
          variables: { required: [], optional: ["first_name"] },
          text: { email: ["x"] }
        })
      )
      expect(yield* Effect.flip(loadTemplates(badTier))).toMatchObject({ template_id: "t_test", key: "tier" })

      const unknownVar = write("unknown.json", testTemplate(["Order {{order_id}}.", "Hi {{nickname}}"]))
      const unknown = yield* Effect.flip(loadTemplates(unknownVar))
      expect(unknown).toMatchObject({ _tag: "TemplateConfigError", template_id: "t_test", key: "text.email[1]" })
      expect(unknown.message).toContain("nickname")

      const unclosed = write("unclosed.json", testTemplate(["{{#first_name}}Hi {{first_name}}"]))
      expect(yield* Effect.flip(loadTemplates(unclosed))).toMatchObject({ template_id: "t_test", key: "text.email[0]" })

      const bare = write("bare.json", testTemplate(["Carrier: {{tracking_company}}"], ["first_name", "tracking_company"]))
      expect((yield* Effect.flip(loadTemplates(bare))).detail).toContain("outside {{#tracking_company}}")

      expect(yield* Effect.flip(loadTemplates(write("broken.json", "{ not json")))).toMatchObject({ key: "(json)" })
      expect(yield* Effect.flip(loadTemplates(join(dir, "absent.json")))).toMatchObject({ key: "(file)" })
    }))

  it("rejects tags outside the supported grammar", () => {
    const unsupported = ["{{{order_id}}}", "{{ order_id }}", "{{> partial}}", "{{!comment}}", "{{/first_name}}", "x }} y"]
    for (const line of unsupported) {
      expect(Either.isLeft(decodeTemplates(testTemplate([line]), "inline")), line).toBe(true)
    }
  })
})

describe("renderTemplate", () => {
  it("greets by first name when there is one", () => {
    expect(body("t_order_status_verified", { ...orderVars, first_name: "Ana" })).toMatch(/^Hi Ana,\n\n/)
    expect(body("t_order_status_verified", orderVars)).toMatch(/^Hi there,\n\n/)
    expect(body("t_order_status_verified", { ...orderVars, first_name: "  " })).toMatch(/^Hi there,/)
  })

  it("fills required and present optional values, and drops lines of absent ones", () => {
    const full = body("t_order_status_verified", orderVars)
    expect(full).toContain("Thanks for reaching out about order #1001.")
    expect(full).toContain("Order status: Fulfilled\nCarrier: UPS\nTracking number: 1Z999AA10123456784\n")
    expect(full).toContain("Track your package: https://www.ups.com/track?tracknum=1Z999AA10123456784\n")
    const bare = body("t_order_status_verified", { order_id: "#1001", order_status: "Fulfilled" })
    expect(bare).not.toMatch(/Carrier:|Tracking number|Track your package|\n\n\n/)
    expect(bare).toContain("Order status: Fulfilled\n\nCarrier tracking")
  })

  it("chooses the livechat variant for livechat and the email variant otherwise", () => {
    const chat = render("t_order_status_verified", orderVars, "livechat")
    const email = render("t_order_status_verified", orderVars, "email")
    expect(Either.map(chat, (r) => r.variant)).toEqual(Either.right("livechat"))
    expect(Either.map(email, (r) => r.variant)).toEqual(Either.right("email"))
    const chatBody = body("t_order_status_verified", orderVars, "livechat")
    expect(chatBody).not.toContain("Customer Support")
    expect(chatBody.length).toBeLessThan(body("t_order_status_verified", orderVars).length)
  })

  it("falls back to the email text for livechat when a template has no livechat text", () => {
    const catalogue = Either.getOrThrow(decodeTemplates(testTemplate(["Order {{order_id}}."]), "inline"))
    const reply = renderTemplate(catalogue, "t_test", { order_id: "7" }, { channel: "livechat" })
    expect(reply).toEqual(Either.right({ template_id: "t_test", tier: 1, variant: "email", body: "Order 7." }))
  })

  it("neutralises hostile values", () => {
    const hostile = body("t_order_status_verified", {
      ...orderVars,
      first_name: "<script>alert('x')</script>Ana\u0000\u202e",
      tracking_company: "{{order_id}} {{#first_name}}",
      tracking_number: "1Z\r\nBcc: victim@example.com"
    })
    expect(hostile).toMatch(/^Hi alert\('x'\)Ana,\n/)
    expect(hostile).not.toMatch(/<|>|\u0000|\u202e/)
    // Inserted as text, never parsed: no order id appears where the value named one, and no braces survive.
    expect(hostile).toContain("Carrier: order_id #first_name\n")
    expect(hostile).not.toMatch(/\{|\}/)
    expect(hostile).toContain("Tracking number: 1Z Bcc: victim@example.com\n")
  })

  it("caps 10 KB values and drops URLs that are not http(s)", () => {
    const huge = "A".repeat(10 * 1024)
    const text = body("t_order_status_verified", { ...orderVars, first_name: huge, tracking_url: "javascript:alert(1)" })
    const greeting = text.split("\n")[0] ?? ""
    expect(greeting).toBe(`Hi ${"A".repeat(MAX_VALUE_LENGTH - 1)}…,`)
    expect(text.length).toBeLessThan(1_000)
    expect(text).not.toContain("Track your package")
    expect(text).not.toContain("javascript")
  })

  it("a missing required variable is an error, not a half-filled reply", () => {
    const reply = render("t_order_status_verified", { order_id: "#1001", order_status: "<b></b>" })
    expect(Either.isLeft(reply) && reply.left).toMatchObject({
      _tag: "TemplateError",
      template_id: "t_order_status_verified",
      reason: "missing_variable",
      detail: "missing order_status"
    })
  })

  it("a disabled or unknown template is an error", () => {
    const disabled = render("t_legal_threat_ack", {})
    expect(Either.isLeft(disabled) && disabled.left.reason).toBe("disabled")
    for (const id of ["t_nope", "toString", "__proto__"]) {
      const unknown = render(id, {})
      expect(Either.isLeft(unknown) && unknown.left.reason, id).toBe("unknown_template")
    }
  })

  it("a catalogue built in code with an undeclared name in its text is an error at render time", () => {
    const catalogue: TemplateCatalogue = {
      version: 1,
      constants: { support_signature: "Customer Support" },
      templates: {
        t_test: {
          tier: 1,
          enabled: true,
          variables: { required: [], optional: ["first_name"] },
          text: { email: ["Order {{order_id}}."] }
        }
      }
    }
    const reply = renderTemplate(catalogue, "t_test", { order_id: "7" }, { channel: "email" })
    expect(Either.isLeft(reply) && reply.left.reason).toBe("unknown_variable")
  })

  it("a caller may override the brand signature; extra variables are ignored", () => {
    const text = body("t_return_request_intake", { support_signature: "The Acme Team", unrelated: "x" })
    expect(text).toMatch(/\nThe Acme Team$/)
    expect(text).not.toContain("unrelated")
  })
})
