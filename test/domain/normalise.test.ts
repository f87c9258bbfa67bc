import { describe, expect, it } from "@effect/vitest"
import { Either, Schema } from "effect"
import fc from "fast-check"
import { EventEnvelope } from "../../src/domain/Envelope.js"
import {
  channelClass,
  MAX_ATTACHMENTS,
  MAX_EMAIL_CHARS,
  MAX_FIELD_CHARS,
  MAX_MESSAGE_TEXT_CHARS,
  MAX_PHONE_CHARS,
  MAX_TAG_CHARS,
  MAX_TAGS,
  normalise
} from "../../src/domain/normalise.js"
import { decodeWebhookPayload } from "../../src/domain/WebhookPayload.js"

const RECEIVED_AT = "2024-03-15T10:00:00.000Z"

/** Decode + normalise, failing the test if the body is rejected. */
const envelopeOf = (body: unknown, receivedAt = RECEIVED_AT) =>
  normalise(Either.getOrThrow(decodeWebhookPayload(body)), receivedAt)

describe("channel classes (product spec §6)", () => {
  const table: ReadonlyArray<readonly [string | undefined, string]> = [
    ["email", "email"],
    ["email_from_widget", "email"],
    [" Email ", "email"],
    ["livechat", "livechat"],
    ["chat", "livechat"],
    ["widget", "livechat"],
    ["live_chat", "livechat"],
    ["facebook_message", "social"],
    ["messenger", "social"],
    ["facebook", "social"],
    ["facebook_feed_comment", "social"],
    ["instagram", "social"],
    ["instagram_message", "social"],
    ["instagram_comment", "social"],
    ["whatsapp", "social"],
    ["tiktok_shop_message", "tiktok"],
    ["tiktok", "tiktok"],
    ["aircall", "phone"],
    ["phone", "phone"],
    ["sms", "phone"],
    ["carrier_pigeon", "unknown"],
    ["constructor", "unknown"],
    ["", "unknown"],
    [undefined, "unknown"]
  ]
  it.each(table)("%j → %s", (raw, cls) => {
    expect(channelClass(raw)).toBe(cls)
  })

  it("keeps the raw value lower-cased and trimmed", () => {
    const env = envelopeOf({ id: "c", channel: "  Email_From_Widget " })
    expect(env.channel).toBe("email")
    expect(env.channel_raw).toBe("email_from_widget")
  })

  it("omits channel_raw when there is no channel", () => {
    const env = envelopeOf({ id: "c", channel: "  " })
    expect(env.channel).toBe("unknown")
    expect(env).not.toHaveProperty("channel_raw")
  })

  it("falls back to the chosen comment's via.channel", () => {
    const env = envelopeOf({ ticket: { id: "t", comments: [{ id: "c", via: { channel: "instagram_comment" } }] } })
    expect(env.channel).toBe("social")
    expect(env.channel_raw).toBe("instagram_comment")
  })
})

describe("flat payload", () => {
  it("maps every field", () => {
    const env = envelopeOf({
      conversation_id: 1347,
      message_id: "m-1",
      text: "  Where is my order?  ",
      channel: "email",
      customer_email: "  Jane.Doe@Example.COM ",
      customer_phone: " +1 415 555 2671 ",
      created_at: "2024-03-15T09:59:00Z",
      tags: ["vip", { name: "vip" }, " "],
      author_id: 9,
      is_operator: false,
      attachments: [{ content_type: "image/jpeg", url: "https://cdn/x.jpg", size: "2048", data: "aGVsbG8=" }],
      conversation_no: "1347"
    })
    expect(env).toStrictEqual({
      event_id: "evt:rp:1347:m-1",
      received_at: RECEIVED_AT,
      conversation_id: "1347",
      conversation_no: 1347,
      channel: "email",
      channel_raw: "email",
      customer: { email: "jane.doe@example.com", phone: "+1 415 555 2671" },
      message: {
        id: "m-1",
        created_at: "2024-03-15T09:59:00Z",
        text: "Where is my order?",
        truncated: false,
        attachments: [{ type: "image", url: "https://cdn/x.jpg", size_bytes: 2048 }],
        author_id: "9",
        from_operator: false
      },
      richpanel: { tags: ["vip"] },
      meta: { attempt: 0, source: "richpanel_http_target", payload_shape: "flat" }
    })
  })

  it("leaves from_operator absent when the payload does not say", () => {
    expect(envelopeOf({ id: "c", text: "x" }).message).not.toHaveProperty("from_operator")
  })

  it("treats isOperator and is_operator alike", () => {
    expect(envelopeOf({ id: "c", isOperator: true }).message.from_operator).toBe(true)
    expect(envelopeOf({ id: "c", is_operator: true }).message.from_operator).toBe(true)
  })

  it("drops a non-numeric conversation_no", () => {
    expect(envelopeOf({ id: "c", conversation_no: "abc" })).not.toHaveProperty("conversation_no")
    expect(envelopeOf({ id: "c", conversation_no: 1.5 })).not.toHaveProperty("conversation_no")
  })

  it("never emits -0 (it would not survive JSON)", () => {
    expect(envelopeOf({ id: "c", conversation_no: -0 }).conversation_no).toBe(0)
  })
})

