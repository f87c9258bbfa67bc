import { describe, expect, it } from "@effect/vitest"
import type { SQSEvent, SQSRecord } from "aws-lambda"
import { Cause, Effect, Exit, Fiber, Option, Ref, Runtime, TestClock } from "effect"
import type { Mode } from "../../src/services/AppConfig.js"
import * as ModeSwitchMemory from "../../src/layers/ModeSwitchMemory.js"
import { workerHandler, type WorkerServices } from "../../src/lambda/workerHandler.js"
import { processFifoBatch } from "../../src/programs/Batch.js"
import { outageBackoffSeconds, processRecord } from "../../src/programs/worker/Worker.js"
import { ClassifierRefused, ClassifierTransient } from "../../src/services/Classifier.js"
import { MODE_CACHE_MS } from "../../src/services/ModeSwitch.js"
import { RichpanelRateLimited, RichpanelTransient } from "../../src/services/Richpanel.js"
import {
  appliedWrites,
  BOT_AUTHOR_ID,
  classifierCalls,
  classifyAlways,
  decisionOf,
  envelopeOf,
  eventFor,
  events,
  expectSuccess,
  flat,
  injectRichpanel,
  output,
  recordOf,
  renderedReply,
  repliesIn,
  richpanelCalls,
  seedTicket,
  ticketNow,
  visibilityChanges,
  withClock,
  inMode,
  RETURN_TEXT
} from "../support/workerFakes.js"

const RETURN = output("return_request", 0.95)
const RETURN_TEMPLATE = "t_return_request_intake"
const RETURN_REPLY = renderedReply(RETURN_TEMPLATE)

const failureOf = <A, E>(exit: Exit.Exit<A, E>): E => {
  if (Exit.isSuccess(exit)) throw new Error("expected the record to fail")
  const failure = Cause.failureOption(exit.cause)
  if (Option.isNone(failure)) throw new Error(`expected a typed failure, got ${Cause.pretty(exit.cause)}`)
  return failure.value
}

