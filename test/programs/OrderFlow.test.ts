import { describe, expect, it } from "@effect/vitest"
import { Effect, Option, TestClock } from "effect"
import { ticketFromEnvelope } from "../../src/layers/DryRunRichpanel.js"
import { OTHER_EMAIL, SAMPLE_EMAIL, SAMPLE_PHONE } from "../../src/layers/SampleStoreOrderLookup.js"
import { processRecord } from "../../src/programs/worker/Worker.js"
import { ConversationStore } from "../../src/services/ConversationStore.js"
import { OrderLookup, OrderLookupUnavailable, ShopifyTransient } from "../../src/services/OrderLookup.js"
import { CircuitOpen } from "../../src/services/CircuitBreaker.js"
import {
  classifyNext,
  decisionOf,
  eventFor,
  expectSuccess,
  flat,
  inMode,
  output,
  recordOf,
  renderedReply,
  repliesIn,
  richpanelCalls,
  seedTicket,
  ticketNow
} from "../support/workerFakes.js"

/**
 * "Where is my order?" through the worker (spec §7): the scripted classifier, the fake Richpanel, and the sample
 * store's orders (src/layers/SampleStoreOrderLookup.ts) on the TestClock, so "late", "expired" and the reply
 * limits are exact. Monday 23 Nov 2026, 10:00 in New York.
 */
const MONDAY_10AM_NY = Date.parse("2026-11-23T15:00:00Z")
const MINUTE = 60_000
const HOUR = 60 * MINUTE

const WISMO = (orderNumber: string | null = null) => output("order_status_tracking", 0.95, { order_number: orderNumber })
const ASK = renderedReply("t_order_status_ask_order_number")

/** One customer message, processed; returns its decision record. */
const send = (conversation: string, message: string, text: string, extra: Record<string, unknown> = {}) =>
  Effect.gen(function*() {
    const envelope = flat(conversation, message, text, { customer_email: SAMPLE_EMAIL, ...extra })
    expectSuccess(yield* Effect.exit(processRecord(recordOf(envelope))))
    const record = yield* eventFor(envelope.event_id)
    return { record, decision: decisionOf(record) }
  })

const repliesTo = (conversation: string) =>
  Effect.map(richpanelCalls, (calls) => repliesIn(calls, conversation).map((c) => c.body ?? ""))

const tagsOf = (conversation: string) => Effect.map(ticketNow(conversation), (t) => t?.tags ?? [])

const live = <A, E, R>(self: Effect.Effect<A, E, R>) =>
  Effect.zipRight(TestClock.setTime(MONDAY_10AM_NY), self).pipe(inMode("live") as never) as Effect.Effect<A, E, never>

