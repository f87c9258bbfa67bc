import { describe, expect, it } from "@effect/vitest"
import { Effect, Exit, Layer, Ref, TestClock } from "effect"
import { processRecord } from "../../src/programs/worker/Worker.js"
import { Classifier } from "../../src/services/Classifier.js"
import { Richpanel, RichpanelInvalid, RichpanelTransient, type Ticket } from "../../src/services/Richpanel.js"
import {
  classifyAlways,
  decisionOf,
  envelopeOf,
  eventFor,
  FakeRichpanelMemory,
  flat,
  injectRichpanel,
  clearRichpanelFaults,
  memoryInfra,
  output,
  recordOf,
  repliesIn,
  richpanelCalls,
  seedTicket,
  visibilityChanges,
  withClock,
  inMode,
  RETURN_TEXT
} from "../support/workerFakes.js"

/** Regression tests for defects a code review found in the worker (each failed before its fix). */
const CHARGEBACK_TEXT = "I am filing a chargeback with my bank and my lawyer will sue you."

describe("Worker review regressions", () => {
  it.effect("a burst: a Tier 0 comment followed by a benign one is never answered and goes to the disputes team", () =>
    Effect.gen(function* () {
      yield* classifyAlways(output("return_request", 0.95))
      yield* seedTicket({
        id: "conv-t0", status: "OPEN", channelRaw: "email", customerEmail: "jane@example.com", tags: [],
        comments: [
          { id: "c-1", isOperator: false, isPrivate: false, text: CHARGEBACK_TEXT, attachmentCount: 0 },
          { id: "c-2", isOperator: false, isPrivate: false, text: RETURN_TEXT, attachmentCount: 0 }
        ]
      })
      const first = flat("conv-t0", "c-1", CHARGEBACK_TEXT)
      expect(Exit.isSuccess(yield* withClock(processRecord(recordOf(first))))).toBe(true)
      expect(repliesIn(yield* richpanelCalls)).toEqual([])
      const decision = decisionOf(yield* eventFor(first.event_id))
      expect(decision.tier0_hits).toContain("chargeback_dispute")
      expect(decision.tags).toContain("route-chargebacks-disputes-team")
    }).pipe(inMode("live")))

  it.effect("a human agent who answered while the message waited (outage backoff) keeps the bot quiet after the takeover", () =>
    Effect.gen(function* () {
      yield* classifyAlways(output("return_request", 0.95))
      const envelope = flat("conv-h", "m-1", RETURN_TEXT)
      yield* injectRichpanel({ method: "addTags", error: new RichpanelTransient({ reason: "down" }), times: "always" })
      expect(Exit.isFailure(yield* withClock(processRecord(recordOf(envelope, { messageId: "q" })), "1 minute"))).toBe(true)
      yield* clearRichpanelFaults
      const fake = yield* FakeRichpanelMemory
      yield* Ref.update(fake.tickets, (tickets) => {
        const ticket = tickets.get("conv-h")!
        const agentReply = { id: "agent-1", authorId: "agent-7", isOperator: true, isPrivate: false, text: "I've started your return.", attachmentCount: 0 }
        return new Map(tickets).set("conv-h", { ...ticket, comments: [...ticket.comments, agentReply] })
      })
      yield* TestClock.adjust("5 minutes")
      yield* withClock(processRecord(recordOf(envelope, { messageId: "q", receiveCount: 2 })))
      expect(repliesIn(yield* richpanelCalls)).toEqual([])
    }).pipe(inMode("live")))

  it.effect("on its last allowed receive a message waiting for a dependency goes to the DLQ now, not hours later", () =>
    Effect.gen(function* () {
      yield* classifyAlways(output("return_request", 0.95))
      yield* injectRichpanel({ method: "loadTicket", error: new RichpanelTransient({ reason: "down" }), times: "always" })
      const envelope = flat("conv-last", "m-1", RETURN_TEXT)
      yield* withClock(processRecord(recordOf(envelope, { receiveCount: 5 })), "1 minute")
      const changes = yield* visibilityChanges
      expect(changes.at(-1)?.delaySeconds).toBe(0)
      expect((yield* eventFor(envelope.event_id))?.outcome).toBe("dead-lettered")
    }).pipe(inMode("live")))
})

describe("Worker review regressions: unreadable ticket", () => {
  // A Richpanel whose second read of the ticket is unreadable; replies show up as bot comments.
  const replies: Array<string> = []
  const comments: Array<Ticket["comments"][number]> = [
    { id: "rp-c-1", isOperator: false, isPrivate: false, text: RETURN_TEXT, attachmentCount: 0 }
  ]
  let loads = 0
  const richpanel = Layer.succeed(Richpanel, Richpanel.of({
    loadTicket: () =>
      ++loads === 2
        ? Effect.fail(new RichpanelInvalid({ reason: "response body is not JSON", status: 200 }))
        : Effect.succeed({ id: "conv-i", status: "OPEN", channelRaw: "email", customerEmail: "jane@example.com", tags: [], comments: [...comments] }),
    addTags: () => Effect.void,
    removeTags: () => Effect.void,
    addInternalNote: () => Effect.void,
    sendReply: (_id, body) =>
      Effect.sync(() => {
        replies.push(body)
        comments.push({ id: `bot-${replies.length}`, authorId: "user-bot", isOperator: true, isPrivate: false, text: body, attachmentCount: 0 })
      }),
    listTags: Effect.succeed([]),
    listUsers: Effect.succeed([])
  }))
  const classifier = Layer.succeed(Classifier, Classifier.of({
    classify: () => Effect.succeed({ output: output("return_request", 0.95), source: "openai", model: "m", promptVersion: "p" })
  }))

  it.effect("a redelivery while the ticket cannot be read is routed from the webhook but never answered again", () =>
    Effect.gen(function* () {
      const envelope = envelopeOf({ conversation_id: "conv-i", text: RETURN_TEXT, channel: "email", customer_email: "jane@example.com" })
      yield* withClock(processRecord(recordOf(envelope, { messageId: "q" })))
      expect(replies).toHaveLength(1)
      yield* TestClock.adjust("11 minutes")
      yield* withClock(processRecord(recordOf(envelope, { messageId: "q", receiveCount: 2 })))
      expect(replies).toHaveLength(1)
    }).pipe(Effect.provide(Layer.mergeAll(memoryInfra("live"), richpanel, classifier))))
})