describe("Worker: at most one reply per customer message (DESIGN §4.2)", () => {
  it.effect("the same event delivered twice: one reply, one classification, one decision record", () =>
    Effect.gen(function*() {
      yield* classifyAlways(RETURN)
      const envelope = flat("conv-a", "m-1", RETURN_TEXT)
      expectSuccess(yield* Effect.exit(processRecord(recordOf(envelope, { messageId: "q-1" }))))
      // The delete was lost: SQS hands the same message out again.
      expectSuccess(yield* Effect.exit(processRecord(recordOf(envelope, { messageId: "q-1", receiveCount: 2 }))))

      expect(repliesIn(yield* richpanelCalls)).toHaveLength(1)
      expect(yield* classifierCalls).toBe(1)
      expect((yield* events).filter((e) => e.event_id === envelope.event_id)).toHaveLength(1)
    }).pipe(inMode("live")))

  it.effect("the redelivered event keeps its first decision (automated), not a later skip", () =>
    Effect.gen(function*() {
      yield* classifyAlways(RETURN)
      const envelope = flat("conv-a2", "m-1", RETURN_TEXT)
      expectSuccess(yield* Effect.exit(processRecord(recordOf(envelope, { messageId: "q-1" }))))
      expect((yield* eventFor(envelope.event_id))?.outcome).toBe("automated")
      yield* TestClock.adjust("1 minute")
      expectSuccess(yield* Effect.exit(processRecord(recordOf(envelope, { messageId: "q-1", receiveCount: 2 }))))
      const record = yield* eventFor(envelope.event_id)
      expect(record?.outcome).toBe("automated")
      expect(decisionOf(record).reply).toBe(RETURN_TEMPLATE)
    }).pipe(inMode("live")))

  it.effect("the same event on two workers at once: one reply; the loser waits and later finds it done", () =>
    Effect.gen(function*() {
      yield* classifyAlways(RETURN)
      const envelope = flat("conv-par", "m-1", RETURN_TEXT)
      const exits = yield* Effect.all(
        [Effect.exit(processRecord(recordOf(envelope, { messageId: "q-p" }))), Effect.exit(processRecord(recordOf(envelope, { messageId: "q-p" })))],
        { concurrency: 2 }
      )
      expect(exits.filter(Exit.isSuccess)).toHaveLength(1)
      for (const exit of exits.filter(Exit.isFailure)) expect(failureOf(exit)._tag).toBe("MessageInProgress")
      yield* TestClock.adjust("3 minutes")
      expectSuccess(yield* Effect.exit(processRecord(recordOf(envelope, { messageId: "q-p", receiveCount: 2 }))))
      expect(repliesIn(yield* richpanelCalls)).toHaveLength(1)
    }).pipe(inMode("live")))

  it.effect("the same customer comment under a second event id (a payload with only the ticket id): no second reply", () =>
    Effect.gen(function*() {
      yield* classifyAlways(RETURN)
      const first = flat("conv-b", "c-1", RETURN_TEXT)
      const second = envelopeOf({ ticket_id: "conv-b" })
      expect(second.event_id).not.toBe(first.event_id)
      expectSuccess(yield* Effect.exit(processRecord(recordOf(first))))
      // A payload naming no message may have met a lagging read: it looks once more, seconds later, before concluding.
      expect(failureOf(yield* Effect.exit(processRecord(recordOf(second, { messageId: "q-b2" })))))
        .toMatchObject({ _tag: "TicketNotReady" })
      expect((yield* visibilityChanges).at(-1)).toEqual({ receiptHandle: "rh-q-b2-1", delaySeconds: 10 })
      expectSuccess(yield* Effect.exit(processRecord(recordOf(second, { messageId: "q-b2", receiveCount: 2 }))))

      expect(repliesIn(yield* richpanelCalls)).toHaveLength(1)
      expect((yield* eventFor(first.event_id))?.outcome).toBe("automated")
      expect((yield* eventFor(second.event_id))?.outcome).toBe("skipped")
      expect(yield* classifierCalls).toBe(1)
    }).pipe(inMode("live")))

  it.effect("route-only: the second event id for an already processed comment is skipped as duplicate-message", () =>
    Effect.gen(function*() {
      yield* classifyAlways(RETURN)
      const first = flat("conv-dup", "c-1", RETURN_TEXT)
      const second = envelopeOf({ ticket_id: "conv-dup" })
      expectSuccess(yield* Effect.exit(processRecord(recordOf(first))))
      expect(Exit.isFailure(yield* Effect.exit(processRecord(recordOf(second))))).toBe(true)
      expectSuccess(yield* Effect.exit(processRecord(recordOf(second, { receiveCount: 2 }))))
      expect(yield* eventFor(second.event_id)).toMatchObject({ outcome: "skipped", reason: "duplicate-message" })
      expect(appliedWrites(yield* richpanelCalls).filter((c) => c.method === "addTags")).toHaveLength(1)
      expect(yield* classifierCalls).toBe(1)
    }).pipe(inMode("route-only")))

  it.effect("a crash right after the reply was applied: the retry re-reads the ticket and sends no second reply", () =>
    Effect.gen(function*() {
      yield* classifyAlways(RETURN)
      yield* injectRichpanel({ method: "sendReply", kind: "crash" })
      const envelope = flat("conv-crash", "m-1", RETURN_TEXT)
      const crashed = yield* Effect.exit(processRecord(recordOf(envelope, { messageId: "q-c" })))
      expect(Exit.isFailure(crashed) && Cause.isDie(crashed.cause)).toBe(true)
      expect(repliesIn(yield* richpanelCalls)).toHaveLength(1)

      // The message comes back once the claims' lease (2 min) has run out.
      yield* TestClock.adjust("3 minutes")
      const retried = yield* withClock(processRecord(recordOf(envelope, { messageId: "q-c", receiveCount: 2 })))
      expectSuccess(retried)
      const calls = yield* richpanelCalls
      expect(repliesIn(calls)).toHaveLength(1)
      expect(calls.filter((c) => c.method === "loadTicket")).toHaveLength(2)
      // A terminal outcome, not a dead letter: the message is finished.
      expect(["automated", "skipped"]).toContain((yield* eventFor(envelope.event_id))?.outcome)
    }).pipe(inMode("live")))

  it.effect("a lost answer to the reply (applied, then 5xx): exactly one reply after the retries", () =>
    Effect.gen(function*() {
      yield* classifyAlways(RETURN)
      yield* injectRichpanel({ method: "sendReply", kind: "lost", error: new RichpanelTransient({ reason: "502 after write", status: 502 }) })
      const envelope = flat("conv-lost", "m-1", RETURN_TEXT)
      const first = yield* withClock(processRecord(recordOf(envelope, { messageId: "q-l" })))
      if (Exit.isFailure(first)) {
        yield* TestClock.adjust("3 minutes")
        yield* withClock(processRecord(recordOf(envelope, { messageId: "q-l", receiveCount: 2 })))
      }
      expect(repliesIn(yield* richpanelCalls)).toHaveLength(1)
    }).pipe(inMode("live")))

  it.effect("a reply lost to a crash still counts toward the 10-minute limit", () =>
    Effect.gen(function*() {
      yield* classifyAlways(RETURN)
      yield* injectRichpanel({ method: "sendReply", kind: "crash" })
      yield* Effect.exit(processRecord(recordOf(flat("conv-count", "m-1", RETURN_TEXT))))
      yield* TestClock.adjust("1 minute")
      yield* Effect.exit(processRecord(recordOf(flat("conv-count", "m-2", "Also, can I return the scarf too?"))))
      expect(repliesIn(yield* richpanelCalls, "conv-count")).toHaveLength(1)
    }).pipe(inMode("live")))
})