describe("attachments", () => {
  const table: ReadonlyArray<readonly [unknown, unknown]> = [
    [{ type: "image" }, { type: "image" }],
    [{ mime_type: "application/pdf", size_bytes: 10 }, { type: "pdf", size_bytes: 10 }],
    [{ name: "scan.PDF" }, { type: "pdf" }],
    [{ url: "https://x/photo.png?sig=1" }, { type: "image", url: "https://x/photo.png?sig=1" }],
    [{ type: "video/mp4", url: "https://x/v.mp4", size: -1 }, { type: "other", url: "https://x/v.mp4" }],
    [{ url: "data:image/png;base64,iVBORw0KGgo=" }, { type: "other" }],
    [{ content: "JVBERi0xLjQK", filename: "a.txt" }, { type: "other" }],
    ["https://x/receipt.pdf", { type: "pdf", url: "https://x/receipt.pdf" }],
    ["not a url", { type: "other" }]
  ]
  it.each(table)("%j → %j", (input, expected) => {
    expect(envelopeOf({ id: "c", attachments: [input] }).message.attachments).toStrictEqual([expected])
  })
})

describe("bounds: the envelope stays small whatever the payload carries", () => {
  const envelopeBytes = (env: unknown) => Buffer.byteLength(JSON.stringify(env), "utf8")

  it("keeps the first attachments' metadata and records how many there were", () => {
    const attachments = Array.from({ length: 87_000 }, () => ({}))
    const body = { conversation_id: "c", message_id: "m", attachments }
    expect(Buffer.byteLength(JSON.stringify(body))).toBeLessThan(256 * 1024)
    const env = envelopeOf(body)
    expect(env.message.attachments).toHaveLength(MAX_ATTACHMENTS)
    expect(env.message.attachments_total).toBe(87_000)
    expect(envelopeBytes(env)).toBeLessThan(4 * 1024)
  })

  it("keeps the order of the attachments it keeps", () => {
    const attachments = Array.from({ length: MAX_ATTACHMENTS + 5 }, (_, i) => `https://x/${i}.pdf`)
    const env = envelopeOf({ id: "c", attachments })
    expect(env.message.attachments.map((a) => a.url)).toEqual(attachments.slice(0, MAX_ATTACHMENTS))
    expect(env.message.attachments_total).toBe(MAX_ATTACHMENTS + 5)
  })

  it("leaves attachments_total absent when every attachment is kept", () => {
    const env = envelopeOf({ id: "c", attachments: Array.from({ length: MAX_ATTACHMENTS }, () => ({})) })
    expect(env.message.attachments).toHaveLength(MAX_ATTACHMENTS)
    expect(env.message).not.toHaveProperty("attachments_total")
  })

  it("keeps at most MAX_TAGS tags and drops any longer than a tag name can be", () => {
    const many = Array.from({ length: 10_000 }, (_, i) => `tag-${i}`)
    const env = envelopeOf({ id: "c", tags: ["x".repeat(MAX_TAG_CHARS + 1), "x".repeat(MAX_TAG_CHARS), ...many] })
    expect(env.richpanel.tags).toHaveLength(MAX_TAGS)
    expect(env.richpanel.tags[0]).toBe("x".repeat(MAX_TAG_CHARS))
    expect(env.richpanel.tags[1]).toBe("tag-0")
  })

  it("drops a free-text field too long to be what it claims (email, phone, channel, timestamps, status)", () => {
    const long = "x".repeat(200_000)
    const flat = envelopeOf({
      conversation_id: "c",
      message_id: "m",
      customer_email: `${"a".repeat(MAX_EMAIL_CHARS)}@example.com`,
      customer_phone: "1".repeat(MAX_PHONE_CHARS + 1),
      channel: `email${long}`,
      created_at: long
    })
    expect(flat.customer).toEqual({})
    expect(flat).not.toHaveProperty("channel_raw")
    expect(flat.channel).toBe("unknown")
    expect(flat.message).not.toHaveProperty("created_at")
    const ticket = envelopeOf({ ticket: { id: "t", status: long, comments: [{ id: "c1", via: { channel: long } }] } })
    expect(ticket.richpanel).not.toHaveProperty("status")
    expect(ticket).not.toHaveProperty("channel_raw")
    expect(envelopeBytes(flat) + envelopeBytes(ticket)).toBeLessThan(2 * 1024)
  })

  it("keeps fields at their maximum untouched", () => {
    const email = `${"a".repeat(MAX_EMAIL_CHARS - "@example.com".length)}@example.com`
    const stamp = "2024-03-15T09:59:00.000000000+05:30"
    const env = envelopeOf({
      conversation_id: "c",
      customer_email: email,
      customer_phone: "1".repeat(MAX_PHONE_CHARS),
      channel: "e".repeat(MAX_FIELD_CHARS),
      created_at: stamp
    })
    expect(env.customer).toEqual({ email, phone: "1".repeat(MAX_PHONE_CHARS) })
    expect(env.channel_raw).toBe("e".repeat(MAX_FIELD_CHARS))
    expect(env.message.created_at).toBe(stamp)
  })

  it("derives the event id from everything the payload carried, not only what the envelope keeps", () => {
    const first = Array.from({ length: MAX_ATTACHMENTS }, (_, i) => `https://x/${i}.png`)
    const a = envelopeOf({ conversation_id: "c", text: "see photos", attachments: [...first, "https://x/a.png"] })
    const b = envelopeOf({ conversation_id: "c", text: "see photos", attachments: [...first, "https://x/b.png"] })
    expect(a.message.attachments).toEqual(b.message.attachments)
    expect(a.event_id).not.toBe(b.event_id)
  })
})