describe("order status through the worker: one verified reply per case (spec §7.2)", () => {
  it.effect("tracking: the carrier, the number and its link, tagged mw-auto-replied", () =>
    live(Effect.gen(function*() {
      yield* classifyNext(WISMO("#1001"))
      const { decision, record } = yield* send("c-track", "m-1", "Where is my order #1001?")
      const [reply, ...more] = yield* repliesTo("c-track")
      expect(more).toEqual([])
      expect(reply).toContain("#1001")
      expect(reply).toContain("UPS")
      expect(reply).toContain("1Z999AA10123456784")
      expect(reply).toContain("https://www.ups.com/track?tracknum=1Z999AA10123456784")
      expect(record?.outcome).toBe("automated")
      expect(decision.reply).toBe("t_order_status_verified")
      // The decision record keeps the words, not the parcel (spec §9).
      const recorded = JSON.stringify(record?.actions)
      expect(recorded).toContain("Carrier: UPS")
      expect(recorded).toContain("[TRACKING]")
      expect(recorded).not.toContain("1Z999AA10123456784")
      expect(recorded).not.toContain("sample-store.example.com/orders")
      expect(yield* tagsOf("c-track")).toEqual(expect.arrayContaining(["mw-auto-replied", "route-email-support-team"]))
      expect(yield* tagsOf("c-track")).not.toContain("mw-needs-human")
    })))

  it.effect("matched by the phone on the profile when the email differs", () =>
    live(Effect.gen(function*() {
      yield* classifyNext(WISMO("1001"))
      yield* send("c-phone", "m-1", "order 1001 please", { customer_email: "typo@example.com", customer_phone: SAMPLE_PHONE })
      const replies = yield* repliesTo("c-phone")
      expect(replies).toHaveLength(1)
      expect(replies[0]).toContain("1Z999AA10123456784")
    })))

  it.effect("no tracking yet, inside the window: an ETA in business days, no date invented", () =>
    live(Effect.gen(function*() {
      yield* classifyNext(WISMO("#1002"))
      const { decision } = yield* send("c-eta", "m-1", "When will order #1002 arrive?")
      expect(decision.reply).toBe("t_order_eta_no_tracking_verified")
      const [reply] = yield* repliesTo("c-eta")
      // Ordered Sunday 22 Nov (New York), Standard 3–5 business days from then: Wed 25 – Fri 27 Nov; counted
      // from the message (Monday 23): 2–4 business days.
      expect(reply).toContain("2–4 business days")
      expect(reply).not.toMatch(/tracking number:/i)
    })))

  it.effect("late: the delay reply, and a human follows up", () =>
    live(Effect.gen(function*() {
      yield* classifyNext(WISMO("#1003"))
      const { decision } = yield* send("c-late", "m-1", "Where is #1003? It has been a month")
      expect(decision.reply).toBe("t_shipping_delay_verified")
      expect(decision.reasons).toContain("order:late")
      expect(yield* repliesTo("c-late")).toHaveLength(1)
      expect(yield* tagsOf("c-late")).toEqual(expect.arrayContaining(["mw-needs-human", "mw-auto-replied"]))
    })))

  it.effect("cancelled: no reply, a human", () =>
    live(Effect.gen(function*() {
      yield* classifyNext(WISMO("#1004"))
      const { decision, record } = yield* send("c-cancel", "m-1", "where is order #1004")
      expect(yield* repliesTo("c-cancel")).toEqual([])
      expect(record?.outcome).toBe("handed-over")
      expect(decision.reasons).toContain("order:cancelled")
      expect(yield* tagsOf("c-cancel")).toContain("mw-needs-human")
    })))

  it.effect("several orders share the number: never chooses, a human", () =>
    live(Effect.gen(function*() {
      yield* classifyNext(WISMO("#1009"))
      const { decision } = yield* send("c-two", "m-1", "status of #1009?", { customer_email: "alex.kim@example.com" })
      expect(yield* repliesTo("c-two")).toEqual([])
      expect(decision.reasons).toContain("order:several-candidates")
      expect(yield* tagsOf("c-two")).toContain("mw-needs-human")
    })))

  it.effect("Shopify down (after its retries) or its breaker open: no reply, a human, and the message completes", () =>
    live(Effect.gen(function*() {
      for (const [conversation, error] of [["c-down", new ShopifyTransient({ reason: "503", status: 503 })], ["c-open", new CircuitOpen({ downstream: "shopify", retryAt: MONDAY_10AM_NY + 30_000 })]] as const) {
        yield* classifyNext(WISMO("#1001"))
        const { decision, record } = yield* send(conversation, "m-1", "Where is my order #1001?").pipe(
          Effect.provideService(OrderLookup, OrderLookup.of({ findOrders: () => Effect.fail(error), linkedOrder: () => Effect.succeed(Option.none()) }))
        )
        expect(yield* repliesTo(conversation)).toEqual([])
        expect(record?.outcome).toBe("handed-over")
        expect(decision.reasons).toContain("order:lookup-failed")
        expect(yield* tagsOf(conversation)).toContain("mw-needs-human")
      }
    })))

  it.effect("no order lookup in this deployment: a question without a number goes to a human, not asked for one", () =>
    live(Effect.gen(function*() {
      yield* classifyNext(WISMO())
      const unavailable = new OrderLookupUnavailable({ reason: "SHOPIFY_ACCESS_TOKEN is not set" })
      const { decision } = yield* send("c-none", "m-1", "Where is my order?").pipe(
        Effect.provideService(OrderLookup, OrderLookup.of({ findOrders: () => Effect.fail(unavailable), linkedOrder: () => Effect.fail(unavailable) }))
      )
      expect(yield* repliesTo("c-none")).toEqual([])
      expect(decision.reasons).toContain("order:lookup-failed")
      expect(yield* tagsOf("c-none")).toContain("mw-needs-human")
    })))

  it.effect("two different order numbers in one message: never one of them, a human", () =>
    live(Effect.gen(function*() {
      yield* classifyNext(WISMO())
      const { decision } = yield* send("c-two-numbers", "m-1", "Where are my orders #1001 and #1002?")
      expect(yield* repliesTo("c-two-numbers")).toEqual([])
      expect(decision.reasons).toContain("order:several-numbers")
      expect(yield* tagsOf("c-two-numbers")).toContain("mw-needs-human")
    })))

  it.effect("the order is someone else's: the same question as for no order at all, nothing about the order", () =>
    live(Effect.gen(function*() {
      yield* classifyNext(WISMO("#1006"))
      yield* send("c-other", "m-1", "Where is my order #1006?")
      expect(yield* repliesTo("c-other")).toEqual([ASK])
      expect(yield* tagsOf("c-other")).toContain("mw-awaiting-order-number")
    })))
})