describe("Worker: modes (DESIGN §4.7)", () => {
  it.effect("shadow: zero Richpanel writes; the decision is recorded with would_reply", () =>
    Effect.gen(function*() {
      yield* classifyAlways(RETURN)
      const confident = flat("conv-s1", "m-1", RETURN_TEXT)
      const tier0 = flat("conv-s2", "m-1", "I am filing a chargeback with my bank today.")
      expectSuccess(yield* Effect.exit(processRecord(recordOf(confident))))
      expectSuccess(yield* Effect.exit(processRecord(recordOf(tier0))))

      const calls = yield* richpanelCalls
      expect(calls.filter((c) => c.method !== "loadTicket")).toEqual([])
      const decision = decisionOf(yield* eventFor(confident.event_id))
      expect(decision).toMatchObject({ mode: "shadow", would_reply: RETURN_TEMPLATE, reply: null })
      expect(decision.reasons).toContain("mode:shadow")
      expect(decision.tags).toContain("route-returns-admin")
      expect(yield* eventFor(tier0.event_id)).toMatchObject({ outcome: "handed-over" })
    }).pipe(inMode("shadow")))

  it.effect("route-only: tags and notes are written, never a reply", () =>
    Effect.gen(function*() {
      yield* classifyAlways(RETURN)
      const confident = flat("conv-r1", "m-1", RETURN_TEXT)
      const tier0 = flat("conv-r2", "m-1", "I am filing a chargeback with my bank today.")
      expectSuccess(yield* Effect.exit(processRecord(recordOf(confident))))
      expectSuccess(yield* Effect.exit(processRecord(recordOf(tier0))))

      const calls = yield* richpanelCalls
      expect(repliesIn(calls)).toEqual([])
      expect((yield* ticketNow("conv-r1"))?.tags).toEqual(["route-returns-admin", "mw-intent-return_request", "mw-routed"])
      const decision = decisionOf(yield* eventFor(confident.event_id))
      expect(decision).toMatchObject({ mode: "route-only", would_reply: RETURN_TEMPLATE, reply: null })
      expect(decision.reasons).toContain("mode:route-only")
      const notes = appliedWrites(calls, "conv-r2").filter((c) => c.method === "addInternalNote")
      expect(notes).toHaveLength(1)
      expect(notes[0]?.body?.startsWith("[rp-mw]")).toBe(true)
      expect((yield* ticketNow("conv-r2"))?.tags).toContain("mw-needs-human")
    }).pipe(inMode("route-only")))
})

