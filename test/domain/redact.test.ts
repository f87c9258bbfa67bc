import { describe, expect, it } from "@effect/vitest"
import fc from "fast-check"
import { redact, REDACTED, redactValue } from "../../src/domain/redact.js"

describe("redact: replaced", () => {
  const table: ReadonlyArray<readonly [string, string]> = [
    // emails
    ["write to jane@example.com today", "write to [EMAIL] today"],
    ["Jane.Doe+orders@Sub.Example.co.uk.", "[EMAIL]."],
    ["<jane@example.com>", "<[EMAIL]>"],
    ["mailto:jane@example.com", "mailto:[EMAIL]"],
    // phones
    ["call (415) 555-2671 now", "call [PHONE] now"],
    ["415-555-2671", "[PHONE]"],
    ["415.555.2671", "[PHONE]"],
    ["415 555 2671", "[PHONE]"],
    ["4155552671", "[PHONE]"],
    ["1-800-555-1234", "[PHONE]"],
    ["+1 415 555 2671", "[PHONE]"],
    ["+1 (415) 555-2671", "[PHONE]"],
    ["+447911123456", "[PHONE]"],
    ["+44 20 7946 0958", "[PHONE]"],
    ["+44 (0)20 7946 0958", "[PHONE]"],
    ["020 7946 0958", "[PHONE]"],
    ["(020) 7946 0958", "[PHONE]"],
    ["06 12 34 56 78", "[PHONE]"],
    ["06-12-34-56-78", "[PHONE]"],
    ["+33 6 12 34 56 78", "[PHONE]"],
    ["my number is 555-2671.", "my number is [PHONE]."],
    // cards
    ["card 4111 1111 1111 1111 exp 12/27", "card [CARD] exp 12/27"],
    ["4111-1111-1111-1111", "[CARD]"],
    ["4111111111111111", "[CARD]"],
    ["amex 3782 822463 10005", "amex [CARD]"],
    ["13 digits 4222222222222", "13 digits [CARD]"],
    ["19 digits 6011 0009 9013 9424 123", "19 digits [CARD]"],
    // addresses
    ["ship to 123 Main St, Apt 4B, Springfield", "ship to [ADDRESS], Springfield"],
    ["221B Baker Street", "[ADDRESS]"],
    ["1600 Pennsylvania Avenue NW", "[ADDRESS] NW"],
    ["742 Evergreen Terrace", "[ADDRESS]"],
    ["12 old mill rd", "[ADDRESS]"],
    ["55 Ocean Blvd Unit 7", "[ADDRESS]"],
    ["9 Sunset Way #12", "[ADDRESS]"],
    ["3 Elm Court", "[ADDRESS]"],
    ["P.O. Box 123", "[ADDRESS]"],
    // secrets
    ["Authorization: Bearer abc.def-ghi_jkl", "Authorization: [SECRET]"],
    ["used Bearer eyJhbGciOiJIUzI1NiJ9xyz", "used Bearer [SECRET]"],
    ["key sk-proj-AbCdEfGh1234567890abcd", "key [SECRET]"],
    ["sk_live_51HxYzAbCdEfGh", "[SECRET]"],
    ["rp_live_0123456789abcdef", "[SECRET]"],
    ["shpat_0123456789abcdef0123456789abcdef", "[SECRET]"],
    ["shpss_0123456789abcdef0123456789abcdef", "[SECRET]"],
    ["AKIAIOSFODNN7EXAMPLE", "[SECRET]"],
    ["jwt eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.sig_nature-x", "jwt [SECRET]"],
    ["https://x.io/cb?token=abc123&page=2", "https://x.io/cb?token=[SECRET]&page=2"],
    ["password: hunter2", "password: [SECRET]"],
    ["{\"api_key\": \"zzz\", \"x\": 1}", "{\"api_key\": \"[SECRET]\", \"x\": 1}"],
    ["x-richpanel-key=abc", "x-richpanel-key=[SECRET]"],
    ["secret='s3'", "secret='[SECRET]'"],
    ["hash 0123456789abcdef0123456789abcdef", "hash [SECRET]"],
    ["blob QWxhZGRpbjpvcGVuIHNlc2FtZQ0123456789ab==", "blob [SECRET]"]
  ]
  it.each(table)("%j", (input, expected) => {
    expect(redact(input)).toBe(expected)
  })
})

describe("redact: kept as is", () => {
  it.each([
    "2024-03-15",
    "2024-03-15T12:30:45Z",
    "2024-03-15T12:30:45.123+02:00",
    "between 2024-03-15 2024-03-20",
    "on 15.03.2024 or 03/15/2024 or 15-03-2024",
    "at 12:30, 12:30:45 or 10.30",
    "order #1001",
    "order 1001 and order 1234567",
    "zip 90210",
    "Beverly Hills, CA 90210-1234",
    "$1,299.99",
    "$1,299,999.99 or 1.299.000 EUR",
    "version 1.2.3",
    "2 more on the way",
    "it took 3 days on the road",
    "5 minutes down the street",
    "I bought 2 items in place of 1",
    "the bearer of bad news",
    "the key to success",
    "api-scentimenttesting3300-effce901-a1b2",
    "3F2504E0-4F89-11D3-9A0C-0305E82C3301",
    "this-is-a-very-long-product-handle-name-2024-edition",
    "qty 1 2 3 4 5 6",
    "[EMAIL] [PHONE] [CARD] [ADDRESS] [SECRET]"
  ])("%j", (input) => {
    expect(redact(input)).toBe(input)
  })
})

