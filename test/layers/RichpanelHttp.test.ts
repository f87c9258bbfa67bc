import { NodeHttpClient } from "@effect/platform-node"
import { describe, expect, it, layer } from "@effect/vitest"
import { ConfigProvider, Effect, Layer, Redacted, TestClock, Tracer } from "effect"
import type { EventEnvelope } from "../../src/domain/Envelope.js"
import * as RichpanelHttp from "../../src/layers/RichpanelHttp.js"
import { Richpanel, type RichpanelError } from "../../src/services/Richpanel.js"
import {
  FAKE_API_KEY,
  FAKE_BOT_AUTHOR_ID,
  FakeRichpanel,
  type FakeRichpanelServer,
  Faults,
  layer as FakeLayer,
  layerRichpanelHttp,
  sampleTicket
} from "../support/fakeRichpanel.js"

const envelopeFor = (conversation_id: string): EventEnvelope => ({
  event_id: `evt:rp:${conversation_id}:m1`,
  received_at: "2025-01-10T09:00:01.000Z",
  conversation_id,
  channel: "email",
  customer: {},
  message: { text: "hi", truncated: false, attachments: [] },
  richpanel: { tags: [] },
  meta: { attempt: 0, source: "test", payload_shape: "flat" }
})

/** A fresh fake for each test; the suite shares one server and one client. */
const setup = Effect.gen(function*() {
  const fake = yield* FakeRichpanel
  fake.reset()
  return { fake, rp: yield* Richpanel }
})

/**
 * For clients built inside a test with `Effect.provide`: a scoped dispatcher would be closed as soon as the
 * client is built, failing every later request as a transport error; the global one stays open.
 */
const globalUndici = NodeHttpClient.layerUndiciWithoutDispatcher.pipe(Layer.provide(NodeHttpClient.dispatcherLayerGlobal))

/** Another client against the same fake, e.g. with a wrong key or no bot author. */
const clientFor = (fake: FakeRichpanelServer, options: Partial<RichpanelHttp.Options> = {}) =>
  RichpanelHttp.make({ apiKey: Redacted.make(fake.apiKey), baseUrl: fake.baseUrl, ...options }).pipe(Effect.provide(globalUndici))

const failure = <A>(self: Effect.Effect<A, RichpanelError>) => Effect.flip(self)

