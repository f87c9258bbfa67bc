import { describe, expect, it } from "@effect/vitest"
import { Context, Effect, Exit, Layer, Redacted } from "effect"
import * as OpenAiClassifier from "../../src/layers/OpenAiClassifier.js"
import { processRecord } from "../../src/programs/worker/Worker.js"
import { Classifier } from "../../src/services/Classifier.js"
import { SAMPLE_EMAIL } from "../../src/layers/SampleStoreOrderLookup.js"
import { Richpanel } from "../../src/services/Richpanel.js"
import { type FakeOpenAi, fakeOpenAi, reply, sampleOutput } from "../support/fakeOpenAi.js"
import {
  FAKE_BOT_AUTHOR_ID,
  FakeRichpanel,
  type FakeRichpanelServer,
  type FakeTicket,
  layerRichpanelHttp,
  sampleTicket
} from "../support/fakeRichpanel.js"
import {
  BOT_AUTHOR_ID,
  decisionOf,
  envelopeOf,
  eventFor,
  memoryInfra,
  output,
  recordOf,
  renderedReply
} from "../support/workerFakes.js"

/**
 * The worker end to end through the real Richpanel HTTP client and the real OpenAI classifier (SDK), each against
 * its fake on loopback, on the live clock. Stores, limiter and breaker are in memory; the mode is live.
 */

const RETURN_TEXT = "Hi, I would like to return the jacket I bought last week. It does not fit."

type TestServices = Layer.Layer.Success<ReturnType<typeof memoryInfra>> | Richpanel | Classifier | FakeRichpanel

const openAiOn = (fake: FakeOpenAi) =>
  Layer.effect(Classifier, OpenAiClassifier.make({ apiKey: Redacted.make("sk-test-0123456789"), baseURL: fake.baseURL, timeoutMs: 5_000 }))

/** The real client, but the first send-message is answered 500 after Richpanel applied it (a lost answer). */
const loseFirstReplyAnswer = Layer.effectContext(
  Effect.gen(function*() {
    const richpanel = yield* Richpanel
    const fake = yield* FakeRichpanel
    let armed = true
    const wrapped = Richpanel.of({
      ...richpanel,
      sendReply: (ticketId, body) =>
        Effect.suspend(() => {
          if (armed) {
            armed = false
            fake.inject({ status: 500, body: { error: { message: "Internal error" } }, afterWrite: true })
          }
          return richpanel.sendReply(ticketId, body)
        })
    })
    return Context.make(Richpanel, wrapped).pipe(Context.add(FakeRichpanel, fake))
  })
).pipe(Layer.provide(layerRichpanelHttp()))

const scenario = <A, E>(
  body: (fakes: { readonly richpanel: FakeRichpanelServer; readonly openai: FakeOpenAi }) => Effect.Effect<A, E, TestServices>,
  richpanelLayer: Layer.Layer<Richpanel | FakeRichpanel> = layerRichpanelHttp()
) =>
  Effect.gen(function*() {
    const openai = yield* fakeOpenAi
    const services = Layer.mergeAll(memoryInfra("live"), richpanelLayer, openAiOn(openai))
    return yield* Effect.flatMap(FakeRichpanel, (richpanel) => body({ richpanel, openai })).pipe(Effect.provide(services))
  })

/** Seeds the ticket and returns the envelope ingress would have made of a webhook carrying it. */
const webhookFor = (richpanel: FakeRichpanelServer, ticket: FakeTicket) => {
  richpanel.seedTicket(ticket)
  return envelopeOf({ ticket })
}

const customerTicket = (id: string, text: string) =>
  sampleTicket(id, {
    comments: [{ id: `${id}-c1`, author_id: "cust-1", plain_body: text, body: `<p>${text}</p>`, isOperator: false, attachments: [], via: { channel: "email" } }]
  })

const sendMessages = (richpanel: FakeRichpanelServer) => richpanel.requests().filter((r) => r.method === "PUT" && r.path.endsWith("/send-message"))