describe("ticket payload: latest customer comment", () => {
  const comments = [
    { id: "c1", plain_body: "first", isOperator: false },
    { id: "c2", plain_body: "second customer message", is_operator: false, author_id: "cust" },
    { id: "c3", plain_body: "operator reply", isOperator: true },
    { id: "c4", plain_body: "bot note", is_operator: true }
  ]

  it("takes the last comment whose operator flag is not true", () => {
    const env = envelopeOf({ ticket: { id: "t", comments } })
    expect(env.message).toMatchObject({ id: "c2", text: "second customer message", author_id: "cust" })
    expect(env.message.from_operator).toBe(false)
    expect(env.event_id).toBe("evt:rp:t:c2")
  })

  it("counts a comment without any flag as the customer's", () => {
    const env = envelopeOf({ ticket: { id: "t", comments: [...comments, { id: "c5", plain_body: "unflagged" }] } })
    expect(env.message.id).toBe("c5")
    expect(env.message).not.toHaveProperty("from_operator")
  })

  it("takes the last comment and marks it when every comment is an operator's", () => {
    const env = envelopeOf({ ticket: { id: "t", comments: comments.slice(2) } })
    expect(env.message).toMatchObject({ id: "c4", text: "bot note", from_operator: true })
  })

  it("is an empty message when there are no comments", () => {
    const env = envelopeOf({ ticket: { id: "t" } })
    expect(env.message).toStrictEqual({ text: "", truncated: false, attachments: [] })
    expect(env.event_id).toMatch(/^evt:rp:t:h[0-9a-f]{32}$/)
  })

  it("maps the ticket fields", () => {
    const env = envelopeOf({
      id: "t",
      conversation_no: 1347,
      status: "OPEN",
      assignee_id: 7,
      via: { channel: "email" },
      customer_profile: { email: "X@Y.Z", phone: "555", id: 12 },
      tags: [{ name: "a" }, { id: "b" }],
      comments: [{ id: "c", plain_body: "hi" }]
    })
    expect(env).toMatchObject({
      conversation_no: 1347,
      customer: { email: "x@y.z", phone: "555", id: "12" },
      richpanel: { tags: ["a", "b"], assignee_id: "7", status: "OPEN" },
      meta: { payload_shape: "ticket" }
    })
  })

  it("uses plain_body before body and strips HTML from body", () => {
    const html = "<div><p>Hello&nbsp;<b>there</b>,</p><p>Fish &amp; chips &lt;3 &#39;now&#39; &quot;ok&quot;</p>" +
      "<style>p { color: red }</style><!-- a > b --><script>alert(1)</script>&#x1F600;  a < b</div>"
    const fromHtml = envelopeOf({ id: "t", comments: [{ id: "c", body: html, plain_body: "  " }] })
    expect(fromHtml.message.text).toBe("Hello there,\nFish & chips <3 'now' \"ok\"\n\u{1F600} a < b")
    const fromPlain = envelopeOf({ id: "t", comments: [{ id: "c", body: "<b>html</b>", plain_body: "plain" }] })
    expect(fromPlain.message.text).toBe("plain")
  })

  it("decodes every HTML entity, named or numeric, as a browser shows it (Outlook's &rsquo;)", () => {
    const html = "<p>I didn&rsquo;t authorize this&hellip; &ldquo;caf&eacute;&rdquo; &euro;5&nbsp;&mdash; it&#146;s " +
      "&#x2019;&#8217; &ZeroWidthSpace;&shy;&lt;b&gt; &unknown; AT&T</p>"
    expect(envelopeOf({ id: "t", comments: [{ id: "c", body: html }] }).message.text).toBe(
      "I didn\u2019t authorize this\u2026 \u201ccaf\u00e9\u201d \u20ac5 \u2014 it\u2019s \u2019\u2019 \u200b\u00ad<b> &unknown; AT&T"
    )
  })

  it("strips hostile HTML in linear time", () => {
    const hostile = [
      "< ".repeat(60_000) + "<a".repeat(60_000) + ">",
      "<".repeat(200_000),
      "<!--".repeat(50_000),
      "<style>".repeat(30_000),
      "<style></style>x".repeat(12_000),
      "&#".repeat(100_000)
    ]
    for (const body of hostile) {
      const started = performance.now()
      envelopeOf({ id: "t", comments: [{ id: "c", body }] })
      expect(performance.now() - started).toBeLessThan(500)
    }
  })
})