describe("awaiting the order number: the flow resumes from conversation state (spec §7.4)", () => {
  it.effect("asked, then answered five minutes later: the answer is exempt from the 10-minute limit", () =>
    live(Effect.gen(function*() {
      yield* classifyNext(WISMO(), output("unknown_other", 0.3))
      yield* send("c-await", "m-1", "Hi, where is my order? It has been days.")
      expect(yield* repliesTo("c-await")).toEqual([ASK])
      const state = yield* Effect.flatMap(ConversationStore, (s) => s.get("c-await"))
      expect(state.awaiting?.attempts).toBe(1)

      yield* TestClock.adjust(5 * MINUTE)
      const { decision } = yield* send("c-await", "m-2", "Sure, it is 1001")
      expect(decision.reasons).toEqual(expect.arrayContaining(["awaiting:resumed", "order:tracking"]))
      const replies = yield* repliesTo("c-await")
      expect(replies).toHaveLength(2)
      expect(replies[1]).toContain("1Z999AA10123456784")
      expect(yield* tagsOf("c-await")).not.toContain("mw-awaiting-order-number")
      const after = yield* Effect.flatMap(ConversationStore, (s) => s.get("c-await"))
      expect(after.awaiting ?? null).toBeNull()
    })))

  it.effect("the answer carries the checkout email, but the ticket has another address: only the ticket's counts", () =>
    live(Effect.gen(function*() {
      // Anyone can type the owner's address; the ticket's address is the one Richpanel knows wrote. A customer who
      // writes from another address than their checkout one is asked again, then reaches a human.
      yield* classifyNext(WISMO(), output("unknown_other", 0.3), output("unknown_other", 0.3))
      const work = { customer_email: "work.address@example.org" }
      yield* send("c-mail", "m-1", "where is my stuff", work)
      yield* TestClock.adjust(20 * MINUTE)
      const { decision } = yield* send("c-mail", "m-2", `It's #1001, I used ${SAMPLE_EMAIL} at checkout`, work)
      expect(decision.reasons).toEqual(expect.arrayContaining(["awaiting:resumed", "order:contact-mismatch"]))
      expect(yield* repliesTo("c-mail")).toEqual([ASK, ASK])
      yield* TestClock.adjust(20 * MINUTE)
      const third = yield* send("c-mail", "m-3", `#1001, really, ${SAMPLE_EMAIL}`, work)
      expect(third.decision.reasons).toContain("awaiting:attempts-exhausted")
      expect(yield* repliesTo("c-mail")).toEqual([ASK, ASK])
      expect(yield* tagsOf("c-mail")).toContain("mw-needs-human")
    })))

  it.effect("answered after 72 hours: the flow has expired, nothing is resumed", () =>
    live(Effect.gen(function*() {
      yield* classifyNext(WISMO(), output("unknown_other", 0.3))
      yield* send("c-expire", "m-1", "Where is my order?")
      yield* TestClock.adjust(72 * HOUR + MINUTE)
      const { decision } = yield* send("c-expire", "m-2", "1001")
      expect(decision.reasons).toContain("awaiting:expired")
      expect(decision.reasons).not.toContain("awaiting:resumed")
      expect(yield* repliesTo("c-expire")).toEqual([ASK])
      const state = yield* Effect.flatMap(ConversationStore, (s) => s.get("c-expire"))
      expect(state.awaiting ?? null).toBeNull()
    })))

  it.effect("two asks without a usable number: the third message goes to a human, no third ask", () =>
    live(Effect.gen(function*() {
      yield* classifyNext(WISMO(), WISMO(), WISMO())
      yield* send("c-tries", "m-1", "Where is my order?")
      yield* TestClock.adjust(15 * MINUTE)
      yield* send("c-tries", "m-2", "I don't know the number, where is it?")
      yield* TestClock.adjust(15 * MINUTE)
      const { decision } = yield* send("c-tries", "m-3", "I told you, I don't have it. Where is my order?")
      expect(yield* repliesTo("c-tries")).toEqual([ASK, ASK])
      expect(decision.reasons).toContain("awaiting:attempts-exhausted")
      expect(yield* tagsOf("c-tries")).toContain("mw-needs-human")
    })))
})

