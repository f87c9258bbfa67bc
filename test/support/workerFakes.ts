import { Clock, Context, Effect, Either, Exit, Fiber, Layer, Option, Ref, TestClock } from "effect"
import type { Duration } from "effect"
import type { Classification, ClassifierInput, ClassifierOutput } from "../../src/domain/Classification.js"
import type { EventEnvelope } from "../../src/domain/Envelope.js"
import { normalise } from "../../src/domain/normalise.js"
import { defaultRoutingConfig } from "../../src/domain/RoutingConfig.js"
import type { IntentId } from "../../src/domain/Taxonomy.js"
import { defaultTemplates, renderTemplate } from "../../src/domain/Templates.js"
import { decodeWebhookPayload } from "../../src/domain/WebhookPayload.js"
import * as CircuitBreakerMemory from "../../src/layers/CircuitBreakerMemory.js"
import * as ConversationStoreMemory from "../../src/layers/ConversationStoreMemory.js"
import { ticketFromEnvelope } from "../../src/layers/DryRunRichpanel.js"
import * as EventLogMemory from "../../src/layers/EventLogMemory.js"
import * as IdempotencyStoreMemory from "../../src/layers/IdempotencyStoreMemory.js"
import * as ModeSwitchMemory from "../../src/layers/ModeSwitchMemory.js"
import * as SampleStoreOrderLookup from "../../src/layers/SampleStoreOrderLookup.js"
import * as RateLimiterMemory from "../../src/layers/RateLimiterMemory.js"
import type { QueueRecord } from "../../src/programs/Batch.js"
import type { Mode } from "../../src/services/AppConfig.js"
import { Classifier, type ClassifierError } from "../../src/services/Classifier.js"
import { EventLog, type EventRecord } from "../../src/services/EventLog.js"
import { QueueControl } from "../../src/services/QueueControl.js"
import {
  Richpanel,
  type RichpanelError,
  RichpanelNotFound,
  RichpanelTransient,
  type Ticket,
  type TicketComment
} from "../../src/services/Richpanel.js"
import { WorkerSettings } from "../../src/services/WorkerSettings.js"
import { appConfig } from "./fakes.js"
import * as RulesClassifier from "../../src/layers/RulesClassifier.js"

/**
 * Fast, Ref-backed fakes around the worker program: a Richpanel that keeps tickets the way Richpanel does
 * (writes append comments and tags; the comment a webhook announces is on the ticket when it is re-read),
 * a scripted classifier, a queue control that records visibility changes, and everything else in memory.
 */

export const BOT_AUTHOR_ID = "user-bot"
export const RECEIVED_AT = "2025-01-10T09:00:00.000Z"

// ---- envelopes and queue records -------------------------------------------------------------------------

/** A webhook body through the real decoder and normaliser, as ingress would enqueue it. */
export const envelopeOf = (payload: unknown, receivedAt = RECEIVED_AT): EventEnvelope =>
  normalise(
    Either.getOrThrowWith(decodeWebhookPayload(payload), (error) => new Error(`bad test payload: ${error.message}`)),
    receivedAt
  )

/** The flat shape most Richpanel rules send. */
export const flat = (
  conversation: string,
  message: string,
  text: string,
  extra: Readonly<Record<string, unknown>> = {}
): EventEnvelope =>
  envelopeOf({ conversation_id: conversation, message_id: message, text, channel: "email", customer_email: "jane@example.com", ...extra })

let sequence = 0

/** A queue message carrying the envelope as its body (what SQS / the local queue hand the worker). */
export const recordOf = (
  envelope: EventEnvelope | string,
  options: { readonly messageId?: string; readonly receiveCount?: number; readonly groupId?: string } = {}
): QueueRecord => {
  const messageId = options.messageId ?? `sqs-${++sequence}`
  return {
    messageId,
    receiptHandle: `rh-${messageId}-${options.receiveCount ?? 1}`,
    body: typeof envelope === "string" ? envelope : JSON.stringify(envelope),
    groupId: options.groupId ?? (typeof envelope === "string" ? "group-x" : envelope.conversation_id),
    receiveCount: options.receiveCount ?? 1
  }
}