type Comment = { readonly isOperator?: boolean; readonly public?: boolean; readonly author_id?: string; readonly body?: string; readonly type?: string }
const commentsOf = (richpanel: FakeRichpanelServer, id: string) => (richpanel.ticket(id)?.["comments"] ?? []) as ReadonlyArray<Comment>
const publicOperatorComments = (richpanel: FakeRichpanelServer, id: string) =>
  commentsOf(richpanel, id).filter((c) => c.isOperator === true && c.public !== false)
const privateNotes = (richpanel: FakeRichpanelServer, id: string) => commentsOf(richpanel, id).filter((c) => c.public === false)
const tagsOf = (richpanel: FakeRichpanelServer, id: string) => (richpanel.ticket(id)?.["tags"] ?? []) as ReadonlyArray<string>

describe("worker through the real Richpanel and OpenAI clients", () => {
  it("uses the same bot identity as the fake Richpanel expects", () => {
    expect(BOT_AUTHOR_ID).toBe(FAKE_BOT_AUTHOR_ID)
  })

  it.scopedLive("a webhook's ticket ends with the route tag, mw-intent-* and mw-routed", () =>
    scenario(({ openai, richpanel }) =>
      Effect.gen(function*() {
        // Confident enough to route (0.6), not to reply (0.7): only tags change.
        openai.script(reply.classification({ ...sampleOutput, confidence: 0.65 }))
        const envelope = webhookFor(richpanel, sampleTicket("rp-101"))
        const exit = yield* Effect.exit(processRecord(recordOf(envelope)))
        expect(Exit.isSuccess(exit)).toBe(true)

        expect(tagsOf(richpanel, "rp-101")).toEqual(["route-email-support-team", "mw-intent-order_status_tracking", "mw-routed"])
        expect(sendMessages(richpanel)).toEqual([])
        expect(openai.requests).toHaveLength(1)
        const record = yield* eventFor(envelope.event_id)
        expect(record?.outcome).toBe("routed")
        expect(decisionOf(record).classifier.source).toBe("openai")
      })
    ))

  it.scopedLive("a Tier-0 message never gets a send-message request, even with a 0.99 benign classification", () =>
    scenario(({ openai, richpanel }) =>
      Effect.gen(function*() {
        openai.script(reply.classification(output("return_request", 0.99)))
        const envelope = webhookFor(richpanel, customerTicket("rp-102", "Refund me now or I am filing a chargeback with my bank."))
        expect(Exit.isSuccess(yield* Effect.exit(processRecord(recordOf(envelope))))).toBe(true)

        expect(sendMessages(richpanel)).toEqual([])
        expect(tagsOf(richpanel, "rp-102")).toEqual(expect.arrayContaining(["mw-needs-human", "route-chargebacks-disputes-team"]))
        expect(privateNotes(richpanel, "rp-102")).toHaveLength(1)
        expect((yield* eventFor(envelope.event_id))?.outcome).toBe("handed-over")
      })
    ))

  it.scopedLive("the same event processed twice: exactly one send-message request, with the template's text", () =>
    scenario(({ openai, richpanel }) =>
      Effect.gen(function*() {
        openai.script(reply.classification(output("return_request", 0.95)))
        const envelope = webhookFor(richpanel, customerTicket("rp-103", RETURN_TEXT))
        expect(Exit.isSuccess(yield* Effect.exit(processRecord(recordOf(envelope, { messageId: "q-1" }))))).toBe(true)
        expect(Exit.isSuccess(yield* Effect.exit(processRecord(recordOf(envelope, { messageId: "q-1", receiveCount: 2 }))))).toBe(true)

        const sent = sendMessages(richpanel)
        expect(sent).toHaveLength(1)
        expect(sent[0]?.body).toEqual({ body: renderedReply("t_return_request_intake"), author_id: FAKE_BOT_AUTHOR_ID })
        expect(publicOperatorComments(richpanel, "rp-103")).toHaveLength(1)
        expect(tagsOf(richpanel, "rp-103")).toContain("mw-auto-replied")
        expect(openai.requests).toHaveLength(1)
      })
    ))

  it.scopedLive("an OpenAI outage (500s): mw-needs-human + mw-model-failure and a private note, no send-message", () =>
    scenario(({ openai, richpanel }) =>
      Effect.gen(function*() {
        // Nothing scripted: the fake answers every request 500.
        const envelope = webhookFor(richpanel, customerTicket("rp-104", RETURN_TEXT))
        expect(Exit.isSuccess(yield* Effect.exit(processRecord(recordOf(envelope))))).toBe(true)

        expect(openai.requests.length).toBeGreaterThan(1)
        expect(sendMessages(richpanel)).toEqual([])
        expect(tagsOf(richpanel, "rp-104")).toEqual(expect.arrayContaining(["mw-needs-human", "mw-model-failure"]))
        const notes = privateNotes(richpanel, "rp-104")
        expect(notes).toHaveLength(1)
        expect(notes[0]?.body?.startsWith("[rp-mw]")).toBe(true)
        const record = yield* eventFor(envelope.event_id)
        expect(record?.outcome).toBe("handed-over")
        expect(decisionOf(record).classifier.failure).toBe("ClassifierTransient")
      })
    ))

  it.scopedLive("a lost send-message answer: exactly one customer-visible operator comment after the retry", () =>
    scenario(({ openai, richpanel }) =>
      Effect.gen(function*() {
        openai.script(reply.classification(output("return_request", 0.95)), reply.classification(output("return_request", 0.95)))
        const envelope = webhookFor(richpanel, customerTicket("rp-105", RETURN_TEXT))
        const first = yield* Effect.exit(processRecord(recordOf(envelope, { messageId: "q-5" })))
        // However the first attempt ends, the queue's retry must not add a second reply.
        if (Exit.isFailure(first)) yield* Effect.exit(processRecord(recordOf(envelope, { messageId: "q-5", receiveCount: 2 })))

        expect(publicOperatorComments(richpanel, "rp-105")).toHaveLength(1)
      }), loseFirstReplyAnswer))
  it.scopedLive("where is my order #1001, from the sample store's customer: exactly one send-message, with the tracking number", () =>
    scenario(({ openai, richpanel }) =>
      Effect.gen(function*() {
        openai.script(reply.classification(sampleOutput))
        const ticket = sampleTicket("rp-106", { customer_profile: { email: SAMPLE_EMAIL } })
        const envelope = webhookFor(richpanel, ticket)
        expect(Exit.isSuccess(yield* Effect.exit(processRecord(recordOf(envelope, { messageId: "q-6" }))))).toBe(true)
        // A redelivery of the same event must not reply again.
        expect(Exit.isSuccess(yield* Effect.exit(processRecord(recordOf(envelope, { messageId: "q-6", receiveCount: 2 }))))).toBe(true)

        const sent = sendMessages(richpanel)
        expect(sent).toHaveLength(1)
        const body = String((sent[0]?.body as { body?: unknown } | undefined)?.body)
        expect(body).toContain("1Z999AA10123456784")
        expect(body).toContain("#1001")
        expect(tagsOf(richpanel, "rp-106")).toEqual(expect.arrayContaining(["mw-auto-replied", "mw-intent-order_status_tracking"]))
        expect(tagsOf(richpanel, "rp-106")).not.toContain("mw-needs-human")
        const record = yield* eventFor(envelope.event_id)
        expect(record?.outcome).toBe("automated")
        expect(decisionOf(record).reply).toBe("t_order_status_verified")
        expect(decisionOf(record).reasons).toContain("order:tracking")
      })
    ))

  it.scopedLive("the same question from another address: no order data, the question for the number and checkout email", () =>
    scenario(({ openai, richpanel }) =>
      Effect.gen(function*() {
        openai.script(reply.classification(sampleOutput))
        const envelope = webhookFor(richpanel, sampleTicket("rp-107", { customer_profile: { email: "someone.else@example.com" } }))
        expect(Exit.isSuccess(yield* Effect.exit(processRecord(recordOf(envelope))))).toBe(true)

        const sent = sendMessages(richpanel)
        expect(sent).toHaveLength(1)
        const body = String((sent[0]?.body as { body?: unknown } | undefined)?.body)
        expect(body).not.toContain("1Z999AA10123456784")
        expect(body).toBe(renderedReply("t_order_status_ask_order_number"))
        expect(tagsOf(richpanel, "rp-107")).toContain("mw-awaiting-order-number")
      })
    ))
})