describe("Worker: live replies and limits", () => {
  it.effect("a confident Tier 1 intent on email: one reply with the template text, then mw-auto-replied; a second message within 10 min gets none", () =>
    Effect.gen(function*() {
      yield* classifyAlways(RETURN)
      const first = flat("conv-e", "m-1", RETURN_TEXT)
      expectSuccess(yield* Effect.exit(processRecord(recordOf(first))))

      const calls = yield* richpanelCalls
      expect(calls.map((c) => c.method)).toEqual(["loadTicket", "addTags", "sendReply", "addTags"])
      expect(calls[1]?.tags).toEqual(["route-returns-admin", "mw-intent-return_request", "mw-routed"])
      expect(calls[2]?.body).toBe(RETURN_REPLY)
      expect(calls[3]?.tags).toEqual(["mw-auto-replied"])
      expect(yield* eventFor(first.event_id)).toMatchObject({ outcome: "automated" })
      const visible = (yield* ticketNow("conv-e"))?.comments.filter((c) => c.isOperator && !c.isPrivate)
      expect(visible).toEqual([expect.objectContaining({ authorId: BOT_AUTHOR_ID, text: RETURN_REPLY })])

      yield* TestClock.adjust("5 minutes")
      const second = flat("conv-e", "m-2", "And can I return the scarf from the same order as well?")
      expectSuccess(yield* Effect.exit(processRecord(recordOf(second))))
      expect(repliesIn(yield* richpanelCalls)).toHaveLength(1)
      const record = yield* eventFor(second.event_id)
      expect(record?.outcome).toBe("routed")
      expect(decisionOf(record).reasons).toContain("limit:interval")

      // The limit is a window, not a ban: 11 minutes after the first reply the next one may go out.
      yield* TestClock.adjust("6 minutes")
      const third = flat("conv-e", "m-3", "One more: how do I return the socks?")
      expectSuccess(yield* Effect.exit(processRecord(recordOf(third))))
      expect(repliesIn(yield* richpanelCalls)).toHaveLength(2)
    }).pipe(inMode("live")))

  it.effect("a human agent already replied in the conversation: routed, no reply", () =>
    Effect.gen(function*() {
      yield* classifyAlways(RETURN)
      yield* seedTicket({
        id: "conv-m",
        status: "OPEN",
        channelRaw: "email",
        customerEmail: "jane@example.com",
        tags: [],
        comments: [
          { id: "c-1", isOperator: false, isPrivate: false, text: "Where is my order?", attachmentCount: 0 },
          { id: "c-2", authorId: "agent-7", isOperator: true, isPrivate: false, text: "Hi Jane, checking now.", attachmentCount: 0 },
          { id: "c-3", isOperator: false, isPrivate: false, text: RETURN_TEXT, attachmentCount: 0 }
        ]
      })
      const envelope = flat("conv-m", "c-3", RETURN_TEXT)
      expectSuccess(yield* Effect.exit(processRecord(recordOf(envelope))))
      expect(repliesIn(yield* richpanelCalls)).toEqual([])
      const record = yield* eventFor(envelope.event_id)
      expect(record?.outcome).toBe("routed")
      expect(decisionOf(record).reasons).toContain("human-replied")
      expect((yield* ticketNow("conv-m"))?.tags).toContain("route-returns-admin")
    }).pipe(inMode("live")))
})

describe("Worker: Tier 0 is never answered", () => {
  it.effect("a chargeback keyword with a 0.99 benign model answer: no reply, mw-needs-human and the disputes team's tag", () =>
    Effect.gen(function*() {
      yield* classifyAlways(output("return_request", 0.99))
      const envelope = flat("conv-f1", "m-1", "I never got my money back so I am filing a chargeback with my bank today.")
      expectSuccess(yield* Effect.exit(processRecord(recordOf(envelope))))
      expect(repliesIn(yield* richpanelCalls)).toEqual([])
      const tags = (yield* ticketNow("conv-f1"))?.tags
      expect(tags).toEqual(expect.arrayContaining(["mw-needs-human", "route-chargebacks-disputes-team", "mw-intent-chargeback_dispute"]))
      expect(tags).not.toContain("mw-auto-replied")
      const record = yield* eventFor(envelope.event_id)
      expect(record?.outcome).toBe("handed-over")
      expect(decisionOf(record).reasons).toContain("tier0:chargeback_dispute")
    }).pipe(inMode("live")))

  it.effect("a P0 risk flag on an otherwise confident benign answer: no reply, the fraud team's route tag", () =>
    Effect.gen(function*() {
      yield* classifyAlways(output("billing_issue", 0.99, { risk_flags: ["FRAUD_SUSPECTED"] }))
      const envelope = flat("conv-f2", "m-1", "Please send me the invoice for my last purchase.")
      expectSuccess(yield* Effect.exit(processRecord(recordOf(envelope))))
      expect(repliesIn(yield* richpanelCalls)).toEqual([])
      expect((yield* ticketNow("conv-f2"))?.tags).toEqual(expect.arrayContaining(["mw-needs-human", "route-leadership-team"]))
      expect(decisionOf(yield* eventFor(envelope.event_id)).reasons).toContain("tier0:fraud_suspected")
    }).pipe(inMode("live")))
})

