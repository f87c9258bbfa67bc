import { describe, expect, it } from "@effect/vitest"
import { customerContact } from "../../src/domain/CustomerContact.js"
import {
  type CustomerContact,
  disclose,
  matchCustomerOrder,
  matchLinkedOrder,
  normalizeOrderName,
  type OrderRecord,
  sameEmail,
  samePhone
} from "../../src/domain/OrderMatch.js"

const TAG = "Pre-order"

/** An order as Shopify would give it, with every field the projection must drop filled in. */
const order = (overrides: Partial<OrderRecord> = {}): OrderRecord => ({
  id: "gid://shopify/Order/5123456789012",
  name: "#1001",
  createdAt: "2026-11-02T14:21:07Z",
  email: "Jane.Doe@Example.com",
  phone: "+1 (555) 010-0100",
  fulfillmentStatus: "FULFILLED",
  tags: ["VIP", "Pre-order", "note: fragile"],
  shippingTitle: "Standard Shipping",
  statusPageUrl: "https://shop.example.com/orders/abc/authenticate?key=k",
  fulfillments: [{
    status: "SUCCESS",
    displayStatus: "IN_TRANSIT",
    tracking: [{ company: "UPS", number: "1Z999AA10123456784", url: "https://www.ups.com/track?tracknum=1Z999AA10123456784" }]
  }],
  ...overrides
})

const contact = (email?: string, phone?: string): CustomerContact => ({
  ...(email === undefined ? {} : { email }),
  ...(phone === undefined ? {} : { phone })
})
const jane = contact("jane.doe@example.com")

describe("normalizeOrderName / sameEmail / samePhone", () => {
  it("treats #1001, 1001 and ' # 1001-a ' as the same name", () => {
    expect(normalizeOrderName("#1001")).toBe("1001")
    expect(normalizeOrderName("1001")).toBe("1001")
    expect(normalizeOrderName(" # 1001-a ")).toBe("1001-A")
    expect(normalizeOrderName("#1001")).not.toBe(normalizeOrderName("#10010"))
  })

  it("compares emails case-insensitively and never matches an empty one", () => {
    expect(sameEmail(" JANE.doe@example.COM ", "jane.doe@example.com")).toBe(true)
    expect(sameEmail("jane.doe@example.com", "jane.doe@example.co")).toBe(false)
    expect(sameEmail("jane.doe+shop@example.com", "jane.doe@example.com")).toBe(false)
    expect(sameEmail("", "")).toBe(false)
  })

  it.each([
    // Country code on both sides (`+` or `00`): the full E.164 numbers.
    ["+44 7700 900123", "+1 770 090 0123", false], // the same last 10 digits, two countries
    ["+44 5550100100", "+1 555 010 0100", false],
    ["0044 7700 900123", "+44 7700 900123", true], // 00 is the international prefix
    ["+44 (0)7700 900123", "+447700900123", true], // (0) is not dialled from abroad
    ["+15550100100", "+1 (555) 010-0100", true],
    // On one side only: the national number (without a trunk 0) ends the international one after a country code.
    ["+1 (555) 010-0100", "555.010.0100", true],
    ["+15550100100", "(555) 010-0100", true],
    ["+44 7700 900123", "07700 900123", true],
    ["0044 7700 900123", "07700 900123", true],
    ["+44 7700 900123", "7700 900123", true],
    ["+1 555 010 0100", "1 555 010 0100", true], // the country code typed without +
    ["+1 555 555 0100", "555 0100", false], // what is left (1555) is no country code
    ["+44 7700 900123", "07700 900124", false],
    // The residual ambiguity: a national number names no country, so it matches its digits in any country.
    ["+1 770 090 0123", "07700 900123", true],
    // On neither side: all digits.
    ["555-010-0100", "555-010-0101", false],
    ["15550100100", "555 010 0100", false],
    ["0100100", "010-0100", true],
    ["5550100100", "0100100", false],
    ["010-01", "010-01", false], // fewer than 7 digits never match
    ["+1 23", "123", false]
  ])("samePhone(%s, %s) = %s", (a, b, expected) => {
    expect(samePhone(a, b)).toBe(expected)
    expect(samePhone(b, a)).toBe(expected)
  })
})

