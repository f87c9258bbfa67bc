import { createHash } from "node:crypto"
import { describe, expect, it } from "@effect/vitest"
import fc from "fast-check"
import { deduplicationId, MAX_SQS_ID_CHARS, messageGroupId } from "../../src/domain/SqsIds.js"

const sha256 = (s: string) => createHash("sha256").update(s, "utf8").digest("hex")
const SQS_ID = /^[A-Za-z0-9!"#$%&'()*+,\-./:;<=>?@[\\\]^_`{|}~]{1,128}$/

describe.each([
  ["messageGroupId", messageGroupId],
  ["deduplicationId", deduplicationId]
] as const)("%s", (_, toSqsId) => {
  it.each([
    "api-scentimenttesting3300-effce901-1a2b",
    "evt:rp:conv-1:c-42",
    "evt:rp:1347:h0123456789abcdef0123456789abcdef",
    "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~",
    "x".repeat(MAX_SQS_ID_CHARS)
  ])("keeps the valid id %j", (id) => {
    expect(toSqsId(id)).toBe(id)
  })

  it.each([
    ["empty", ""],
    ["too long", "x".repeat(MAX_SQS_ID_CHARS + 1)],
    ["space", "conv 1"],
    ["tab", "conv\t1"],
    ["non-ASCII", "conversación"],
    ["emoji", "evt:rp:c:😀"],
    ["DEL", "a\u007f"]
  ])("hashes an id with %s", (_, id) => {
    expect(toSqsId(id)).toBe(`h:${sha256(id)}`)
  })

  it("always returns a valid SQS id, deterministically", () => {
    fc.assert(fc.property(fc.string({ unit: "binary", maxLength: 300 }), (id) => {
      const out = toSqsId(id)
      expect(out).toMatch(SQS_ID)
      expect(toSqsId(id)).toBe(out)
      if (SQS_ID.test(id)) expect(out).toBe(id)
    }))
  })

  it("keeps distinct invalid ids distinct", () => {
    expect(toSqsId("a b")).not.toBe(toSqsId("a  b"))
  })
})