describe("Worker: classifier failures hand over (DESIGN §4.6)", () => {
  it.effect("an outage (ClassifierTransient every time): retried, then mw-model-failure + mw-needs-human + a note, no reply", () =>
    Effect.gen(function*() {
      yield* classifyAlways(new ClassifierTransient({ reason: "503", status: 503 }))
      const envelope = flat("conv-g1", "m-1", RETURN_TEXT)
      const exit = yield* withClock(processRecord(recordOf(envelope)))
      expectSuccess(exit)
      expect(yield* classifierCalls).toBe(4)
      const calls = yield* richpanelCalls
      expect(repliesIn(calls)).toEqual([])
      expect(appliedWrites(calls).filter((c) => c.method === "addInternalNote")).toHaveLength(1)
      expect((yield* ticketNow("conv-g1"))?.tags).toEqual(expect.arrayContaining(["mw-model-failure", "mw-needs-human"]))
      const record = yield* eventFor(envelope.event_id)
      expect(record?.outcome).toBe("handed-over")
      expect(decisionOf(record).classifier.failure).toBe("ClassifierTransient")
      // The rules classifier's guess is kept for the agent, but routing stays the fail-closed fallback.
      expect(decisionOf(record).classifier.rules_guess).toMatchObject({ intent: "return_request" })
      expect(decisionOf(record).team).toBe("Email Support Team")
    }).pipe(inMode("live")))

  it.effect("the classifier's retries wait on the clock: nothing is decided before the backoff has passed", () =>
    Effect.gen(function*() {
      yield* classifyAlways(new ClassifierTransient({ reason: "503", status: 503 }))
      const fiber = yield* Effect.fork(processRecord(recordOf(flat("conv-g2", "m-1", RETURN_TEXT))))
      yield* TestClock.adjust("100 millis")
      expect(yield* classifierCalls).toBe(1)
      expect(Option.isNone(yield* Fiber.poll(fiber))).toBe(true)
      yield* TestClock.adjust("5 seconds")
      expectSuccess(yield* Fiber.await(fiber))
      expect(yield* classifierCalls).toBe(4)
    }).pipe(inMode("live")))

  it.effect("a refusal: handed over the same way, without retries", () =>
    Effect.gen(function*() {
      yield* classifyAlways(new ClassifierRefused({ refusal: "I can't help with that." }))
      const envelope = flat("conv-g3", "m-1", RETURN_TEXT)
      expectSuccess(yield* withClock(processRecord(recordOf(envelope))))
      expect(yield* classifierCalls).toBe(1)
      const calls = yield* richpanelCalls
      expect(repliesIn(calls)).toEqual([])
      expect(appliedWrites(calls).filter((c) => c.method === "addInternalNote")).toHaveLength(1)
      expect((yield* ticketNow("conv-g3"))?.tags).toEqual(expect.arrayContaining(["mw-model-failure", "mw-needs-human"]))
      expect(decisionOf(yield* eventFor(envelope.event_id)).classifier.failure).toBe("ClassifierRefused")
    }).pipe(inMode("live")))
})

