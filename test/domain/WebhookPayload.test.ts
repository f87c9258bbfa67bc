import { describe, expect, it } from "@effect/vitest"
import { Either } from "effect"
import {
  BODY_NOT_OBJECT_MESSAGE,
  decodeWebhookPayload,
  MISSING_ID_MESSAGE,
  PayloadError
} from "../../src/domain/WebhookPayload.js"

const ticket = {
  id: "api-tenant-effce901",
  conversation_no: 1347,
  status: "OPEN",
  via: { channel: "email" },
  customer_profile: { email: "a@b.co" },
  tags: ["vip", { name: "route-returns", id: "t1" }, { id: 42 }],
  comments: [
    { id: "c1", plain_body: "Where is my order?", isOperator: false },
    { id: 2, body: "<p>On its way</p>", is_operator: true }
  ]
}

describe("decodeWebhookPayload: accepted", () => {
  const accepted: ReadonlyArray<readonly [string, unknown, "flat" | "ticket", string]> = [
    ["flat with conversation_id", { conversation_id: "conv-1", text: "hi", channel: "email" }, "flat", "conv-1"],
    ["flat with ticket_id", { ticket_id: "t-9", message_id: "m1" }, "flat", "t-9"],
    ["flat with id only", { id: "x" }, "flat", "x"],
    ["flat with number id", { conversation_id: 1347, message_id: 77 }, "flat", "1347"],
    ["flat id is trimmed", { id: "  x  " }, "flat", "x"],
    ["conversation_id wins over ticket_id and id", { id: "c", ticket_id: "b", conversation_id: "a" }, "flat", "a"],
    ["flat with every documented field", {
      conversation_id: "c",
      message_id: "m",
      text: "hello",
      channel: "livechat",
      customer_email: "A@B.CO",
      customer_phone: "+1 415 555 2671",
      created_at: "2024-03-15T10:00:00Z",
      tags: ["a", { name: "b" }],
      author_id: 5,
      is_operator: false,
      attachments: [{ type: "image/png", url: "https://x/y.png", size: 10 }, "https://x/z.pdf"],
      conversation_no: "12"
    }, "flat", "c"],
    ["flat with isOperator spelling", { id: "x", isOperator: true }, "flat", "x"],
    ["unknown keys ignored", { id: "x", surprise: { deeply: [1, 2] }, another: null }, "flat", "x"],
    ["null optional fields count as absent", { id: "x", text: null, customer_email: null, tags: null }, "flat", "x"],
    ["ticket wrapped", { ticket }, "ticket", "api-tenant-effce901"],
    ["ticket bare", ticket, "ticket", "api-tenant-effce901"],
    ["bare ticket detected by comments alone", { id: 5, comments: [] }, "ticket", "5"],
    ["bare ticket detected by via alone", { id: "v", via: { channel: "aircall" } }, "ticket", "v"],
    ["bare ticket detected by customer_profile", { id: "p", customer_profile: {} }, "ticket", "p"],
    ["wrapped ticket with number id", { ticket: { id: 1347 } }, "ticket", "1347"],
    ["wrapped ticket falls back to outer conversation_id", { conversation_id: "outer", ticket: {} }, "ticket", "outer"],
    ["ticket with HTML body", { ticket: { id: "h", comments: [{ id: "c", body: "<b>hi</b>" }] } }, "ticket", "h"],
    ["ticket with empty via", { ticket: { id: "e", via: {} } }, "ticket", "e"],
    ["a non-object ticket key is just an unknown key", { id: "f", ticket: "nope" }, "flat", "f"]
  ]

  it.each(accepted)("%s", (_, body, shape, conversationId) => {
    const decoded = Either.getOrThrow(decodeWebhookPayload(body))
    expect(decoded.shape).toBe(shape)
    expect(decoded.conversation_id).toBe(conversationId)
  })

  it("normalises tags to strings (name, else id)", () => {
    const decoded = Either.getOrThrow(decodeWebhookPayload({ ticket }))
    expect(decoded.shape === "ticket" && decoded.ticket.tags).toEqual(["vip", "route-returns", "42"])
  })

  it("turns number ids inside comments into strings", () => {
    const decoded = Either.getOrThrow(decodeWebhookPayload(ticket))
    expect(decoded.shape === "ticket" && decoded.ticket.comments?.map((c) => c.id)).toEqual(["c1", "2"])
  })
})