describe("matchCustomerOrder", () => {
  it("matches one order with the number and the customer's email", () => {
    const match = matchCustomerOrder([order()], "1001", jane, TAG)
    expect(match._tag).toBe("Matched")
  })

  it("matches by phone digits when the email is unknown or different", () => {
    expect(matchCustomerOrder([order()], "#1001", contact(undefined, "555 010 0100"), TAG)._tag).toBe("Matched")
    expect(matchCustomerOrder([order()], "#1001", contact("other@example.com", "+15550100100"), TAG)._tag).toBe("Matched")
  })

  it("ignores other orders the search returned and compares names exactly", () => {
    const candidates = [order({ id: "gid://shopify/Order/2", name: "#10010" }), order()]
    expect(matchCustomerOrder(candidates, "1001", jane, TAG)._tag).toBe("Matched")
    expect(matchCustomerOrder([order({ name: "#1001-A" })], "1001", jane, TAG)).toEqual({ _tag: "None" })
    expect(matchCustomerOrder([order({ name: "#1001-A" })], "1001-a", jane, TAG)._tag).toBe("Matched")
  })

  it("finds nothing in an empty result (an order outside the visible window looks the same)", () => {
    expect(matchCustomerOrder([], "1001", jane, TAG)).toEqual({ _tag: "None" })
  })

  describe("leak cases: nothing order-specific without exactly one order tied to this customer", () => {
    it("email mismatch: the number exists but belongs to someone else", () => {
      const stranger = contact("mallory@example.com", "+1 555 999 0000")
      expect(matchCustomerOrder([order()], "1001", stranger, TAG)).toEqual({ _tag: "Mismatch", reason: "contact-differs" })
    })

    it("guessed numbers: a real email with someone else's order number, or an order without contact data", () => {
      // Jane guesses #1002, which is Sam's: her email does not open it.
      const sams = order({ name: "#1002", email: "sam@example.com", phone: "+1 555 222 3333" })
      expect(matchCustomerOrder([sams], "1002", jane, TAG)).toEqual({ _tag: "Mismatch", reason: "contact-differs" })
      // An order without email or phone (POS, draft) can never be matched by a customer-typed number.
      const { email: _e, phone: _p, ...bare } = order()
      expect(matchCustomerOrder([bare], "1001", jane, TAG)._tag).toBe("Mismatch")
    })

    it("a customer with no known email or phone never matches, even with the right number", () => {
      expect(matchCustomerOrder([order()], "1001", contact(), TAG)).toEqual({ _tag: "Mismatch", reason: "no-contact" })
      expect(matchCustomerOrder([order()], "1001", contact("  ", ""), TAG)).toEqual({ _tag: "Mismatch", reason: "no-contact" })
    })

    it("several orders with the number, even all of them this customer's: never choose", () => {
      const twins = [order(), order({ id: "gid://shopify/Order/2", createdAt: "2026-10-01T10:00:00Z" })]
      expect(matchCustomerOrder(twins, "1001", jane, TAG)).toEqual({ _tag: "Several", count: 2 })
    })

    it("several orders for one email do not make a match without the number", () => {
      const janes = [order(), order({ id: "gid://shopify/Order/2", name: "#1002" }), order({ id: "gid://shopify/Order/3", name: "#1003" })]
      expect(matchCustomerOrder(janes, "1004", jane, TAG)).toEqual({ _tag: "None" })
      expect(matchCustomerOrder(janes, "", jane, TAG)).toEqual({ _tag: "None" })
    })

    it("the mismatch carries nothing of the order", () => {
      const match = matchCustomerOrder([order()], "1001", contact("mallory@example.com"), TAG)
      expect(Object.keys(match).sort()).toEqual(["_tag", "reason"])
    })
  })
})

describe("one message cannot try many contacts (customerContact → matchCustomerOrder)", () => {
  const match = (text: string, profile: { email?: string; phone?: string } = {}) =>
    matchCustomerOrder([order()], "#1001", customerContact({ ...profile, text }), TAG)._tag

  it("a stranger listing 300 addresses, the owner's among them, matches nothing", () => {
    const addresses = Array.from({ length: 300 }, (_, i) => (i === 150 ? "jane.doe@example.com" : `s${i}@x.io`))
    expect(match(`order #1001, one of ${addresses.join(", ")}`)).toBe("Mismatch")
    expect(match(`order #1001, one of ${addresses.join(", ")}`, { email: "stranger@example.net" })).toBe("Mismatch")
  })

  it("the owner's email next to one other matches nothing; alone, it matches", () => {
    expect(match("order #1001: jane.doe@example.com or mallory@example.net")).toBe("Mismatch")
    expect(match("order #1001: my checkout email is Jane.Doe@example.com")).toBe("Matched")
    expect(match("order #1001: call me on +1 555 010 0100")).toBe("Matched")
  })

  it("with a profile, the profile must match: the message's one email, though the order's, does not count", () => {
    expect(match("order #1001: my checkout email is jane.doe@example.com", { email: "stranger@example.net" })).toBe("Mismatch")
    expect(match("order #1001: call me on +1 555 010 0100", { email: "stranger@example.net" })).toBe("Mismatch")
    expect(match("order #1001: I'm jane.doe@example.com", { phone: "+44 7700 900123" })).toBe("Mismatch")
    expect(match("order #1001", { email: "JANE.DOE@example.com" })).toBe("Matched")
    expect(match("order #1001", { phone: "(555) 010-0100" })).toBe("Matched")
  })

  it("a phone with the order's last 10 digits in another country is not the order's", () => {
    expect(matchCustomerOrder([order({ phone: "+1 770 090 0123" })], "#1001", contact(undefined, "+44 7700 900123"), TAG)._tag)
      .toBe("Mismatch")
  })
})