describe("auto-reply limits across an order conversation (spec §6)", () => {
  it.effect("a second question within 10 minutes is not answered; after 10 minutes it is; never more than 3 a day", () =>
    live(Effect.gen(function*() {
      const ask = (message: string, number: string) =>
        Effect.zipRight(classifyNext(WISMO(number)), send("c-limit", message, `Where is my order ${number}?`))
      yield* ask("m-1", "#1001")
      yield* TestClock.adjust(5 * MINUTE)
      const early = yield* ask("m-2", "#1002")
      expect(early.decision.reasons).toContain("limit:interval")
      expect(yield* repliesTo("c-limit")).toHaveLength(1)

      yield* TestClock.adjust(6 * MINUTE)
      yield* ask("m-3", "#1002")
      yield* TestClock.adjust(11 * MINUTE)
      yield* ask("m-4", "#1001")
      expect(yield* repliesTo("c-limit")).toHaveLength(3)
      yield* TestClock.adjust(11 * MINUTE)
      const fourth = yield* ask("m-5", "#1002")
      expect(fourth.decision.reasons).toContain("limit:24h")
      expect(yield* repliesTo("c-limit")).toHaveLength(3)

      // A day after the first reply, the window has moved on.
      yield* TestClock.adjust(24 * HOUR)
      yield* ask("m-6", "#1001")
      expect(yield* repliesTo("c-limit")).toHaveLength(4)
    })))

  it.effect("once a human agent has replied, the bot stays quiet in that conversation", () =>
    live(Effect.gen(function*() {
      yield* classifyNext(WISMO("#1001"))
      const envelope = flat("c-agent", "m-1", "Where is my order #1001?", { customer_email: SAMPLE_EMAIL })
      // An agent answered an earlier message in this conversation.
      const base = ticketFromEnvelope(envelope)
      yield* seedTicket({
        ...base,
        comments: [{ id: "agent-1", authorId: "agent-7", isOperator: true, isPrivate: false, text: "Hi! Let me check.", attachmentCount: 0 }, ...base.comments]
      })
      expectSuccess(yield* Effect.exit(processRecord(recordOf(envelope))))
      expect(yield* repliesTo("c-agent")).toEqual([])
      expect(decisionOf(yield* eventFor(envelope.event_id)).reasons.join(" ")).toMatch(/human/)
    })))

  it.effect("a shared order name from another customer's ticket is never disclosed to this one", () =>
    live(Effect.gen(function*() {
      yield* classifyNext(WISMO("#1006"))
      yield* send("c-sam", "m-1", "where is #1006", { customer_email: OTHER_EMAIL })
      expect((yield* repliesTo("c-sam"))[0]).toContain("9400111899223856928499")
      yield* classifyNext(WISMO("#1006"))
      yield* send("c-jane", "m-1", "where is #1006")
      expect(yield* repliesTo("c-jane")).toEqual([ASK])
    })))
})