describe("decodeWebhookPayload: rejected", () => {
  const rejected: ReadonlyArray<readonly [string, unknown, string]> = [
    ["top-level array", [{ id: "x" }], "body"],
    ["top-level string", "hello", "body"],
    ["top-level number", 42, "body"],
    ["top-level null", null, "body"],
    ["no id at all", { text: "hi" }, "conversation_id"],
    ["empty object", {}, "conversation_id"],
    ["all ids null", { conversation_id: null, id: null }, "conversation_id"],
    ["wrapped ticket without any id", { ticket: { comments: [] } }, "conversation_id"],
    ["empty conversation_id", { conversation_id: "" }, "conversation_id"],
    ["blank conversation_id", { conversation_id: "   " }, "conversation_id"],
    ["object conversation_id", { conversation_id: { id: 1 } }, "conversation_id"],
    ["boolean ticket_id", { ticket_id: true }, "ticket_id"],
    ["id over 256 characters", { id: "x".repeat(257) }, "id"],
    ["invalid id even when another is valid", { conversation_id: "ok", message_id: "" }, "message_id"],
    ["text not a string", { id: "x", text: 5 }, "text"],
    ["channel not a string", { id: "x", channel: ["email"] }, "channel"],
    ["customer_email not a string", { id: "x", customer_email: 1 }, "customer_email"],
    ["created_at not a string", { id: "x", created_at: 1700000000 }, "created_at"],
    ["is_operator as a string", { id: "x", is_operator: "true" }, "is_operator"],
    ["tags not an array", { id: "x", tags: "a,b" }, "tags"],
    ["tag object without name or id", { id: "x", tags: ["a", {}] }, "tags[1]"],
    ["attachments not an array", { id: "x", attachments: "a.png" }, "attachments"],
    ["attachment a number", { id: "x", attachments: [1] }, "attachments[0]"],
    ["conversation_no an object", { id: "x", conversation_no: {} }, "conversation_no"],
    ["ticket id empty", { ticket: { id: "" } }, "ticket.id"],
    ["ticket comments not an array", { ticket: { id: "t", comments: {} } }, "ticket.comments"],
    ["comment not an object", { ticket: { id: "t", comments: ["hi"] } }, "ticket.comments[0]"],
    ["comment without id", { ticket: { id: "t", comments: [{ id: "a" }, { id: "b" }, { body: "x" }] } },
      "ticket.comments[2].id"],
    ["comment body not a string", { ticket: { id: "t", comments: [{ id: "a", body: {} }] } }, "ticket.comments[0].body"],
    ["comment isOperator not boolean", { ticket: { id: "t", comments: [{ id: "a", isOperator: 1 }] } },
      "ticket.comments[0].isOperator"],
    ["ticket via not an object", { ticket: { id: "t", via: "email" } }, "ticket.via"],
    ["ticket via.channel not a string", { ticket: { id: "t", via: { channel: 3 } } }, "ticket.via.channel"],
    ["customer_profile.email not a string", { ticket: { id: "t", customer_profile: { email: [] } } },
      "ticket.customer_profile.email"],
    ["bare ticket comment id wrong type", { id: "t", comments: [{ id: [] }] }, "comments[0].id"]
  ]

  it.each(rejected)("%s → %s", (_, body, field) => {
    const error = Either.getOrThrow(Either.flip(decodeWebhookPayload(body)))
    expect(error).toBeInstanceOf(PayloadError)
    expect(error.field).toBe(field)
    expect(error.message.startsWith(field)).toBe(true)
  })

  it.each([
    [[1], "body", BODY_NOT_OBJECT_MESSAGE],
    [{ text: "hi" }, "conversation_id", MISSING_ID_MESSAGE],
    [{ conversation_id: "" }, "conversation_id",
      "conversation_id must be a non-empty string or number of at most 256 characters"],
    [{ id: "x", text: 5 }, "text", "text must be a string"],
    [{ id: "x", is_operator: "no" }, "is_operator", "is_operator must be true or false"],
    [{ ticket: { id: "t", comments: [{}] } }, "ticket.comments[0].id", "ticket.comments[0].id is required (string or number)"],
    [{ ticket: { id: "t", comments: 1 } }, "ticket.comments", "ticket.comments must be an array"],
    [{ ticket: { id: "t", via: 1 } }, "ticket.via", "ticket.via must be an object"],
    [{ id: "x", tags: [7] }, "tags[0]", "tags[0] must be a string or an object with a name or id"]
  ] as const)("message for %j", (body, field, message) => {
    expect(decodeWebhookPayload(body)).toStrictEqual(Either.left(new PayloadError({ field, message })))
  })
})
