import { describe, expect, it } from "@effect/vitest"
import { Effect, Exit, Fiber, Option, Ref, TestClock } from "effect"
import * as ModeSwitchMemory from "../../src/layers/ModeSwitchMemory.js"
import * as RateLimiterMemory from "../../src/layers/RateLimiterMemory.js"
import { processRecord } from "../../src/programs/worker/Worker.js"
import { IdempotencyStore } from "../../src/services/IdempotencyStore.js"
import { RichpanelInvalid, type TicketComment } from "../../src/services/Richpanel.js"
import {
  appliedWrites,
  classifierCalls,
  classifyAlways,
  decisionOf,
  envelopeOf,
  eventFor,
  expectSuccess,
  flat,
  injectRichpanel,
  inMode,
  output,
  recordOf,
  repliesIn,
  RETURN_TEXT,
  richpanelCalls,
  ScriptedClassifier,
  seedTicket,
  ticketNow,
  withClock
} from "../support/workerFakes.js"

const RETURN = output("return_request", 0.95)
const customer = (id: string, text: string): TicketComment => ({ id, text, isOperator: false, isPrivate: false, attachmentCount: 0 })

describe("Worker: a burst is decided as one, every message screened whole", () => {
  it.effect("six quick comments, the first a chargeback threat: Tier 0 reaches humans, no reply", () =>
    Effect.gen(function*() {
      yield* classifyAlways(RETURN)
      const comments = [
        customer("m-1", "If I don't get my money back I will file a chargeback with my bank."),
        ...["I want to return my jacket.", "It does not fit.", "Also the box was open.", "Can I get a label?", RETURN_TEXT].map((text, i) => customer(`m-${i + 2}`, text))
      ]
      yield* seedTicket({ id: "conv-six", status: "OPEN", channelRaw: "email", customerEmail: "jane@example.com", tags: [], comments })
      const envelope = flat("conv-six", "m-1", comments[0]!.text)
      expectSuccess(yield* Effect.exit(processRecord(recordOf(envelope))))
      const record = yield* eventFor(envelope.event_id)
      expect(record?.outcome).toBe("handed-over")
      expect(record?.messages).toEqual(["m-1", "m-2", "m-3", "m-4", "m-5", "m-6"])
      expect(decisionOf(record).tier0_hits).toContain("chargeback_dispute")
      expect(decisionOf(record).tags).toEqual(expect.arrayContaining(["mw-needs-human", "route-chargebacks-disputes-team"]))
      expect(repliesIn(yield* richpanelCalls)).toEqual([])

      // The later webhooks of the burst find their messages decided: one classification in all.
      const later = flat("conv-six", "m-4", comments[3]!.text)
      expectSuccess(yield* Effect.exit(processRecord(recordOf(later))))
      expect(yield* eventFor(later.event_id)).toMatchObject({ outcome: "skipped", reason: "duplicate-message" })
      expect(yield* classifierCalls).toBe(1)
    }).pipe(inMode("live")))

  it.effect("a follow-up already on the ticket is decided with the first message, and its own webhook finds it decided", () =>
    Effect.gen(function*() {
      yield* classifyAlways(RETURN)
      // The ticket as Richpanel holds it once our reply to m-1 has landed after the customer's m-2.
      yield* seedTicket({
        id: "conv-late",
        status: "OPEN",
        channelRaw: "email",
        customerEmail: "jane@example.com",
        tags: [],
        comments: [customer("m-1", RETURN_TEXT), customer("m-2", "Also, the sleeves are too short.")]
      })
      expectSuccess(yield* Effect.exit(processRecord(recordOf(flat("conv-late", "m-1", RETURN_TEXT)))))
      const second = flat("conv-late", "m-2", "Also, the sleeves are too short.")
      expectSuccess(yield* Effect.exit(processRecord(recordOf(second))))
      // m-1's event decided the burst [m-1, m-2]: m-2's webhook finds it decided.
      expect((yield* eventFor(flat("conv-late", "m-1", RETURN_TEXT).event_id))?.messages).toEqual(["m-1", "m-2"])
      expect(yield* eventFor(second.event_id)).toMatchObject({ outcome: "skipped", reason: "duplicate-message" })
      expect(repliesIn(yield* richpanelCalls)).toHaveLength(1)
    }).pipe(inMode("live")))
})

describe("Worker: a ticket reopened after the idempotency records expired (30 days)", () => {
  it.effect("the month-old message, answered then, is history: only the new one is decided", () =>
    Effect.gen(function*() {
      yield* classifyAlways(RETURN)
      const at = (ms: number) => new Date(ms).toISOString()
      const first = { ...customer("m-1", RETURN_TEXT), createdAt: at(0) }
      yield* seedTicket({ id: "conv-old", status: "OPEN", channelRaw: "email", customerEmail: "jane@example.com", tags: [], comments: [first] })
      expectSuccess(yield* Effect.exit(processRecord(recordOf(flat("conv-old", "m-1", RETURN_TEXT)))))
      expect(repliesIn(yield* richpanelCalls)).toHaveLength(1)

      yield* TestClock.adjust("31 days")
      const now = (yield* ticketNow("conv-old"))!
      const thanks = "Hello again, the new jacket arrived today, thanks."
      yield* seedTicket({ ...now, comments: [...now.comments, { ...customer("m-2", thanks), createdAt: at(31 * 86_400_000) }] })
      const second = flat("conv-old", "m-2", thanks)
      expectSuccess(yield* Effect.exit(processRecord(recordOf(second))))
      expect((yield* eventFor(second.event_id))?.messages).toEqual(["m-2"])
      const inputs = yield* Effect.flatMap(ScriptedClassifier, (c) => Ref.get(c.inputs))
      expect(inputs.at(-1)?.text).not.toContain("return the jacket")
    }).pipe(inMode("live")))
})