layer(layerRichpanelHttp())("RichpanelHttp", (it) => {
  describe("requests", () => {
    it.effect("loadTicket GETs the URL-encoded ticket with the key and decodes the documented shape", () =>
      Effect.gen(function*() {
        const { fake, rp } = yield* setup
        const id = "api-shop/1 2?x"
        fake.seedTicket(sampleTicket(id, {
          tags: ["vip"],
          comments: [
            ...(sampleTicket(id)["comments"] as Array<unknown>),
            { id: "c2", author_id: "agent-7", body: "<p>On its way</p>", isOperator: true, public: true }
          ]
        }))
        const ticket = yield* rp.loadTicket(envelopeFor(id))
        expect(ticket).toEqual({
          id,
          conversationNo: 1347,
          status: "OPEN",
          channelRaw: "email",
          subject: "Where is my order?",
          customerEmail: "jane@example.com",
          customerPhone: "+15555550100",
          tags: ["vip"],
          comments: [
            {
              id: `${id}-c1`,
              authorId: "cust-1",
              isOperator: false,
              isPrivate: false,
              createdAt: "2025-01-10T09:00:00.000Z",
              text: "Hi, where is my order #1001?",
              attachmentCount: 0
            },
            { id: "c2", authorId: "agent-7", isOperator: true, isPrivate: false, text: "On its way", attachmentCount: 0 }
          ]
        })
        const [request] = fake.requests()
        expect(request).toMatchObject({ method: "GET", path: "/v1/tickets/api-shop%2F1%202%3Fx", status: 200 })
        expect(request?.headers["x-richpanel-key"]).toBe(FAKE_API_KEY)
        expect(request?.headers["accept"]).toBe("application/json")
      }))

    it.effect("loadTicket reads the bare variant: is_operator, HTML bodies, tag objects, string numbers", () =>
      Effect.gen(function*() {
        const { fake, rp } = yield* setup
        fake.setTicketShape("bare")
        fake.seedTicket({
          id: "t-bare",
          conversation_no: "88",
          status: "closed",
          via: null,
          customer_profile: { email: " Jane@Example.COM ", phone: 15555550100 },
          tags: [{ id: "tag-1", name: "route-returns" }, { id: "tag-2" }, "route-returns"],
          unknown_field: { nested: true },
          comments: [
            {
              id: 1,
              is_operator: false,
              body: "<div>Hello&nbsp;<b>there</b></div><script>alert(1)</script><p>Order &#35;12 &amp; more</p>",
              attachments: [{ url: "https://x/y.png" }, "https://x/z.pdf"],
              via: { channel: "Instagram_Message" }
            },
            { id: "2", is_operator: true, plain_body: "  ", body: "Thanks!" }
          ]
        })
        const ticket = yield* rp.loadTicket(envelopeFor("t-bare"))
        expect(ticket).toEqual({
          id: "t-bare",
          conversationNo: 88,
          status: "CLOSED",
          channelRaw: "instagram_message",
          customerEmail: "jane@example.com",
          customerPhone: "15555550100",
          tags: ["route-returns", "tag-2"],
          comments: [
            { id: "1", isOperator: false, isPrivate: false, text: "Hello there\nOrder #12 & more", attachmentCount: 2 },
            { id: "2", isOperator: true, isPrivate: false, text: "Thanks!", attachmentCount: 0 }
          ]
        })
      }))

    it.effect("loadTicket: a missing comments list is empty; notes are private operator comments", () =>
      Effect.gen(function*() {
        const { fake, rp } = yield* setup
        fake.seedTicket({ id: "t-empty" })
        expect(yield* rp.loadTicket(envelopeFor("t-empty"))).toEqual({ id: "t-empty", status: "UNKNOWN", tags: [], comments: [] })
        fake.seedTicket({
          id: "t-notes",
          status: "OPEN",
          comments: [
            { id: "a", plain_body: "internal", public: false },
            { id: "b", plain_body: "typed", type: "private_note" },
            { id: "c", plain_body: "customer voice", type: "VoiceNote" },
            { id: "d", plain_body: "op", sender_type: "operator" },
            { plain_body: "no id" }
          ]
        })
        const { comments } = yield* rp.loadTicket(envelopeFor("t-notes"))
        expect(comments.map((c) => [c.id, c.isOperator, c.isPrivate])).toEqual([
          ["a", true, true],
          ["b", true, true],
          ["c", false, false],
          ["d", true, false],
          ["#4", false, false]
        ])
      }))

    it.effect("loadTicket reads auto-reply headers from comment metadata in any plausible shape, and the subject", () =>
      Effect.gen(function*() {
        const { fake, rp } = yield* setup
        const comment = (id: string, metadata: unknown) => ({ id, plain_body: "Out of office", isOperator: false, metadata })
        fake.seedTicket(sampleTicket("t-meta", {
          subject: "Automatic reply: Your order",
          comments: [
            comment("object", { headers: { "Auto-Submitted": "auto-replied", To: "shop@example.com", Precedence: "bulk" } }),
            comment("pairs", { headers: [{ name: "X-Autoreply", value: "yes" }, { name: "Received", value: "from mx" }] }),
            comment("tuples", { headers: [["x-auto-response-suppress", "All"], ["subject", "Out of Office: hi"]] }),
            comment("top-level", { auto_submitted: "auto-generated", xAutorespond: "1", from: "MAILER-DAEMON <md@x.example>" }),
            comment("repeated", { headers: { precedence: ["junk", "bulk"] } }),
            comment("empty", {}),
            comment("none", null),
            comment("odd", "metadata as a string"),
            comment("odder", { headers: "Auto-Submitted: auto-replied", nested: { "auto-submitted": "x" }, precedence: { v: 1 } }),
            comment("oddest", { headers: [null, 7, ["only-one"], { name: 3, value: "x" }, { value: "no name" }] })
          ]
        }))
        const ticket = yield* rp.loadTicket(envelopeFor("t-meta"))
        expect(ticket.subject).toBe("Automatic reply: Your order")
        expect(ticket.comments.map((c) => [c.id, c.headers])).toEqual([
          ["object", { "auto-submitted": "auto-replied", precedence: "bulk" }],
          ["pairs", { "x-autoreply": "yes" }],
          ["tuples", { "x-auto-response-suppress": "All", subject: "Out of Office: hi" }],
          ["top-level", { "auto-submitted": "auto-generated", "x-autorespond": "1", from: "MAILER-DAEMON <md@x.example>" }],
          ["repeated", { precedence: "junk, bulk" }],
          ["empty", undefined],
          ["none", undefined],
          ["odd", undefined],
          ["odder", undefined],
          ["oddest", undefined]
        ])
        // Absent, not `undefined`: the decoded comment has no `headers` key at all.
        expect(Object.hasOwn(ticket.comments[5]!, "headers")).toBe(false)
      }))

    it.effect("loadTicket ignores a subject that is not a string", () =>
      Effect.gen(function*() {
        const { fake, rp } = yield* setup
        fake.seedTicket(sampleTicket("t-subj", { subject: { text: "odd" } }))
        const ticket = yield* rp.loadTicket(envelopeFor("t-subj"))
        expect(Object.hasOwn(ticket, "subject")).toBe(false)
        expect(ticket.comments).toHaveLength(1)
        fake.seedTicket(sampleTicket("t-subj2", { subject: "   " }))
        expect(Object.hasOwn(yield* rp.loadTicket(envelopeFor("t-subj2")), "subject")).toBe(false)
      }))

    it.effect("addTags and removeTags PUT the names as JSON; an empty list sends nothing", () =>
      Effect.gen(function*() {
        const { fake, rp } = yield* setup
        fake.seedTicket(sampleTicket("t-1", { tags: ["existing"] }))
        yield* rp.addTags("t-1", ["mw-routed", "route-returns"])
        yield* rp.removeTags("t-1", ["existing"])
        yield* rp.addTags("t-1", [])
        const requests = fake.requests()
        expect(requests.map((r) => [r.method, r.path, r.body])).toEqual([
          ["PUT", "/v1/tickets/t-1/add-tags", { tags: ["mw-routed", "route-returns"] }],
          ["PUT", "/v1/tickets/t-1/remove-tags", { tags: ["existing"] }]
        ])
        expect(requests[0]?.headers["content-type"]).toMatch(/^application\/json/)
        expect(requests[0]?.headers["x-richpanel-key"]).toBe(FAKE_API_KEY)
        expect(fake.ticket("t-1")?.["tags"]).toEqual(["mw-routed", "route-returns"])
      }))

    it.effect("addInternalNote PUTs a private operator comment that reads back as private", () =>
      Effect.gen(function*() {
        const { fake, rp } = yield* setup
        fake.seedTicket(sampleTicket("t-2"))
        yield* rp.addInternalNote("t-2", "AI: order_status, confidence 0.91")
        expect(fake.requests()[0]).toMatchObject({
          method: "PUT",
          path: "/v1/tickets/t-2",
          body: { ticket: { comment: { body: "AI: order_status, confidence 0.91", sender_type: "operator", public: false } } }
        })
        const last = (yield* rp.loadTicket(envelopeFor("t-2"))).comments.at(-1)
        expect(last).toMatchObject({ text: "AI: order_status, confidence 0.91", isOperator: true, isPrivate: true })
      }))

    it.effect("sendReply PUTs send-message as the bot author", () =>
      Effect.gen(function*() {
        const { fake, rp } = yield* setup
        fake.seedTicket(sampleTicket("t-3"))
        yield* rp.sendReply("t-3", "Your order shipped today.")
        expect(fake.requests()[0]).toMatchObject({
          method: "PUT",
          path: "/v1/tickets/t-3/send-message",
          body: { body: "Your order shipped today.", author_id: FAKE_BOT_AUTHOR_ID }
        })
        const last = (yield* rp.loadTicket(envelopeFor("t-3"))).comments.at(-1)
        expect(last).toMatchObject({ text: "Your order shipped today.", authorId: FAKE_BOT_AUTHOR_ID, isOperator: true, isPrivate: false })
      }))

    it.effect("sendReply without a bot author id fails before calling Richpanel", () =>
      Effect.gen(function*() {
        const { fake } = yield* setup
        fake.seedTicket(sampleTicket("t-4"))
        const rp = yield* clientFor(fake, { botAuthorId: undefined })
        const error = yield* failure(rp.sendReply("t-4", "hello"))
        expect(error._tag).toBe("RichpanelInvalid")
        expect(error).toMatchObject({ reason: expect.stringContaining("RICHPANEL_BOT_AUTHOR_ID") })
        expect(fake.requests()).toEqual([])
      }))

    it.effect("listTags follows next_page with per_page=100", () =>
      Effect.gen(function*() {
        const { fake, rp } = yield* setup
        const names = Array.from({ length: 250 }, (_, i) => `tag-name-${i}`)
        fake.seedTags(names)
        const tags = yield* rp.listTags
        expect(tags.map((t) => t.name)).toEqual(names)
        expect(tags[0]?.id).toMatch(/^tag-/)
        expect(fake.requests().map((r) => [r.path, r.query])).toEqual([
          ["/v1/tags", { page: "1", per_page: "100" }],
          ["/v1/tags", { page: "2", per_page: "100" }],
          ["/v1/tags", { page: "3", per_page: "100" }]
        ])
      }))

    it.effect("listTags stops at a next_page that does not move forward", () =>
      Effect.gen(function*() {
        const { fake, rp } = yield* setup
        fake.inject({ status: 200, body: { tag: [{ id: "a", name: "A" }], next_page: 1 } })
        expect(yield* rp.listTags).toEqual([{ id: "a", name: "A" }])
        expect(fake.requests()).toHaveLength(1)
      }))

    it.effect("listUsers reads the singular user key", () =>
      Effect.gen(function*() {
        const { fake, rp } = yield* setup
        fake.seedUsers([{ id: "u1", name: "Bot", email: "bot@example.com", role: "TENANT_ADMIN" }, { id: "u2" }])
        expect(yield* rp.listUsers).toEqual([
          { id: "u1", name: "Bot", email: "bot@example.com", role: "TENANT_ADMIN" },
          { id: "u2" }
        ])
        expect(fake.requests()[0]).toMatchObject({ method: "GET", path: "/v1/users", query: { page: "1", per_page: "100" } })
      }))
  })

  describe("errors", () => {
    const load = (rp: Richpanel["Type"], id = "t-err") => failure(rp.loadTicket(envelopeFor(id)))

    it.effect("429 carries Retry-After in seconds, and nothing is retried", () =>
      Effect.gen(function*() {
        const { fake, rp } = yield* setup
        fake.seedTicket(sampleTicket("t-err"))
        fake.inject(Faults.rateLimited(2))
        expect(yield* load(rp)).toMatchObject({ _tag: "RichpanelRateLimited", retryAfterMs: 2000 })
        expect(fake.requests()).toHaveLength(1)
        fake.inject(Faults.rateLimited())
        const bare = yield* load(rp)
        expect(bare._tag).toBe("RichpanelRateLimited")
        expect(bare).not.toHaveProperty("retryAfterMs")
      }))

    it.effect("429 with an HTTP-date Retry-After waits until that date (on the Clock)", () =>
      Effect.gen(function*() {
        const { fake, rp } = yield* setup
        yield* TestClock.setTime(Date.parse("2025-01-10T12:00:00.000Z"))
        fake.inject(Faults.rateLimited("Fri, 10 Jan 2025 12:01:30 GMT"))
        expect(yield* load(rp)).toMatchObject({ _tag: "RichpanelRateLimited", retryAfterMs: 90_000 })
        fake.inject(Faults.rateLimited("Fri, 10 Jan 2025 11:00:00 GMT"))
        expect(yield* load(rp)).toMatchObject({ _tag: "RichpanelRateLimited", retryAfterMs: 0 })
      }))

    it.effect("401 and 403 are Unauthorized, including a real wrong key", () =>
      Effect.gen(function*() {
        const { fake, rp } = yield* setup
        fake.seedTicket(sampleTicket("t-err"))
        const wrongKey = yield* clientFor(fake, { apiKey: Redacted.make("rp_wrong") })
        expect(yield* load(wrongKey)).toMatchObject({ _tag: "RichpanelUnauthorized", status: 401 })
        fake.inject(Faults.status(403))
        expect(yield* failure(rp.addTags("t-err", ["x"]))).toMatchObject({ _tag: "RichpanelUnauthorized", status: 403 })
      }))

    it.effect("404 is NotFound naming the resource", () =>
      Effect.gen(function*() {
        const { rp } = yield* setup
        expect(yield* load(rp, "missing")).toMatchObject({ _tag: "RichpanelNotFound", resource: "ticket missing" })
        expect(yield* failure(rp.sendReply("missing", "x"))).toMatchObject({ _tag: "RichpanelNotFound" })
      }))

    it.effect("5xx and API-Gateway timeouts are Transient, once each", () =>
      Effect.gen(function*() {
        const { fake, rp } = yield* setup
        fake.seedTicket(sampleTicket("t-err"))
        fake.inject(Faults.status(500))
        expect(yield* load(rp)).toMatchObject({ _tag: "RichpanelTransient", status: 500 })
        fake.inject(Faults.gatewayTimeout(503))
        expect(yield* load(rp)).toMatchObject({ _tag: "RichpanelTransient", status: 503, reason: "Endpoint request timed out" })
        fake.inject({ status: 200, body: { message: "Endpoint request timed out" } })
        expect(yield* failure(rp.addTags("t-err", ["x"]))).toMatchObject({ _tag: "RichpanelTransient", status: 200 })
        expect(fake.requests()).toHaveLength(3)
        expect(fake.ticket("t-err")?.["tags"]).toEqual([])
      }))

    it.effect("400/409/413/422 are Invalid with the reason from any error-body shape", () =>
      Effect.gen(function*() {
        const { fake, rp } = yield* setup
        fake.seedTicket(sampleTicket("t-err"))
        const cases = [
          [400, [{ value: "secret text", msg: "Invalid value", param: "ticket.via.channel", location: "body" }, { msg: "Required" }],
            "ticket.via.channel: Invalid value; Required"],
          [409, { errors: { message: "Provided conversation id does not exist." } }, "Provided conversation id does not exist."],
          [413, { error: { message: "Payload too large" } }, "Payload too large"],
          [422, { message: "Unprocessable" }, "Unprocessable"],
          [400, "<html>Bad Request</html>", "HTTP 400"]
        ] as const
        for (const [status, body, reason] of cases) {
          fake.inject({ status, body })
          expect(yield* failure(rp.addInternalNote("t-err", "n"))).toMatchObject({ _tag: "RichpanelInvalid", status, reason })
        }
        expect(fake.requests().every((r) => r.status !== 200)).toBe(true)
      }))

    it.effect("a real validation 400 from the fake maps to Invalid", () =>
      Effect.gen(function*() {
        const { fake, rp } = yield* setup
        fake.seedTicket(sampleTicket("t-err"))
        expect(yield* failure(rp.sendReply("t-err", ""))).toMatchObject({ _tag: "RichpanelInvalid", status: 400, reason: "body: Invalid value" })
      }))

    it.effect("malformed JSON and unexpected shapes on success are Invalid", () =>
      Effect.gen(function*() {
        const { fake, rp } = yield* setup
        fake.inject(Faults.malformed())
        expect(yield* load(rp)).toMatchObject({ _tag: "RichpanelInvalid", reason: "response body is not JSON" })
        fake.inject({ status: 200, body: { unexpected: true } })
        expect(yield* load(rp)).toMatchObject({ _tag: "RichpanelInvalid", reason: expect.stringContaining("unreadable ticket") })
        fake.inject({ status: 200, body: { ticket: { id: "t", comments: [{ id: "c", plain_body: "my secret address", isOperator: "yes" }] } } })
        const error = yield* load(rp)
        expect(error).toMatchObject({ _tag: "RichpanelInvalid", reason: "unreadable ticket (ticket.comments.0.isOperator)" })
        fake.inject({ status: 200, body: { tags: "nope" } })
        expect(yield* failure(rp.listTags)).toMatchObject({ _tag: "RichpanelInvalid", reason: "unreadable tag list (tag)" })
      }))

    it.effect("dropped and refused connections are Transient", () =>
      Effect.gen(function*() {
        const { fake, rp } = yield* setup
        fake.seedTicket(sampleTicket("t-err"))
        fake.inject(Faults.drop())
        expect(yield* load(rp)).toMatchObject({ _tag: "RichpanelTransient", reason: expect.stringContaining("Transport") })
        expect(fake.requests()).toHaveLength(1)
        const nowhere = yield* clientFor(fake, { baseUrl: "http://127.0.0.1:1/v1" })
        expect(yield* load(nowhere)).toMatchObject({ _tag: "RichpanelTransient", reason: expect.stringContaining("Transport") })
        // The same client still works against a live server: the failures above were the network's.
        expect((yield* load(yield* clientFor(fake, { apiKey: Redacted.make("rp_wrong") })))._tag).toBe("RichpanelUnauthorized")
      }))

    it.effect("neither errors nor span attributes carry the API key", () =>
      Effect.gen(function*() {
        const { fake, rp } = yield* setup
        fake.seedTicket(sampleTicket("t-err"))
        const spans: Array<Tracer.Span> = []
        const base = yield* Effect.tracer
        const tracer = Tracer.make({
          span: (...args) => {
            const span = base.span(...args)
            spans.push(span)
            return span
          },
          context: base.context
        })
        fake.inject(Faults.status(500))
        const error = yield* load(rp).pipe(Effect.withTracer(tracer))
        yield* rp.addTags("t-err", ["x"]).pipe(Effect.withTracer(tracer))
        expect(spans.map((s) => s.name)).toEqual(expect.arrayContaining(["Richpanel.loadTicket", "Richpanel.addTags"]))
        const attributes = spans.flatMap((s) => [...s.attributes.entries()])
        expect(attributes).toContainEqual(["http.request.header.x-richpanel-key", "<redacted>"])
        expect(JSON.stringify(attributes.map(([k, v]) => [k, String(v)]))).not.toContain(FAKE_API_KEY)
        expect(JSON.stringify(error) + String(error)).not.toContain(FAKE_API_KEY)
      }))
  })
})

