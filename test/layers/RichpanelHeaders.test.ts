import { describe, expect, it } from "@effect/vitest"
import fc from "fast-check"
import { AUTO_REPLY_HEADER_NAMES } from "../../src/domain/AutoReply.js"
import { commentHeaders } from "../../src/layers/RichpanelHeaders.js"

describe("commentHeaders (Richpanel comment metadata, shape undocumented)", () => {
  it("keeps only the headers the auto-reply detector reads, first one wins, long values cut", () => {
    expect(commentHeaders({
      "Auto-Submitted": "auto-replied",
      headers: { "auto-submitted": "no", Cc: "a@b.example", "Return-Path": "<>", subject: "x".repeat(5000) }
    })).toEqual({ "auto-submitted": "auto-replied", "return-path": "<>", subject: "x".repeat(1000) })
  })

  it("reads camelCase and snake_case keys as header names", () => {
    expect(commentHeaders({ xAutoResponseSuppress: "OOF", x_failed_recipients: "a@b.example" }))
      .toEqual({ "x-auto-response-suppress": "OOF", "x-failed-recipients": "a@b.example" })
  })

  it("never throws, and returns only wanted names with string values, on any JSON", () => {
    const header = fc.constantFrom(...AUTO_REPLY_HEADER_NAMES, "To", "Auto_Submitted", "autoSubmitted", "headers")
    const metadata = fc.oneof(
      fc.jsonValue(),
      fc.dictionary(header, fc.jsonValue()),
      fc.record({ headers: fc.oneof(fc.dictionary(header, fc.jsonValue()), fc.array(fc.oneof(fc.record({ name: header, value: fc.jsonValue() }), fc.tuple(header, fc.jsonValue()), fc.jsonValue()))) })
    )
    fc.assert(
      fc.property(metadata, (m) => {
        const headers = commentHeaders(m)
        if (headers === undefined) return
        expect(Object.keys(headers).length).toBeGreaterThan(0)
        for (const [name, value] of Object.entries(headers)) {
          expect(AUTO_REPLY_HEADER_NAMES).toContain(name)
          expect(typeof value).toBe("string")
        }
      }),
      { numRuns: 500 }
    )
  })
})