// ---- Richpanel -------------------------------------------------------------------------------------------

export type RichpanelMethod = "loadTicket" | "addTags" | "removeTags" | "addInternalNote" | "sendReply"

/** One call as the fake saw it (failed ones too), with the Clock time it arrived at. */
export interface RichpanelCall {
  readonly method: RichpanelMethod
  readonly ticketId: string
  readonly at: number
  readonly tags?: ReadonlyArray<string>
  readonly body?: string
  /** The call changed the ticket. */
  readonly applied: boolean
}

/**
 * `fail`: answered with `error`, nothing changed. `lost`: the write was applied, then `error` came back (the
 * answer was lost). `crash`: the write was applied, then the process died (a defect).
 */
export interface RichpanelFault {
  readonly method?: RichpanelMethod
  readonly ticketId?: string
  readonly kind?: "fail" | "lost" | "crash"
  readonly error?: RichpanelError
  /** How many calls it hits; default 1. */
  readonly times?: number | "always"
}

export class FakeRichpanelMemory extends Context.Tag("test/FakeRichpanelMemory")<FakeRichpanelMemory, {
  readonly tickets: Ref.Ref<ReadonlyMap<string, Ticket>>
  readonly calls: Ref.Ref<ReadonlyArray<RichpanelCall>>
  readonly faults: Ref.Ref<ReadonlyArray<RichpanelFault>>
}>() {}

const WRITES: ReadonlySet<RichpanelMethod> = new Set(["addTags", "removeTags", "addInternalNote", "sendReply"])

/** Writes that reached Richpanel and changed something (what a customer or agent could see). */
export const appliedWrites = (calls: ReadonlyArray<RichpanelCall>, ticketId?: string) =>
  calls.filter((c) => WRITES.has(c.method) && c.applied && (ticketId === undefined || c.ticketId === ticketId))

export const repliesIn = (calls: ReadonlyArray<RichpanelCall>, ticketId?: string) =>
  appliedWrites(calls, ticketId).filter((c) => c.method === "sendReply")

/** The envelope's comment as Richpanel would hold it, unless the payload carried no message at all. */
const announcedComments = (envelope: EventEnvelope): ReadonlyArray<TicketComment> =>
  envelope.message.id === undefined && envelope.message.text.trim() === "" ? [] : ticketFromEnvelope(envelope).comments