describe("Worker: Richpanel outages wait on the queue (DESIGN §4.5)", () => {
  it.effect("every call fails: WaitForDependency, visibility backoff by receive count, dead-lettered note on the last receive", () =>
    Effect.gen(function*() {
      yield* classifyAlways(RETURN)
      yield* injectRichpanel({ times: "always", error: new RichpanelTransient({ reason: "502", status: 502 }) })
      const envelope = flat("conv-h", "m-1", RETURN_TEXT)

      const first = yield* withClock(processRecord(recordOf(envelope, { messageId: "q-h", receiveCount: 1 })))
      expect(failureOf(first)).toMatchObject({ _tag: "WaitForDependency", dependency: "richpanel" })
      expect(yield* visibilityChanges).toEqual([{ receiptHandle: "rh-q-h-1", delaySeconds: outageBackoffSeconds(1) }])
      expect(outageBackoffSeconds(1)).toBe(300)
      expect(yield* events).toEqual([])

      const third = yield* withClock(processRecord(recordOf(envelope, { messageId: "q-h", receiveCount: 3 })))
      expect(failureOf(third)._tag).toBe("WaitForDependency")
      expect((yield* visibilityChanges).at(-1)).toEqual({ receiptHandle: "rh-q-h-3", delaySeconds: outageBackoffSeconds(3) })
      expect(outageBackoffSeconds(3)).toBe(2_700)
      expect(yield* events).toEqual([])

      const last = yield* withClock(processRecord(recordOf(envelope, { messageId: "q-h", receiveCount: 5 })))
      expect(failureOf(last)._tag).toBe("WaitForDependency")
      const record = yield* eventFor(envelope.event_id)
      expect(record).toMatchObject({ outcome: "dead-lettered", status: "failed" })
      expect(record?.reason).toMatch(/WaitForDependency/)
      expect(appliedWrites(yield* richpanelCalls)).toEqual([])
      expect(yield* classifierCalls).toBe(0)
    }).pipe(inMode("live")))

  it.effect("Retry-After is honoured: after a 429 with retryAfterMs 2000 the call is repeated only once 2 s have passed", () =>
    Effect.gen(function*() {
      yield* classifyAlways(RETURN)
      yield* injectRichpanel({ method: "loadTicket", error: new RichpanelRateLimited({ retryAfterMs: 2_000 }) })
      const fiber = yield* Effect.fork(processRecord(recordOf(flat("conv-i", "m-1", RETURN_TEXT))))
      yield* TestClock.adjust("1999 millis")
      const early = (yield* richpanelCalls).filter((c) => c.method === "loadTicket")
      expect(early).toHaveLength(1)
      expect(Option.isNone(yield* Fiber.poll(fiber))).toBe(true)

      yield* TestClock.adjust("3 seconds")
      expectSuccess(yield* Fiber.await(fiber))
      const loads = (yield* richpanelCalls).filter((c) => c.method === "loadTicket")
      expect(loads).toHaveLength(2)
      expect((loads[1]?.at ?? 0) - (loads[0]?.at ?? 0)).toBeGreaterThanOrEqual(2_000)
      expect(repliesIn(yield* richpanelCalls)).toHaveLength(1)
    }).pipe(inMode("live")))
})