describe("RichpanelHttp against the fake's rate limit and lost answers", () => {
  it.effect("past N requests per window the answer is 429 with Retry-After, and the fake counts them", () =>
    Effect.gen(function*() {
      const fake = yield* FakeRichpanel
      const rp = yield* Richpanel
      fake.seedTicket(sampleTicket("t-rl"))
      for (let i = 0; i < 3; i++) yield* rp.loadTicket(envelopeFor("t-rl"))
      const error = yield* failure(rp.loadTicket(envelopeFor("t-rl")))
      expect(error._tag).toBe("RichpanelRateLimited")
      expect(error).toMatchObject({ retryAfterMs: expect.any(Number) })
      expect((error as { retryAfterMs: number }).retryAfterMs).toBeGreaterThanOrEqual(1_000)
      expect(fake.rateLimitStats()).toEqual({ admitted: 3, rejected: 1, maxInWindow: 3 })
      expect(fake.requests().at(-1)?.status).toBe(429)
    }).pipe(Effect.provide(layerRichpanelHttp({ rateLimit: { requests: 3, windowMs: 30_000 } }))))

  it.effect("an answer lost after the write is Transient, yet the write happened", () =>
    Effect.gen(function*() {
      const fake = yield* FakeRichpanel
      const rp = yield* Richpanel
      fake.seedTicket(sampleTicket("t-lost"))
      fake.inject({ ...Faults.gatewayTimeout(), afterWrite: true })
      expect((yield* failure(rp.sendReply("t-lost", "Shipped.")))._tag).toBe("RichpanelTransient")
      const ticket = yield* rp.loadTicket(envelopeFor("t-lost"))
      expect(ticket.comments.filter((c) => c.authorId === FAKE_BOT_AUTHOR_ID).map((c) => c.text)).toEqual(["Shipped."])
    }).pipe(Effect.provide(layerRichpanelHttp())))
})

