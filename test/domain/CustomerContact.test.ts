import { describe, expect, it } from "@effect/vitest"
import { customerContact, emailsIn, phonesIn } from "../../src/domain/CustomerContact.js"

describe("the customer's contact for matching an order", () => {
  it.each([
    ["my checkout email is Jane.Doe@Example.com, thanks", ["Jane.Doe@Example.com"]],
    ["jane+shop@mail.example.co.uk or jane@example.com", ["jane+shop@mail.example.co.uk", "jane@example.com"]],
    ["order #1001, no email here", []],
    ["twitter @janedoe is not an email", []]
  ])("emails in %j", (text, expected) => {
    expect(emailsIn(text)).toEqual(expected)
  })

  it.each([
    ["call me at (555) 010-0100", ["(555) 010-0100"]],
    ["+1 555 010 0100", ["+1 555 010 0100"]],
    ["+44 7700 900123 is my mobile", ["+44 7700 900123"]],
    // Not phones: order numbers, zip codes, tracking and card-like numbers, dates.
    ["order 1001-A, zip 10001-1234", []],
    ["tracking 1Z999AA10123456784 and 9400111899223856928499", []],
    ["card 4111 1111 1111 1111", []],
    ["ordered on 11/20/2026", []]
  ])("phones in %j", (text, expected) => {
    expect(phonesIn(text)).toEqual(expected)
  })

  describe("the ticket's profile, when it has a contact, is the only one that counts", () => {
    it("the message's email or phone adds nothing, even alone of its kind", () => {
      expect(customerContact({ email: "jane@example.com", text: "it's jane@example.com or j@example.org" }))
        .toEqual({ email: "jane@example.com" })
      expect(customerContact({ email: "stranger@example.net", text: "my checkout email is jane@example.com, call +1 555 010 0100" }))
        .toEqual({ email: "stranger@example.net" })
      // A phone-only profile: the message's single email does not fill the gap.
      expect(customerContact({ phone: "+1 555 999 0000", text: "I'm jane@example.com" })).toEqual({ phone: "+1 555 999 0000" })
      expect(customerContact({ email: " jane@example.com ", phone: "+1 555 010 0100", text: "" }))
        .toEqual({ email: "jane@example.com", phone: "+1 555 010 0100" })
    })

    it("a blank profile field is no profile", () => {
      expect(customerContact({ email: "  ", phone: "", text: "it's jane@example.com" })).toEqual({ email: "jane@example.com" })
    })
  })

  describe("without a profile, a contact the message holds alone of its kind", () => {
    it("one email counts, written any number of times in any case", () => {
      expect(customerContact({ text: "my checkout email is jane@example.com" })).toEqual({ email: "jane@example.com" })
      expect(customerContact({ text: "Jane@Example.com (jane@example.com)" })).toEqual({ email: "Jane@Example.com" })
    })

    it("two or more distinct emails: none counts, the owner's among them or not", () => {
      expect(customerContact({ text: "jane@example.com or maybe mallory@example.net" })).toEqual({})
      const threeHundred = Array.from({ length: 300 }, (_, i) => `s${i}@x.io`).join(", ")
      expect(customerContact({ text: `${threeHundred}, jane@example.com` })).toEqual({})
    })

    it("one phone counts, in any spelling; two numbers give none", () => {
      expect(customerContact({ text: "call +1 555 010 0100" })).toEqual({ phone: "+1 555 010 0100" })
      expect(customerContact({ text: "+1 555 010 0100, that's (555) 010-0100" })).toEqual({ phone: "+1 555 010 0100" })
      expect(customerContact({ text: "+1 555 010 0100 or +1 555 010 0200" })).toEqual({})
      // One national number next to two international ones it could be: still two numbers.
      expect(customerContact({ text: "07700 900123, +44 7700 900123 or +1 770 090 0123" })).toEqual({})
      const many = Array.from({ length: 150 }, (_, i) => `+1 555 3${String(i).padStart(2, "0")} ${1000 + i}`).join("; ")
      expect(customerContact({ text: `${many}; +1 555 010 0100` })).toEqual({})
    })

    it("each kind on its own: several emails do not cancel a single phone", () => {
      expect(customerContact({ text: "a@example.com, b@example.com, phone 555 010 0100" })).toEqual({ phone: "555 010 0100" })
    })

    it("nothing written, nothing known", () => {
      expect(customerContact({ text: "" })).toEqual({})
    })
  })
})