describe("truncation", () => {
  it("keeps text at the maximum untouched", () => {
    const text = "a".repeat(MAX_MESSAGE_TEXT_CHARS)
    expect(envelopeOf({ id: "c", text }).message).toMatchObject({ text, truncated: false })
  })

  it("cuts longer text to the maximum", () => {
    const message = envelopeOf({ id: "c", text: "a".repeat(MAX_MESSAGE_TEXT_CHARS + 1) }).message
    expect(message.text.length).toBe(MAX_MESSAGE_TEXT_CHARS)
    expect(message.truncated).toBe(true)
  })

  it("never splits a surrogate pair at the boundary", () => {
    const text = "a".repeat(MAX_MESSAGE_TEXT_CHARS - 1) + "😀" + "tail"
    const message = envelopeOf({ id: "c", text }).message
    expect(message.text).toBe("a".repeat(MAX_MESSAGE_TEXT_CHARS - 1))
    expect(message.truncated).toBe(true)
  })

  it("keeps a pair that ends exactly at the boundary", () => {
    const text = "a".repeat(MAX_MESSAGE_TEXT_CHARS - 2) + "😀" + "tail"
    expect(envelopeOf({ id: "c", text }).message.text).toBe("a".repeat(MAX_MESSAGE_TEXT_CHARS - 2) + "😀")
  })
})

describe("event id", () => {
  it("uses the message id when there is one", () => {
    expect(envelopeOf({ conversation_id: "c", message_id: 42 }).event_id).toBe("evt:rp:c:42")
  })

  it("hashes the normalised content otherwise", () => {
    expect(envelopeOf({ conversation_id: "c", text: "hi" }).event_id).toMatch(/^evt:rp:c:h[0-9a-f]{32}$/)
  })

  it("is the same for the same payload delivered twice, whatever the receive time, when it carries created_at", () => {
    const body = { conversation_id: "c", text: "hi", channel: "email", customer_email: "a@b.co", created_at: "2024-01-01T00:00:00Z" }
    expect(envelopeOf(body, "2024-01-01T00:00:00Z").event_id).toBe(envelopeOf(body, "2025-06-30T12:00:00Z").event_id)
  })

  it("tells apart two arrivals of an id-only or timestamp-less payload, so a new message is never dropped", () => {
    expect(envelopeOf({ ticket_id: "T-1" }, "2024-01-01T00:00:00Z").event_id)
      .not.toBe(envelopeOf({ ticket_id: "T-1" }, "2024-01-01T00:05:00Z").event_id)
    const yes = { conversation_id: "c", text: "yes" }
    expect(envelopeOf(yes, "2024-01-01T00:00:00Z").event_id).not.toBe(envelopeOf(yes, "2024-01-02T00:00:00Z").event_id)
  })

  it("does not depend on key order", () => {
    const a = { conversation_id: "c", text: "hi", channel: "email", customer_email: "a@b.co", attachments: [{ url: "https://x/a.png", size: 1 }] }
    const b = { attachments: [{ size: 1, url: "https://x/a.png" }], customer_email: "a@b.co", channel: "email", text: "hi", conversation_id: "c" }
    expect(envelopeOf(a).event_id).toBe(envelopeOf(b).event_id)
  })

  it("does not depend on tags or other noise, but does on the content", () => {
    const base = { conversation_id: "c", text: "hi", created_at: "2024-03-15T09:00:00Z" }
    const id = envelopeOf(base).event_id
    expect(envelopeOf({ ...base, tags: ["mw-routed"], extra: 1 }).event_id).toBe(id)
    expect(envelopeOf({ ...base, text: "hi!" }).event_id).not.toBe(id)
    expect(envelopeOf({ ...base, created_at: "2024-03-15T09:00:01Z" }).event_id).not.toBe(id)
    const hashOf = (eventId: string) => eventId.split(":").at(-1)
    expect(hashOf(envelopeOf({ ...base, conversation_id: "d" }).event_id)).not.toBe(hashOf(id))
  })

  it("distinguishes long messages that differ only after the truncation point", () => {
    const prefix = "a".repeat(MAX_MESSAGE_TEXT_CHARS)
    expect(envelopeOf({ id: "c", text: `${prefix}1` }).event_id).not.toBe(envelopeOf({ id: "c", text: `${prefix}2` }).event_id)
  })
})