describe("Worker: FIFO batches skip only the failing conversation (DESIGN §4.3)", () => {
  it.effect("processFifoBatch: A's first message waits on an outage, A's next is not processed, B's both are", () =>
    Effect.gen(function*() {
      yield* classifyAlways(RETURN)
      yield* injectRichpanel({ ticketId: "conv-A", times: "always", error: new RichpanelTransient({ reason: "503" }) })
      const a1 = recordOf(flat("conv-A", "m-1", RETURN_TEXT), { messageId: "a1" })
      const b1 = recordOf(flat("conv-B", "m-1", RETURN_TEXT), { messageId: "b1" })
      const a2 = recordOf(flat("conv-A", "m-2", "Also the scarf, please."), { messageId: "a2" })
      const b2 = recordOf(flat("conv-B", "m-2", "Also the scarf, please."), { messageId: "b2" })

      const result = expectSuccess(yield* withClock(processFifoBatch([a1, b1, a2, b2], processRecord), "20 seconds"))
      expect(result.batchItemFailures).toEqual([{ itemIdentifier: "a1" }, { itemIdentifier: "a2" }])

      const calls = yield* richpanelCalls
      const firstB = calls.findIndex((c) => c.ticketId === "conv-B")
      expect(firstB).toBeGreaterThan(0)
      // Every call for conversation A came before B was started: A's second message was never touched.
      expect(calls.slice(firstB).some((c) => c.ticketId === "conv-A")).toBe(false)
      const outcomes = (yield* events).map((e) => e.event_id).sort()
      expect(outcomes).toEqual(["evt:rp:conv-B:m-1", "evt:rp:conv-B:m-2"])
      expect(yield* visibilityChanges).toEqual([{ receiptHandle: a1.receiptHandle, delaySeconds: 300 }])
    }).pipe(inMode("live")))

  it.effect("workerHandler maps an SQS batch and reports the same partial failures", () =>
    Effect.gen(function*() {
      yield* classifyAlways(RETURN)
      yield* injectRichpanel({ ticketId: "conv-A", times: "always", error: new RichpanelTransient({ reason: "503" }) })
      const sqs = (messageId: string, body: string, group: string, receiveCount: number): SQSRecord => ({
        messageId,
        receiptHandle: `rh-${messageId}`,
        body,
        attributes: {
          ApproximateReceiveCount: String(receiveCount),
          SentTimestamp: "0",
          SenderId: "test",
          ApproximateFirstReceiveTimestamp: "0",
          MessageGroupId: group
        },
        messageAttributes: {},
        md5OfBody: "",
        eventSource: "aws:sqs",
        eventSourceARN: "arn:aws:sqs:eu-west-1:000000000000:rp-mw-events.fifo",
        awsRegion: "eu-west-1"
      })
      const event: SQSEvent = {
        Records: [
          sqs("a1", JSON.stringify(flat("conv-A", "m-1", RETURN_TEXT)), "conv-A", 2),
          sqs("b1", JSON.stringify(flat("conv-B", "m-1", RETURN_TEXT)), "conv-B", 1),
          sqs("a2", JSON.stringify(flat("conv-A", "m-2", "And the scarf.")), "conv-A", 1)
        ]
      }
      const runtime = yield* Effect.runtime<WorkerServices>()
      const handler = workerHandler({ runPromise: Runtime.runPromise(runtime) })
      const result = expectSuccess(yield* withClock(Effect.promise(() => handler(event)), "20 seconds"))
      expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: "a1" }, { itemIdentifier: "a2" }] })
      // The receive count comes from ApproximateReceiveCount: the second receive waits 15 minutes.
      expect(yield* visibilityChanges).toEqual([{ receiptHandle: "rh-a1", delaySeconds: outageBackoffSeconds(2) }])
      expect(repliesIn(yield* richpanelCalls, "conv-B")).toHaveLength(1)
    }).pipe(inMode("live")))
})

describe("Worker: kill switch (DESIGN §3, §4.7)", () => {
  it.effect("an override to shadow set behind a live worker's back stops all writes within 10 s", () =>
    Effect.gen(function*() {
      yield* classifyAlways(RETURN)
      const table = yield* ModeSwitchMemory.OverrideTable
      expectSuccess(yield* Effect.exit(processRecord(recordOf(flat("conv-k0", "m-1", RETURN_TEXT)))))
      expect(repliesIn(yield* richpanelCalls)).toHaveLength(1)

      yield* TestClock.adjust("3 seconds")
      const switchedAt = 3_000
      yield* Ref.set(table.override, Option.some({ mode: "shadow" as const, reason: "bad replies", set_by: "ops", set_at: "t" }))

      const seen: Array<{ readonly at: number; readonly mode: Mode; readonly writes: number }> = []
      for (let i = 1; i <= 13; i++) {
        const conversation = `conv-k${i}`
        const envelope = flat(conversation, "m-1", RETURN_TEXT)
        expectSuccess(yield* Effect.exit(processRecord(recordOf(envelope))))
        seen.push({
          at: switchedAt + (i - 1) * 1_000,
          mode: decisionOf(yield* eventFor(envelope.event_id)).mode,
          writes: appliedWrites(yield* richpanelCalls, conversation).length
        })
        yield* TestClock.adjust("1 second")
      }
      const firstShadow = seen.findIndex((s) => s.mode === "shadow")
      expect(firstShadow).toBeGreaterThanOrEqual(0)
      expect((seen[firstShadow]?.at ?? Infinity) - switchedAt).toBeLessThanOrEqual(MODE_CACHE_MS)
      // From then on, every message is decided in shadow and writes nothing.
      for (const s of seen.slice(firstShadow)) expect(s).toMatchObject({ mode: "shadow", writes: 0 })
      // Before it, the cached mode may still have been used: only live is possible, never anything else.
      for (const s of seen.slice(0, firstShadow)) expect(s.mode).toBe("live")
    }).pipe(inMode("live")))
})

