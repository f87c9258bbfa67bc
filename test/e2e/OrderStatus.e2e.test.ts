import { describe, expect, it } from "@effect/vitest"
import { ConfigProvider, Effect, Layer } from "effect"
import { Richpanel } from "../../src/services/Richpanel.js"
import { SAMPLE_EMAIL } from "../../src/layers/SampleStoreOrderLookup.js"
import { inMemoryServices } from "../../src/local/InMemoryServices.js"
import { LocalFifoQueue } from "../../src/local/LocalFifoQueue.js"
import { startLocalRuntime } from "../../src/local/LocalRuntime.js"
import { FAKE_BOT_AUTHOR_ID, FakeRichpanel, type FakeRichpanelServer, layerRichpanelHttp, sampleTicket } from "../support/fakeRichpanel.js"
import { appConfig, TEST_TOKEN } from "../support/fakes.js"

/**
 * "Where is my order?" end to end through the local runtime, in process: HTTP webhook → ingress → local FIFO queue →
 * worker (rules classifier, sample store) → the real Richpanel HTTP client against the fake Richpanel on loopback,
 * in live mode. What the customer would see is what the fake Richpanel received.
 */

const comment = (id: string, text: string) => ({
  id,
  author_id: "cust-1",
  plain_body: text,
  body: `<p>${text}</p>`,
  isOperator: false,
  attachments: [],
  via: { channel: "email" }
})

const ticketWith = (id: string, comments: ReadonlyArray<ReturnType<typeof comment>>) =>
  sampleTicket(id, { customer_profile: { email: SAMPLE_EMAIL }, comments })

const sendMessages = (richpanel: FakeRichpanelServer, ticketId: string) =>
  richpanel.requests()
    .filter((r) => r.method === "PUT" && r.path.endsWith(`/${ticketId}/send-message`))
    .map((r) => String((r.body as { body?: unknown } | undefined)?.body))

const webhook = (url: string, ticketId: string, messageId: string) =>
  Effect.promise(() =>
    fetch(`${url}/webhooks/richpanel`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-webhook-token": TEST_TOKEN },
      body: JSON.stringify({ conversation_id: ticketId, message_id: messageId })
    }).then((response) => response.status)
  )

/** Waits until the runtime has recorded an outcome for the event. */
const processed = (url: string, eventId: string) =>
  Effect.gen(function*() {
    for (let i = 0; i < 100; i++) {
      const body = yield* Effect.promise(() =>
        fetch(`${url}/events?limit=100`).then((r) => r.json() as Promise<{ events: ReadonlyArray<{ event_id: string; outcome: string }> }>)
      )
      const event = body.events.find((e) => e.event_id === eventId)
      if (event !== undefined) return event
      yield* Effect.sleep("100 millis")
    }
    return yield* Effect.die(new Error(`no outcome for ${eventId}`))
  })

const runtime = Effect.gen(function*() {
  const queue = yield* LocalFifoQueue.make({ name: "orders.fifo" })
  const richpanel = yield* FakeRichpanel
  const client = yield* Richpanel
  const url = yield* startLocalRuntime({
    port: 0,
    host: "127.0.0.1",
    queue,
    // The in-memory services of the local runtime, with the real Richpanel client pointed at the fake.
    // Our bot's user id, as RICHPANEL_BOT_AUTHOR_ID: without it our own replies would look like an agent's.
    services: Layer.merge(inMemoryServices(queue, appConfig({ mode: "live" })), Layer.succeed(Richpanel, client)).pipe(
      Layer.provide(Layer.setConfigProvider(ConfigProvider.fromMap(new Map([["RICHPANEL_BOT_AUTHOR_ID", FAKE_BOT_AUTHOR_ID]]))))
    ),
    workerConcurrency: 1
  })
  return { url, richpanel }
})

describe("where is my order, end to end through the local runtime", () => {
  it.scopedLive("a webhook for #1001 from its customer: the fake Richpanel receives exactly one reply, with the tracking number", () =>
    Effect.gen(function*() {
      const { richpanel, url } = yield* runtime
      richpanel.seedTicket(ticketWith("t-1001", [comment("c-1", "Hi! Where is my order #1001? Thanks")]))
      expect(yield* webhook(url, "t-1001", "c-1")).toBe(200)
      // Richpanel delivers the same webhook again: still one reply.
      expect(yield* webhook(url, "t-1001", "c-1")).toBe(200)
      expect((yield* processed(url, "evt:rp:t-1001:c-1")).outcome).toBe("automated")

      const replies = sendMessages(richpanel, "t-1001")
      expect(replies).toHaveLength(1)
      expect(replies[0]).toContain("1Z999AA10123456784")
      expect(replies[0]).toContain("https://www.ups.com/track?tracknum=1Z999AA10123456784")
      expect(richpanel.ticket("t-1001")?.["tags"]).toEqual(expect.arrayContaining(["mw-auto-replied", "mw-intent-order_status_tracking"]))
    }).pipe(Effect.provide(layerRichpanelHttp())), 30_000)

  it.scopedLive("no number: the question for it; the customer's answer resumes the flow and gets the tracking reply", () =>
    Effect.gen(function*() {
      const { richpanel, url } = yield* runtime
      const first = comment("c-1", "Hi, where is my order? It has been days.")
      richpanel.seedTicket(ticketWith("t-ask", [first]))
      expect(yield* webhook(url, "t-ask", "c-1")).toBe(200)
      yield* processed(url, "evt:rp:t-ask:c-1")
      const asked = sendMessages(richpanel, "t-ask")
      expect(asked).toHaveLength(1)
      expect(asked[0]).toMatch(/order number/i)
      expect(asked[0]).not.toContain("1Z999AA10123456784")

      // The customer answers on the same ticket (Richpanel keeps our reply in between).
      const current = richpanel.ticket("t-ask")!
      const comments = current["comments"] as ReadonlyArray<unknown>
      richpanel.seedTicket({ ...current, comments: [...comments, comment("c-2", "Sure, it is 1001")] })
      expect(yield* webhook(url, "t-ask", "c-2")).toBe(200)
      expect((yield* processed(url, "evt:rp:t-ask:c-2")).outcome).toBe("automated")

      const replies = sendMessages(richpanel, "t-ask")
      expect(replies).toHaveLength(2)
      expect(replies[1]).toContain("1Z999AA10123456784")
      expect(richpanel.ticket("t-ask")?.["tags"]).not.toContain("mw-awaiting-order-number")
    }).pipe(Effect.provide(layerRichpanelHttp())), 30_000)
})