const richpanelFake = Layer.effectContext(
  Effect.gen(function*() {
    const tickets = yield* Ref.make<ReadonlyMap<string, Ticket>>(new Map())
    const calls = yield* Ref.make<ReadonlyArray<RichpanelCall>>([])
    const faults = yield* Ref.make<ReadonlyArray<RichpanelFault>>([])
    let nextComment = 1

    /** Takes the first fault that matches this call (and uses up one of its times). */
    const takeFault = (method: RichpanelMethod, ticketId: string) =>
      Ref.modify(faults, (all): [RichpanelFault | undefined, ReadonlyArray<RichpanelFault>] => {
        const index = all.findIndex((f) =>
          (f.method === undefined || f.method === method) && (f.ticketId === undefined || f.ticketId === ticketId)
        )
        const fault = all[index]
        if (fault === undefined) return [undefined, all]
        const times = fault.times ?? 1
        if (times === "always") return [fault, all]
        const rest = times <= 1 ? all.filter((_, i) => i !== index) : all.map((f, i) => (i === index ? { ...f, times: times - 1 } : f))
        return [fault, rest]
      })

    const update = (ticketId: string, change: (ticket: Ticket) => Ticket) =>
      Ref.modify(tickets, (map): [boolean, ReadonlyMap<string, Ticket>] => {
        const ticket = map.get(ticketId)
        if (ticket === undefined) return [false, map]
        return [true, new Map(map).set(ticketId, change(ticket))]
      })

    const operation = <A>(
      method: RichpanelMethod,
      ticketId: string,
      detail: { readonly tags?: ReadonlyArray<string>; readonly body?: string },
      apply: Effect.Effect<Either.Either<A, RichpanelError>>
    ): Effect.Effect<A, RichpanelError> =>
      Effect.gen(function*() {
        // A network call is an async boundary: let concurrent workers interleave here, as they would.
        yield* Effect.yieldNow()
        const at = yield* Clock.currentTimeMillis
        const fault = yield* takeFault(method, ticketId)
        const log = (applied: boolean) => Ref.update(calls, (all) => [...all, { method, ticketId, at, ...detail, applied }])
        if (fault !== undefined && (fault.kind ?? "fail") === "fail") {
          yield* log(false)
          return yield* Effect.fail(fault.error ?? new RichpanelTransient({ reason: "injected" }))
        }
        const result = yield* apply
        yield* log(Either.isRight(result))
        if (fault?.kind === "crash") return yield* Effect.die(new Error(`injected crash after ${method}`))
        if (fault?.kind === "lost") return yield* Effect.fail(fault.error ?? new RichpanelTransient({ reason: "answer lost" }))
        return yield* result
      })

    const notFound = (ticketId: string) => Either.left<RichpanelError>(new RichpanelNotFound({ resource: `ticket ${ticketId}` }))

    const write = (method: RichpanelMethod, ticketId: string, detail: { tags?: ReadonlyArray<string>; body?: string }, change: (t: Ticket) => Ticket) =>
      operation(method, ticketId, detail, Effect.map(update(ticketId, change), (found) => (found ? Either.right(undefined) : notFound(ticketId))))

    const comment = (fields: Omit<TicketComment, "id" | "attachmentCount">): TicketComment => ({
      id: `rp-comment-${nextComment++}`,
      attachmentCount: 0,
      ...fields
    })

    const richpanel = Richpanel.of({
      loadTicket: (envelope) =>
        operation("loadTicket", envelope.conversation_id, {}, Ref.modify(tickets, (map): [Either.Either<Ticket, RichpanelError>, ReadonlyMap<string, Ticket>] => {
          const stored = map.get(envelope.conversation_id)
          const base = stored ?? { ...ticketFromEnvelope(envelope), comments: [] }
          const known = new Set(base.comments.map((c) => c.id))
          const fresh = announcedComments(envelope).filter((c) => !known.has(c.id))
          const ticket = { ...base, comments: [...base.comments, ...fresh] }
          return [Either.right(ticket), new Map(map).set(ticket.id, ticket)]
        })),
      addTags: (ticketId, tags) =>
        write("addTags", ticketId, { tags }, (t) => ({ ...t, tags: [...new Set([...t.tags, ...tags])] })),
      removeTags: (ticketId, tags) =>
        write("removeTags", ticketId, { tags }, (t) => ({ ...t, tags: t.tags.filter((tag) => !tags.includes(tag)) })),
      addInternalNote: (ticketId, body) =>
        write("addInternalNote", ticketId, { body }, (t) => ({
          ...t,
          comments: [...t.comments, comment({ authorId: BOT_AUTHOR_ID, isOperator: true, isPrivate: true, text: body })]
        })),
      sendReply: (ticketId, body) =>
        write("sendReply", ticketId, { body }, (t) => ({
          ...t,
          comments: [...t.comments, comment({ authorId: BOT_AUTHOR_ID, isOperator: true, isPrivate: false, text: body })]
        })),
      listTags: Effect.succeed([]),
      listUsers: Effect.succeed([])
    })
    return Context.make(Richpanel, richpanel).pipe(Context.add(FakeRichpanelMemory, { tickets, calls, faults }))
  })
)

/** Puts a ticket in the fake as Richpanel holds it. */
export const seedTicket = (ticket: Ticket) =>
  Effect.flatMap(FakeRichpanelMemory, ({ tickets }) => Ref.update(tickets, (map) => new Map(map).set(ticket.id, ticket)))

export const injectRichpanel = (...faults: ReadonlyArray<RichpanelFault>) =>
  Effect.flatMap(FakeRichpanelMemory, (fake) => Ref.update(fake.faults, (all) => [...all, ...faults]))

export const clearRichpanelFaults = Effect.flatMap(FakeRichpanelMemory, (fake) => Ref.set(fake.faults, []))

export const richpanelCalls = Effect.flatMap(FakeRichpanelMemory, (fake) => Ref.get(fake.calls))