describe("RichpanelHttp.layer", () => {
  const settings = (fake: FakeRichpanelServer, extra: ReadonlyArray<readonly [string, string]>) =>
    ConfigProvider.fromMap(new Map([["RICHPANEL_BASE_URL", fake.baseUrl], ...extra]))

  it.effect("reads the key, base URL and bot author from the environment", () =>
    Effect.gen(function*() {
      const fake = yield* FakeRichpanel
      fake.seedTicket(sampleTicket("t-env"))
      const rp = yield* Effect.provide(
        Richpanel,
        RichpanelHttp.layer.pipe(Layer.provide(globalUndici))
      ).pipe(Effect.withConfigProvider(settings(fake, [["RICHPANEL_API_KEY", FAKE_API_KEY], ["RICHPANEL_BOT_AUTHOR_ID", "user-from-env"]])))
      yield* rp.sendReply("t-env", "hello")
      expect(fake.requests()[0]?.body).toEqual({ body: "hello", author_id: "user-from-env" })
      expect(fake.requests()[0]?.headers["x-richpanel-key"]).toBe(FAKE_API_KEY)
    }).pipe(Effect.provide(FakeLayer())))

  it.effect("fails to build without RICHPANEL_API_KEY, and treats an empty bot author as unset", () =>
    Effect.gen(function*() {
      const fake = yield* FakeRichpanel
      const build = (extra: ReadonlyArray<readonly [string, string]>) =>
        Effect.provide(Richpanel, RichpanelHttp.layer.pipe(Layer.provide(globalUndici))).pipe(
          Effect.withConfigProvider(settings(fake, extra))
        )
      const missing = yield* Effect.flip(build([]))
      expect(String(missing)).toContain("RICHPANEL_API_KEY")
      const rp = yield* build([["RICHPANEL_API_KEY", FAKE_API_KEY], ["RICHPANEL_BOT_AUTHOR_ID", "  "]])
      expect((yield* failure(rp.sendReply("t", "x")))._tag).toBe("RichpanelInvalid")
      expect(fake.requests()).toEqual([])
    }).pipe(Effect.provide(FakeLayer())))
})

describe("RichpanelHttp timeouts", () => {
  it.live("a server slower than the timeout is Transient, without waiting for it", () =>
    Effect.gen(function*() {
      const fake = yield* FakeRichpanel
      const rp = yield* Richpanel
      fake.seedTicket(sampleTicket("t-slow"))
      fake.inject(Faults.delay(2_000))
      const started = Date.now()
      const error = yield* failure(rp.loadTicket(envelopeFor("t-slow")))
      expect(error).toMatchObject({ _tag: "RichpanelTransient", reason: expect.stringContaining("no answer within") })
      expect(Date.now() - started).toBeLessThan(1_500)
      // The next request is answered normally: the timed-out one left no harm behind.
      expect((yield* rp.loadTicket(envelopeFor("t-slow"))).id).toBe("t-slow")
    }).pipe(Effect.provide(layerRichpanelHttp({ timeout: "200 millis" }))))
})