describe("properties", () => {
  const decodeEnvelope = Schema.decodeUnknownSync(EventEnvelope)

  /** Whatever decodes must normalise into a valid envelope with no `undefined` holes. */
  const checkTotal = (input: unknown) => {
    const decoded = decodeWebhookPayload(input)
    if (Either.isLeft(decoded)) return
    const env = normalise(decoded.right, RECEIVED_AT)
    expect(decodeEnvelope(env)).toStrictEqual(env)
    expect(JSON.parse(JSON.stringify(env))).toStrictEqual(env)
    expect(env.event_id.startsWith(`evt:rp:${env.conversation_id}:`)).toBe(true)
    expect(env.message.text.length).toBeLessThanOrEqual(MAX_MESSAGE_TEXT_CHARS)
    expect(env.message.attachments.length).toBeLessThanOrEqual(MAX_ATTACHMENTS)
    expect(env.richpanel.tags.length).toBeLessThanOrEqual(MAX_TAGS)
  }

  it("never throws on any JSON value", () => {
    fc.assert(fc.property(fc.jsonValue(), checkTotal), { numRuns: 500 })
  })

  const id = fc.oneof(fc.string({ maxLength: 20 }), fc.integer(), fc.double())
  const keys = [
    "conversation_id", "ticket_id", "id", "message_id", "text", "channel", "customer_email", "customer_phone",
    "created_at", "tags", "author_id", "is_operator", "isOperator", "attachments", "conversation_no", "status",
    "assignee_id", "via", "comments", "customer_profile", "ticket"
  ]

  it("never throws on objects built around an id with arbitrary known keys", () => {
    const body = fc.tuple(id, fc.dictionary(fc.constantFrom(...keys), fc.jsonValue())).map(([v, rest]) => ({ ...rest, id: v }))
    fc.assert(fc.property(body, checkTotal), { numRuns: 500 })
  })

  it("normalises well-formed tickets of any content", () => {
    const opt = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined })
    const text = fc.oneof(fc.string(), fc.string({ unit: "binary", maxLength: 5000 }))
    const comment = fc.record({
      id,
      body: opt(fc.oneof(text, fc.constantFrom("<p>a&amp;b</p>", "<<<>>>", "&#0;&#xD800;&#1114112;"))),
      plain_body: opt(text),
      isOperator: opt(fc.boolean()),
      is_operator: opt(fc.boolean()),
      attachments: opt(fc.array(fc.oneof(fc.string(), fc.dictionary(fc.constantFrom("type", "url", "size", "name"), fc.jsonValue())))),
      via: opt(fc.record({ channel: opt(fc.string()) }))
    }, { requiredKeys: ["id"] })
    const ticket = fc.record({
      id,
      conversation_no: opt(fc.oneof(fc.integer(), fc.double(), fc.string())),
      comments: opt(fc.array(comment, { maxLength: 5 })),
      via: opt(fc.record({ channel: opt(fc.string()) })),
      customer_profile: opt(fc.record({ email: opt(fc.string()), phone: opt(fc.string()), id: opt(id) })),
      tags: opt(fc.array(fc.oneof(fc.string(), fc.record({ name: fc.string() }), fc.record({ id })))),
      status: opt(fc.string()),
      assignee_id: opt(id)
    }, { requiredKeys: [] })
    const body = fc.oneof(ticket, ticket.map((t) => ({ ticket: t })))
    fc.assert(fc.property(body, checkTotal), { numRuns: 300 })
  })
})