export const ticketNow = (id: string) =>
  Effect.flatMap(FakeRichpanelMemory, (fake) => Effect.map(Ref.get(fake.tickets), (map) => map.get(id)))

// ---- Classifier ------------------------------------------------------------------------------------------

export type ClassifierStep = ClassifierOutput | ClassifierError

export class ScriptedClassifier extends Context.Tag("test/ScriptedClassifier")<ScriptedClassifier, {
  /** Served in order; when empty, `fallback` answers every call. */
  readonly script: Ref.Ref<ReadonlyArray<ClassifierStep>>
  readonly fallback: Ref.Ref<ClassifierStep>
  readonly inputs: Ref.Ref<ReadonlyArray<ClassifierInput>>
}>() {}

export const output = (
  intent: IntentId,
  confidence: number,
  overrides: Partial<ClassifierOutput> = {}
): ClassifierOutput => ({
  primary_intent: intent,
  confidence,
  secondary_intents: [],
  language: "en",
  sentiment: "neutral",
  urgency: "normal",
  risk_flags: [],
  order_number: null,
  reason: `scripted ${intent}`,
  ...overrides
})

const isError = (step: ClassifierStep): step is ClassifierError => "_tag" in step

const classifierFake = Layer.effectContext(
  Effect.gen(function*() {
    const script = yield* Ref.make<ReadonlyArray<ClassifierStep>>([])
    const fallback = yield* Ref.make<ClassifierStep>(output("unknown_other", 0.2))
    const inputs = yield* Ref.make<ReadonlyArray<ClassifierInput>>([])
    const classifier = Classifier.of({
      classify: (input) =>
        Effect.gen(function*() {
          yield* Effect.yieldNow()
          yield* Ref.update(inputs, (all) => [...all, input])
          const next = yield* Ref.modify(script, ([first, ...rest]) => [first, first === undefined ? [] : rest] as const)
          const step = next ?? (yield* Ref.get(fallback))
          if (isError(step)) return yield* Effect.fail(step)
          return { output: step, source: "openai", model: "fake-model", promptVersion: "test" } satisfies Classification
        })
    })
    return Context.make(Classifier, classifier).pipe(Context.add(ScriptedClassifier, { script, fallback, inputs }))
  })
)

/** Every classification answers with this (an output or a typed failure). */
export const classifyAlways = (step: ClassifierStep) => Effect.flatMap(ScriptedClassifier, (c) => Ref.set(c.fallback, step))
export const classifyNext = (...steps: ReadonlyArray<ClassifierStep>) =>
  Effect.flatMap(ScriptedClassifier, (c) => Ref.update(c.script, (all) => [...all, ...steps]))
export const classifierCalls = Effect.flatMap(ScriptedClassifier, (c) => Effect.map(Ref.get(c.inputs), (all) => all.length))

// ---- QueueControl ----------------------------------------------------------------------------------------

export interface VisibilityChange {
  readonly receiptHandle: string
  readonly delaySeconds: number
}

export class QueueControlRecorder extends Context.Tag("test/QueueControlRecorder")<QueueControlRecorder, {
  readonly changes: Ref.Ref<ReadonlyArray<VisibilityChange>>
}>() {}

export const queueControlFake = Layer.effectContext(
  Effect.gen(function*() {
    const changes = yield* Ref.make<ReadonlyArray<VisibilityChange>>([])
    const control = QueueControl.of({
      delayRetry: (receiptHandle, delaySeconds) => Ref.update(changes, (all) => [...all, { receiptHandle, delaySeconds }])
    })
    return Context.make(QueueControl, control).pipe(Context.add(QueueControlRecorder, { changes }))
  })
)

export const visibilityChanges = Effect.flatMap(QueueControlRecorder, (q) => Ref.get(q.changes))

// ---- settings and the whole layer ------------------------------------------------------------------------

export const renderedReply = (templateId: string, channel: "email" | "livechat" = "email") =>
  Either.getOrThrow(renderTemplate(defaultTemplates, templateId, {}, { channel })).body

