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

  it("profile first, then what the message adds, without duplicates", () => {
    expect(customerContact({ email: "jane@example.com", phone: undefined, text: "it's jane@example.com or j@example.org" }))
      .toEqual({ emails: ["jane@example.com", "j@example.org"], phones: [] })
    expect(customerContact({ text: "" })).toEqual({ emails: [], phones: [] })
  })
})
