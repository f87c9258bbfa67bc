import { describe, expect, it } from "@effect/vitest"
import { extractOrderNumber, type OrderNumberScan, scanOrderNumbers } from "../../src/domain/OrderNumber.js"

const found = (orderNumber: string, cued = true): OrderNumberScan => ({ _tag: "Found", orderNumber, cued })
const none: OrderNumberScan = { _tag: "None" }
const ambiguous = (...candidates: ReadonlyArray<string>): OrderNumberScan => ({ _tag: "Ambiguous", candidates })

const CASES: ReadonlyArray<readonly [string, OrderNumberScan]> = [
  // Cued formats.
  ["#1001", found("1001")],
  ["# 1001", found("1001")],
  ["order 1001", found("1001")],
  ["Order no. 1001 please", found("1001")],
  ["order number: 1001-A", found("1001-A")],
  ["order#1001", found("1001")],
  ["ORD-1001", found("1001")],
  ["Order ID 45821", found("45821")],
  ["my order number is #1001", found("1001")],
  ["Where is my order (#1001)?", found("1001")],
  ["hi!! my order was 45821 and it still hasn't come", found("45821")],
  ["order #2026 never arrived", found("2026")],
  ["order #1001-a", found("1001-A")],
  ["＃１００１ where is it", found("1001")],
  ["#1001 and #1001 again", found("1001")],
  ["order #1001, call me at 555 123 4567", found("1001")],
  ["Order #1001 placed on 11/22/2026 for $59.99", found("1001")],
  ["order #1001 is on the way they said", found("1001")],
  ["I'm in Beverly Hills, CA 90210 and order 45821 is late", found("45821")],
  ["My order #1001 to 90210", found("1001")],
  ["Reference: order 45821. Phone 555-123-4567. Zip 02139.", found("45821")],
  ["Order# 1001-B arrived damaged", found("1001-B")],
  ["I want to return order # 12345", found("12345")],
  // Bare numbers: weak evidence, taken only when nothing is cued.
  ["1001-A", found("1001-A", false)],
  ["it's 45821", found("45821", false)],
  ["45821 still not here!!", found("45821", false)],
  ["90210", found("90210", false)], // a lone number is indistinguishable from a zip code: the match guards it
  ["I sent 2 emails about 45821 already", found("45821", false)],
  ["ordered 2 weeks ago, 45821", found("45821", false)],
  // The cue wins over other numbers.
  ["order 1001, I live at 4521 Oak Street", found("1001")],
  ["order 1001 - my other ref 77777", found("1001")],
  // Several different candidates: ask, never guess.
  ["order #1001 and #1002 are both late", ambiguous("1001", "1002")],
  ["my orders 1001 and 1002", ambiguous("1001", "1002")],
  ["#1001 or order 1002?", ambiguous("1001", "1002")],
  ["12345 or 67890, not sure", ambiguous("12345", "67890")],
  // Phones.
  ["call me 555-123-4567", none],
  ["(555) 123 4567", none],
  ["+1 555 123 4567", none],
  ["my number is 5551234", none],
  ["555.123.4567", none],
  ["+44 20 7946 0958", none],
  // Zip codes and addresses.
  ["Beverly Hills, CA 90210", none],
  ["10001-1234", none],
  ["zip 02139", none],
  ["my zip code is 02139", none],
  ["ship to 1234 Elm Street please", none],
  ["apt 1204", none],
  ["Suite #1100", none],
  // Prices, dates, years, times, quantities.
  ["$1001", none],
  ["it cost 1001 dollars", none],
  ["I paid 1,001.00", none],
  ["since 2026", none],
  ["ordered on 11/22/2026", none],
  ["2026-11-22", none],
  ["at 10:30 yesterday", none],
  ["around 1030am", none],
  ["2 items", none],
  ["order 3000 pieces", none],
  ["waited 1500 hours", none],
  ["50% off", none],
  // Tracking, cards, emails, links, other references.
  ["tracking 1Z999AA10123456784", none],
  ["1z999aa10123456784 is my tracking", none],
  ["my phone is 5551234567", none],
  ["4111 1111 1111 1111", none],
  ["4111111111111111", none],
  ["john1001@example.com", none],
  ["https://shop.example.com/orders/10015/status", none],
  ["ticket #12345", none],
  ["invoice #5555", none],
  ["SKU-12345", none],
  ["&#1234;", none],
  ["order 12", none],
  ["#1 fan of your brand", none],
  ["I ordered 3 shirts", none],
  ["", none]
]

describe("scanOrderNumbers", () => {
  it("has a table of at least 40 cases", () => {
    expect(CASES.length).toBeGreaterThanOrEqual(40)
  })

  for (const [text, expected] of CASES) {
    it(JSON.stringify(text), () => {
      expect(scanOrderNumbers(text)).toEqual(expected)
    })
  }
})

describe("extractOrderNumber", () => {
  it("returns the one number, else undefined — also when several differ", () => {
    expect(extractOrderNumber("Hi, where is my order #1001?")).toBe("1001")
    expect(extractOrderNumber("order number: 1001-A")).toBe("1001-A")
    expect(extractOrderNumber("order #1001 and #1002")).toBeUndefined()
    expect(extractOrderNumber("call me at 555-123-4567")).toBeUndefined()
  })
})