describe("redact: performance", () => {
  it.each([
    "a", "1", "1 ", "a@", "a@b.", "eyJ-", "+1 ", "+1(", "0 1", "01 23 ", "1 a ", "1 Main ", "1-", "(1", "a1-",
    "token=", "key: ", "Bearer ", "sk-", "aA1", "2024-03-15 ", "12.12.", "1 x y z St "
  ])("200 KB of %j completes quickly", (unit) => {
    const input = unit.repeat(Math.ceil(200_000 / unit.length)).slice(0, 200_000)
    const started = performance.now()
    redact(input)
    expect(performance.now() - started).toBeLessThan(500)
  })
})

const noise = fc.string({ maxLength: 30 })
const digits = (n: number) => fc.array(fc.integer({ min: 0, max: 9 }), { minLength: n, maxLength: n }).map((d) => d.join(""))
const nonZero = fc.integer({ min: 2, max: 9 }).map(String)

const usPhone = fc.tuple(nonZero, digits(2), nonZero, digits(2), digits(4)).chain(([a1, a, e1, e, n]) => {
  const [area, exchange] = [a1 + a, e1 + e]
  return fc.constantFrom(
    `(${area}) ${exchange}-${n}`, `${area}-${exchange}-${n}`, `${area}.${exchange}.${n}`, `${area} ${exchange} ${n}`,
    `${area}${exchange}${n}`, `+1 ${area} ${exchange} ${n}`, `+1-${area}-${exchange}-${n}`, `1 (${area}) ${exchange}-${n}`
  )
})
const intlPhone = fc.tuple(digits(2), digits(4), digits(4), digits(8)).chain(([a, b, c, d]) =>
  fc.constantFrom(`+44 20 ${b} ${c}`, `+33 6 ${a} ${a} ${a} ${a}`, `+49 30 ${d}`, `+61 4${a} ${b.slice(1)} ${c.slice(1)}`,
    `0${a} ${b} ${c}`, `06 ${a} ${b.slice(2)} ${c.slice(2)} ${a}`, `+${a}${d}`)
)
const card = fc.tuple(digits(4), digits(4), digits(4), digits(4), fc.constantFrom("", " ", "-"))
  .map(([a, b, c, d, sep]) => [a, b, c, d].join(sep))
const token = fc.stringMatching(/^[A-Za-z0-9_-]{20,48}$/)
const skToken = fc.tuple(fc.constantFrom("sk-", "sk-proj-"), fc.stringMatching(/^[A-Za-z0-9]{20,48}$/)).map(([p, t]) => p + t)

/** [label, generator of the sensitive string, the part that must not survive]. */
const sensitive: ReadonlyArray<readonly [string, fc.Arbitrary<readonly [string, string]>]> = [
  ["email", fc.emailAddress().map((e) => [e, e] as const)],
  ["US phone", usPhone.map((p) => [p, p] as const)],
  ["international phone", intlPhone.map((p) => [p, p] as const)],
  ["16-digit card", card.map((c) => [c, c] as const)],
  ["sk- token", skToken.map((t) => [t, t] as const)],
  ["Bearer token", token.map((t) => [`Bearer ${t}`, t] as const)]
]

describe.each(sensitive)("property: %s", (_, arb) => {
  const embedded = fc.tuple(noise, arb, noise)
    .map(([a, [value, secret], b]) => ({ text: `${a} ${value} ${b}`, value, secret }))

  it("never survives redact", () => {
    fc.assert(fc.property(embedded, ({ text, secret }) => {
      expect(redact(text)).not.toContain(secret)
    }), { numRuns: 300 })
  })

  it("never survives JSON.stringify(redactValue(obj))", () => {
    const obj = fc.tuple(embedded, fc.string({ maxLength: 10 })).map(([{ text, value, secret }, key]) => ({
      secret,
      value: {
        note: text,
        [key === "" ? "k" : key]: text,
        nested: { list: [text, 1, null, { deeper: [value] }] },
        customer_email: secret,
        comments: [{ body: text, plain_body: secret }]
      }
    }))
    fc.assert(fc.property(obj, ({ value, secret }) => {
      expect(JSON.stringify(redactValue(value))).not.toContain(secret)
    }), { numRuns: 200 })
  })

  it("is idempotent", () => {
    fc.assert(fc.property(embedded, ({ text }) => {
      expect(redact(redact(text))).toBe(redact(text))
    }), { numRuns: 200 })
  })
})