describe("Worker: messages it must not act on (DESIGN §4.9)", () => {
  const cases: ReadonlyArray<{ readonly name: string; readonly reason: string; readonly conversation: string; readonly payload: Record<string, unknown> }> = [
    { name: "an operator's message", reason: "operator-message", conversation: "conv-l1", payload: { text: "Hi Jane, your parcel left today.", is_operator: true, author_id: "agent-7" } },
    { name: "our own note", reason: "own-note", conversation: "conv-l2", payload: { text: "[rp-mw] Needs a human: the assistant will not answer this message.", is_operator: true, author_id: BOT_AUTHOR_ID } },
    { name: "an auto-reply", reason: "auto-reply", conversation: "conv-l3", payload: { text: "Automatic reply: I am out of the office until Monday." } },
    { name: "a no-reply sender", reason: "no-reply-sender", conversation: "conv-l4", payload: { text: RETURN_TEXT, customer_email: "no-reply@shop.example" } }
  ]
  for (const c of cases) {
    it.effect(`${c.name}: skipped with reason ${c.reason}, no writes, no classification`, () =>
      Effect.gen(function*() {
        yield* classifyAlways(RETURN)
        const envelope = envelopeOf({ conversation_id: c.conversation, message_id: "m-1", channel: "email", customer_email: "jane@example.com", ...c.payload })
        expectSuccess(yield* Effect.exit(processRecord(recordOf(envelope))))
        expect(yield* eventFor(envelope.event_id)).toMatchObject({ outcome: "skipped", reason: c.reason })
        expect(appliedWrites(yield* richpanelCalls)).toEqual([])
        expect(yield* classifierCalls).toBe(0)
      }).pipe(inMode("live")))
  }

  it.effect("a customer who starts a message with our note marker is still a customer: classified and routed", () =>
    Effect.gen(function*() {
      yield* classifyAlways(RETURN)
      const envelope = envelopeOf({ conversation_id: "conv-l6", message_id: "m-1", channel: "email", customer_email: "jane@example.com", text: `[rp-mw] ${RETURN_TEXT}` })
      expectSuccess(yield* Effect.exit(processRecord(recordOf(envelope))))
      expect(yield* eventFor(envelope.event_id)).toMatchObject({ outcome: "automated", messages: ["m-1"] })
      expect(yield* classifierCalls).toBe(1)
    }).pipe(inMode("live")))

  it.effect("a closed ticket: skipped with reason ticket-closed, no writes", () =>
    Effect.gen(function*() {
      yield* classifyAlways(RETURN)
      yield* seedTicket({
        id: "conv-l5",
        status: "CLOSED",
        channelRaw: "email",
        customerEmail: "jane@example.com",
        tags: [],
        comments: [{ id: "m-1", isOperator: false, isPrivate: false, text: RETURN_TEXT, attachmentCount: 0 }]
      })
      const envelope = flat("conv-l5", "m-1", RETURN_TEXT)
      expectSuccess(yield* Effect.exit(processRecord(recordOf(envelope))))
      expect(yield* eventFor(envelope.event_id)).toMatchObject({ outcome: "skipped", reason: "ticket-closed" })
      expect(appliedWrites(yield* richpanelCalls)).toEqual([])
      expect(yield* classifierCalls).toBe(0)
    }).pipe(inMode("live")))
})

describe("Worker: undecodable queue bodies", () => {
  for (const [name, body] of [["not JSON", "{ not json"], ["JSON that is not an envelope", JSON.stringify({ hello: 1 })]] as const) {
    it.effect(`${name}: recorded dead-lettered and made visible at once`, () =>
      Effect.gen(function*() {
        const record = recordOf(body, { messageId: "q-bad", groupId: "conv-n" })
        const exit = yield* Effect.exit(processRecord(record))
        expect(failureOf(exit)._tag).toBe("UndecodableMessage")
        const logged = yield* eventFor("sqs:q-bad")
        expect(logged).toMatchObject({ outcome: "dead-lettered", conversation_id: "conv-n", status: "failed" })
        expect(logged?.reason).toMatch(/^undecodable/)
        expect(yield* visibilityChanges).toEqual([{ receiptHandle: record.receiptHandle, delaySeconds: 0 }])
        expect(yield* richpanelCalls).toEqual([])
      }).pipe(inMode("live")))
  }
})