describe("Worker: a reply whose outcome is unknown is never sent again", () => {
  it.effect("an earlier attempt claimed the reply and died; the ticket does not show it: a human checks, no second send", () =>
    Effect.gen(function*() {
      yield* classifyAlways(RETURN)
      const envelope = flat("conv-unknown", "m-1", RETURN_TEXT)
      // What a crashed attempt leaves behind: the message and reply claims in progress, their leases run out.
      const store = yield* IdempotencyStore
      yield* store.claim("msg#conv-unknown#m-1", { leaseMs: 1_000, ttlSeconds: 3_600 })
      yield* store.claim("reply#conv-unknown#m-1", { leaseMs: 1_000, ttlSeconds: 3_600 })
      yield* TestClock.adjust("3 minutes")
      expectSuccess(yield* Effect.exit(processRecord(recordOf(envelope, { receiveCount: 2 }))))
      const calls = yield* richpanelCalls
      expect(repliesIn(calls)).toEqual([])
      expect(appliedWrites(calls).some((c) => c.method === "addTags" && (c.tags ?? []).includes("mw-needs-human"))).toBe(true)
      const record = yield* eventFor(envelope.event_id)
      expect(record?.outcome).toBe("handed-over")
      expect(record?.actions).toEqual(expect.arrayContaining([expect.objectContaining({ type: "reply", status: "rejected", reason: "reply-outcome-unknown" })]))
    }).pipe(inMode("live")))
})

describe("Worker: the kill switch is asked again as each write leaves", () => {
  // Richpanel's budget is spent: the reply waits for the limiter, and the switch is pulled meanwhile.
  const tightLimiter = RateLimiterMemory.layer({
    richpanel: { limit: 2, intervalMs: 12_000 },
    openai: { limit: 10_000, intervalMs: 60_000, capacity: 10_000 },
    shopify: { limit: 10_000, intervalMs: 1_000, capacity: 10_000 }
  })

  it.effect("a reply queued on the limiter before `rp-mw kill` does not go out after it", () =>
    Effect.gen(function*() {
      yield* classifyAlways(RETURN)
      const table = yield* ModeSwitchMemory.OverrideTable
      const envelope = flat("conv-kill", "m-1", RETURN_TEXT)
      const running = yield* Effect.fork(processRecord(recordOf(envelope)))
      // The read and the tags take both tokens; the reply waits 12 s for the window to move.
      yield* TestClock.adjust("1 second")
      yield* Ref.set(table.override, Option.some({ mode: "route-only", reason: "test", set_by: "test", set_at: "now" }))
      yield* TestClock.adjust("40 seconds")
      expectSuccess(yield* Fiber.await(running))
      expect(repliesIn(yield* richpanelCalls)).toEqual([])
      const record = yield* eventFor(envelope.event_id)
      expect(record?.actions).toEqual(expect.arrayContaining([expect.objectContaining({ type: "reply", status: "shadow", reason: "mode:route-only" })]))
    }).pipe(
      Effect.provide(tightLimiter),
      inMode("live")
    ))
})

describe("Worker: a ticket Richpanel will not let us read, announced by a payload naming no message", () => {
  it.effect("after its tries it is handed to a human (fallback team, mw-needs-human, a note), never left silent", () =>
    Effect.gen(function*() {
      yield* classifyAlways(RETURN)
      yield* injectRichpanel({ method: "loadTicket", error: new RichpanelInvalid({ reason: "response body is not JSON", status: 200 }), times: "always" })
      const envelope = envelopeOf({ ticket_id: "conv-unread" })
      yield* seedTicket({ id: "conv-unread", status: "OPEN", channelRaw: "email", tags: [], comments: [customer("m-1", RETURN_TEXT)] })
      for (const receiveCount of [1, 2]) {
        expect(Exit.isFailure(yield* withClock(processRecord(recordOf(envelope, { messageId: "q-u", receiveCount }))))).toBe(true)
      }
      expectSuccess(yield* withClock(processRecord(recordOf(envelope, { messageId: "q-u", receiveCount: 3 }))))
      expect(yield* eventFor(envelope.event_id)).toMatchObject({ outcome: "handed-over", reason: "ticket-unreadable" })
      const tags = appliedWrites(yield* richpanelCalls).filter((c) => c.method === "addTags").flatMap((c) => c.tags ?? [])
      expect(tags).toEqual(["route-email-support-team", "mw-routed", "mw-needs-human"])
      expect(yield* classifierCalls).toBe(0)
    }).pipe(inMode("live")))
})