describe("redactValue", () => {
  it("redacts every string and replaces sensitive keys entirely", () => {
    const input = {
      event_id: "evt:rp:c:m",
      note: "mail jane@example.com",
      email: "jane@example.com",
      Customer_Email: "x",
      phone: 4155552671,
      customer_phone: "+1 415 555 2671",
      address_line1: { street: "123 Main St" },
      addressLine2: "Apt 4",
      token: "t",
      authorization: "Bearer x",
      "x-webhook-token": "w",
      "X-Richpanel-Key": "k",
      api_key: "a",
      password: "p",
      secretValue: "s",
      text: "hello",
      body: { anything: true },
      plain_body: "hi",
      empty: null,
      count: 3,
      ok: true
    }
    expect(redactValue(input)).toStrictEqual({
      event_id: "evt:rp:c:m",
      note: "mail [EMAIL]",
      email: REDACTED,
      Customer_Email: REDACTED,
      phone: REDACTED,
      customer_phone: REDACTED,
      address_line1: REDACTED,
      addressLine2: REDACTED,
      token: REDACTED,
      authorization: REDACTED,
      "x-webhook-token": REDACTED,
      "X-Richpanel-Key": REDACTED,
      api_key: REDACTED,
      password: REDACTED,
      secretValue: REDACTED,
      text: REDACTED,
      body: REDACTED,
      plain_body: REDACTED,
      empty: null,
      count: 3,
      ok: true
    })
  })

  it("judges dotted keys (span attributes) by their last part as well", () => {
    expect(redactValue({
      "http.request.header.x-richpanel-key": "abc",
      "http.request.header.x-webhook-token": "w",
      "customer.address": "1.2.3.4",
      "http.request.header.content-type": "application/json",
      "url.query": "token=abc&page=2"
    })).toStrictEqual({
      "http.request.header.x-richpanel-key": REDACTED,
      "http.request.header.x-webhook-token": REDACTED,
      "customer.address": REDACTED,
      "http.request.header.content-type": "application/json",
      "url.query": "token=[SECRET]&page=2"
    })
  })

  it("does not modify its input", () => {
    const input = { text: "hi", list: ["jane@example.com"] }
    redactValue(input)
    expect(input).toStrictEqual({ text: "hi", list: ["jane@example.com"] })
  })

  it("survives cycles, but keeps shared references", () => {
    const shared = { n: 1 }
    const a: Record<string, unknown> = { shared, again: shared }
    a["self"] = a
    a["list"] = [a]
    expect(redactValue(a)).toStrictEqual({ shared: { n: 1 }, again: { n: 1 }, self: "[Circular]", list: ["[Circular]"] })
  })

  it("turns odd values into JSON-safe ones", () => {
    const throwing = Object.defineProperty({}, "boom", { enumerable: true, get: () => { throw new Error("no") } })
    const value = {
      big: 4111111111111111n,
      fn: () => 1,
      sym: Symbol("s"),
      date: new Date(0),
      badDate: new Date(Number.NaN),
      map: new Map([["k", "jane@example.com"]]),
      set: new Set(["555-2671"]),
      bytes: new Uint8Array([1, 2, 3]),
      error: new Error("failed for jane@example.com"),
      throwing,
      undef: undefined
    }
    const out = redactValue(value)
    expect(() => JSON.stringify(out)).not.toThrow()
    expect(out).toStrictEqual({
      big: "[CARD]",
      fn: "[Function]",
      sym: "[Symbol]",
      date: "1970-01-01T00:00:00.000Z",
      badDate: "Invalid Date",
      map: [["k", "[EMAIL]"]],
      set: ["[PHONE]"],
      bytes: "[Binary]",
      error: { name: "Error", message: "failed for [EMAIL]" },
      throwing: "[Unreadable]",
      undef: undefined
    })
  })

  it("redacts keys too", () => {
    expect(redactValue({ "jane@example.com": 1 })).toStrictEqual({ "[EMAIL]": 1 })
  })

  it("caps very deep nesting instead of overflowing the stack", () => {
    let deep: unknown = "jane@example.com"
    for (let i = 0; i < 100_000; i++) deep = { d: deep }
    expect(JSON.stringify(redactValue(deep))).toContain("[Truncated]")
  })

  it("passes primitives through redact", () => {
    expect(redactValue("jane@example.com")).toBe("[EMAIL]")
    expect(redactValue(42)).toBe(42)
    expect(redactValue(null)).toBe(null)
    expect(redactValue(undefined)).toBe(undefined)
  })
})

describe("tracking (spec §9 [TRACKING])", () => {
  it.each([
    ["Tracking number: 1Z999AA10123456784", "Tracking number: [TRACKING]"],
    ["USPS 9400111899223856928499 out for delivery", "USPS [TRACKING] out for delivery"],
    ["see https://www.ups.com/track?tracknum=1Z999AA10123456784 now", "see [TRACKING] now"],
    ["https://tools.usps.com/go/TrackConfirmAction?tLabels=9400111899223856928499", "[TRACKING]"]
  ])("%j", (text, expected) => {
    expect(redact(text)).toBe(expected)
  })

  it("leaves order numbers, dates and short numbers alone", () => {
    expect(redact("order #1001 placed 2026-11-20, 3 items, ref 12345678")).toBe("order #1001 placed 2026-11-20, 3 items, ref 12345678")
  })
})