describe("matchLinkedOrder (Richpanel's link: by store id, or by name with the customer's contact)", () => {
  it("matches by the store's numeric id without a contact, and by name only with the customer's email or phone", () => {
    const nobody = contact()
    expect(matchLinkedOrder([order()], { orderId: "5123456789012" }, nobody, TAG)._tag).toBe("Matched")
    expect(matchLinkedOrder([order()], { orderId: "gid://shopify/Order/5123456789012" }, nobody, TAG)._tag).toBe("Matched")
    expect(matchLinkedOrder([order()], { orderName: "#1001" }, jane, TAG)._tag).toBe("Matched")
  })

  it("a name-only link to another customer's order (another shop's #1001) discloses nothing", () => {
    expect(matchLinkedOrder([order()], { orderName: "#1001" }, contact("mallory@example.com"), TAG)).toEqual({
      _tag: "Mismatch",
      reason: "contact-differs"
    })
    expect(matchLinkedOrder([order()], { orderName: "#1001" }, contact(), TAG)).toEqual({ _tag: "Mismatch", reason: "no-contact" })
  })

  it("an id wins over a name; finds nothing for another id or name, and never chooses between two", () => {
    // The id names one order; a same-named order of someone else is not a candidate.
    const sameName = order({ id: "gid://shopify/Order/1", email: "mallory@example.com" })
    expect(matchLinkedOrder([sameName, order()], { orderName: "#1001", orderId: "5123456789012" }, contact(), TAG)._tag).toBe("Matched")
    expect(matchLinkedOrder([order()], { orderId: "512345678901" }, jane, TAG)).toEqual({ _tag: "None" })
    expect(matchLinkedOrder([order()], { orderName: "#1002" }, jane, TAG)).toEqual({ _tag: "None" })
    expect(matchLinkedOrder([order()], {}, jane, TAG)).toEqual({ _tag: "None" })
    expect(matchLinkedOrder([order({ id: "gid://shopify/Order/1" }), order()], { orderName: "#1001" }, jane, TAG)).toEqual({
      _tag: "Several",
      count: 2
    })
  })
})

describe("disclose (spec §7.5)", () => {
  it("keeps only the allowed fields: no email, phone, id or tags", () => {
    const shown = disclose(order(), TAG)
    expect(shown).toEqual({
      name: "#1001",
      createdAt: "2026-11-02T14:21:07Z",
      fulfillmentStatus: "FULFILLED",
      cancelled: false,
      shippingTitle: "Standard Shipping",
      preOrder: true,
      statusPageUrl: "https://shop.example.com/orders/abc/authenticate?key=k",
      fulfillments: [{
        status: "SUCCESS",
        displayStatus: "IN_TRANSIT",
        tracking: [{ company: "UPS", number: "1Z999AA10123456784", url: "https://www.ups.com/track?tracknum=1Z999AA10123456784" }]
      }]
    })
    const text = JSON.stringify(shown)
    for (const secret of ["Jane.Doe", "555", "5123456789012", "VIP", "fragile"]) expect(text).not.toContain(secret)
  })

  it("drops fields smuggled in at runtime (a decoder that read more than the type says)", () => {
    const widened = {
      ...order(),
      shippingAddress: { address1: "1 Elm Street" },
      lineItems: [{ name: "Trail Runner" }],
      note: "gift",
      fulfillments: [{
        status: "SUCCESS",
        fulfillmentLineItems: [{ name: "Trail Runner" }],
        tracking: [{ number: "1Z1", destination: "1 Elm Street" }]
      }]
    } as unknown as OrderRecord
    const text = JSON.stringify(disclose(widened, TAG))
    for (const secret of ["Elm", "Trail", "gift"]) expect(text).not.toContain(secret)
  })

  it("reads cancellation and the pre-order tag", () => {
    expect(disclose(order({ cancelledAt: "2026-11-03T00:00:00Z" }), TAG).cancelled).toBe(true)
    expect(disclose(order({ tags: [] }), TAG).preOrder).toBe(false)
    expect(disclose(order({ tags: ["preorder"] }), TAG).preOrder).toBe(true)
  })
})