/** The repo's routing config and templates, our bot identity, SQS's maxReceiveCount of 5; no environment. */
export const workerSettings = (botAuthorId: string | null = BOT_AUTHOR_ID) =>
  WorkerSettings.of({
    routing: defaultRoutingConfig,
    botAuthorId: botAuthorId === null ? Option.none() : Option.some(botAuthorId),
    rulesClassifier: RulesClassifier.make(defaultRoutingConfig.rules_classifier.patterns),
    maxReceiveCount: 5,
    renderReply: (templateId, channel, variables) =>
      Either.mapBoth(renderTemplate(defaultTemplates, templateId, variables, { channel }), {
        onLeft: (error) => error.reason,
        onRight: (reply) => reply.body
      })
  })

export const settingsLayer = (botAuthorId: string | null = BOT_AUTHOR_ID) => Layer.succeed(WorkerSettings, workerSettings(botAuthorId))

/** Generous limits: these tests are about the worker, not the limiter (which would otherwise sleep on the TestClock). */
export const roomyLimiter = RateLimiterMemory.layer({
  richpanel: { limit: 10_000, intervalMs: 30_000 },
  openai: { limit: 10_000, intervalMs: 60_000, capacity: 10_000 },
  shopify: { limit: 10_000, intervalMs: 1_000, capacity: 10_000 }
})

/** Stores, mode switch, limiter, breaker and settings in memory; the caller adds Richpanel and the classifier. */
export const memoryInfra = (mode: Mode) =>
  Layer.mergeAll(
    IdempotencyStoreMemory.layer,
    EventLogMemory.layer,
    ConversationStoreMemory.layer,
    ModeSwitchMemory.layer,
    roomyLimiter,
    CircuitBreakerMemory.layer(),
    settingsLayer(),
    queueControlFake,
    SampleStoreOrderLookup.layer
  ).pipe(Layer.provideMerge(appConfig({ mode })))

/** Every service `processRecord` needs, all fakes, for one test. */
export const workerLayer = (mode: Mode) => Layer.mergeAll(memoryInfra(mode), richpanelFake, classifierFake)

// ---- running and reading outcomes ------------------------------------------------------------------------

/** Runs an effect while moving the TestClock forward (for retries and backoffs that sleep). */
export const withClock = <A, E, R>(self: Effect.Effect<A, E, R>, advance: Duration.DurationInput = "5 seconds") =>
  Effect.gen(function*() {
    const fiber = yield* Effect.fork(self)
    yield* TestClock.adjust(advance)
    return yield* Fiber.await(fiber)
  })

export const events = Effect.flatMap(EventLog, (log) => log.recent(1_000)).pipe(Effect.orDie)

export const eventFor = (eventId: string) =>
  Effect.map(events, (all): EventRecord | undefined => all.find((e) => e.event_id === eventId))

export interface Decision {
  readonly mode: Mode
  readonly intent: string
  readonly team: string
  readonly tags: ReadonlyArray<string>
  readonly reasons: ReadonlyArray<string>
  readonly would_reply: string | null
  readonly reply: string | null
  readonly tier0_hits: ReadonlyArray<string>
  readonly classifier: { readonly source: string; readonly failure?: string; readonly rules_guess?: { readonly intent: string; readonly confidence: number } }
}

export const decisionOf = (record: EventRecord | undefined): Decision => {
  if (record?.decision === undefined) throw new Error(`no decision recorded: ${JSON.stringify(record)}`)
  return record.decision as Decision
}

export const expectSuccess = <A, E>(exit: Exit.Exit<A, E>): A => {
  if (Exit.isFailure(exit)) throw new Error(`expected success, got ${String(exit.cause)}`)
  return exit.value
}

type WorkerTestServices = Layer.Layer.Success<ReturnType<typeof workerLayer>>

/** Runs a test program against the in-memory worker layer in `mode`. */
export const inMode = (mode: Mode) => <A, E>(self: Effect.Effect<A, E, WorkerTestServices>) =>
  Effect.provide(self, workerLayer(mode))

/** A confident Tier 1 message (return request) used across the worker tests. */
export const RETURN_TEXT = "Hi, I would like to return the jacket I bought last week. It does not fit."
