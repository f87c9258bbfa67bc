import * as Context from "effect/Context"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"
import * as LogLevel from "effect/LogLevel"
import * as Option from "effect/Option"
import * as Random from "effect/Random"
import * as Redacted from "effect/Redacted"
import * as Ref from "effect/Ref"
import * as Scope from "effect/Scope"
import * as CircuitBreakerMemory from "../../src/layers/CircuitBreakerMemory.js"
import * as ConversationStoreMemory from "../../src/layers/ConversationStoreMemory.js"
import * as EventLogMemory from "../../src/layers/EventLogMemory.js"
import * as IdempotencyStoreMemory from "../../src/layers/IdempotencyStoreMemory.js"
import * as LocalEventQueue from "../../src/layers/LocalEventQueue.js"
import * as LocalQueueControl from "../../src/layers/LocalQueueControl.js"
import * as ModeSwitchMemory from "../../src/layers/ModeSwitchMemory.js"
import * as RateLimiterMemory from "../../src/layers/RateLimiterMemory.js"
import { handleSqsEvent } from "../../src/lambda/workerHandler.js"
import { runConsumer } from "../../src/local/Consumer.js"
import { LocalFifoQueue, type MessageView, type QueueStats } from "../../src/local/LocalFifoQueue.js"
import { ingest } from "../../src/programs/Ingress.js"
import { AppConfig } from "../../src/services/AppConfig.js"
import { Classifier } from "../../src/services/Classifier.js"
import { ConversationStore } from "../../src/services/ConversationStore.js"
import { EventLog, type EventRecord } from "../../src/services/EventLog.js"
import { EventQueue, QueueUnavailable } from "../../src/services/EventQueue.js"
import { IdempotencyStore, StoreUnavailable } from "../../src/services/IdempotencyStore.js"
import { OrderLookup } from "../../src/services/OrderLookup.js"
import { RateLimiter } from "../../src/services/RateLimiter.js"
import { Richpanel } from "../../src/services/Richpanel.js"
import { WorkerSettings } from "../../src/services/WorkerSettings.js"
import { environments, resolveEnvironment } from "../../infra/environments.js"
import { MESSAGE_DEADLINE_MS } from "../../src/programs/worker/Worker.js"
import { workerSettings } from "../support/workerFakes.js"
import { runVirtual } from "./engine/VirtualTime.js"
import { AGENT_AUTHOR_ID, BOT_AUTHOR_ID, type Action, type Script, type WebhookPlan } from "./script/Script.js"
import { type Hook, simClassifier, simOrderLookup, simRichpanel } from "./world/SimServices.js"
import { type SimComment, World } from "./world/World.js"

/**
 * Plays a script through the real programs: webhooks go through the ingress program onto the local FIFO queue
 * (SQS FIFO semantics: group lock, visibility timeout, dedup window, receive counts, DLQ), the local consumer
 * hands them to the worker's SQS handler, and the worker talks to the simulated Richpanel, OpenAI and Shopify.
 * The stores (DynamoDB's role) survive worker crashes; each worker process has its own breakers and mode cache.
 */

export const START_MS = Date.UTC(2026, 2, 2, 14, 0, 0) // a Monday afternoon
/** How long the world may run before the run is judged stuck. */
const HORIZON_MS = 36 * 60 * 60 * 1000
const RESTART_AFTER_MS = 3_000
/** The worker Lambda's timeout less one record's deadline and the handler's margin (as `workerHandler` computes). */
const LAMBDA_START_WINDOW_MS = environments.prod.worker.timeoutSeconds * 1_000 - MESSAGE_DEADLINE_MS - 2_000

/** The largest event-source batch size the stack's synth accepts. */
const largestAcceptedBatchSize = (): number => {
  for (let size = 10; size > 1; size--) {
    try {
      resolveEnvironment("prod", { workerBatchSize: String(size) })
      return size
    } catch {
      // not accepted: try a smaller one
    }
  }
  return 1
}
/** API Gateway gives up on an ingress Lambda after this; the sender sees no answer. */
const INGRESS_TIMEOUT = "6 seconds"
/** Richpanel's HTTP Target is best effort; we assume it tries a failed delivery a few more times. */
const SENDER_RETRIES_MS = [10_000, 30_000, 60_000]

export interface Trace {
  readonly script: Script
  readonly world: World
  readonly records: ReadonlyArray<EventRecord>
  readonly deadLetters: ReadonlyArray<MessageView>
  readonly left: QueueStats
  readonly drained: boolean
  readonly virtualMs: number
  /** Event ids ingress answered 200 for, with the comment whose webhook it was. */
  readonly acknowledged: ReadonlyMap<string, { readonly conversation: string; readonly commentId?: string }>
  readonly workerGenerations: number
}

const settingsFor = (script: Script) => workerSettings(script.botAuthorKnown ? BOT_AUTHOR_ID : null)

/** Limits as the worker would have them with every key set. */
const limits = RateLimiterMemory.defaultLimits

/** A crash point: counts steps and, at the chosen one, never returns (the process is then torn down). */
const crashHook = (crashAt: ReadonlySet<number>, onCrash: (step: string) => Effect.Effect<void>): Hook => {
  let steps = 0
  return (step) =>
    Effect.suspend(() => {
      steps++
      return crashAt.has(steps) ? Effect.zipRight(onCrash(step), Effect.never) : Effect.void
    })
}

const hookedStore = (store: IdempotencyStore["Type"], hook: Hook, world: World): IdempotencyStore["Type"] => ({
  claim: (key, options) =>
    hook("before:claim").pipe(
      Effect.zipRight(store.claim(key, options)),
      Effect.tap((outcome) =>
        Effect.sync(() => {
          const reply = /^reply#(.+)#([^#]+)$/.exec(key)
          if (reply !== null && outcome._tag === "Acquired") world.replyClaims.set(reply[1]!, reply[2]!)
        })
      ),
      Effect.tap(() => hook("after:claim"))
    ),
  complete: (key, options) => hook("before:complete").pipe(Effect.zipRight(store.complete(key, options)), Effect.tap(() => hook("after:complete"))),
  release: (key) => hook("before:release").pipe(Effect.zipRight(store.release(key)), Effect.tap(() => hook("after:release"))),
  get: (key) => hook("before:get").pipe(Effect.zipRight(store.get(key)))
})

const hookedConversations = (store: ConversationStore["Type"], hook: Hook): ConversationStore["Type"] => ({
  get: (id) => hook("before:state-get").pipe(Effect.zipRight(store.get(id))),
  update: (id, change) => hook("before:state-update").pipe(Effect.zipRight(store.update(id, change)), Effect.tap(() => hook("after:state-update")))
})

const hookedLog = (log: EventLog["Type"], hook: Hook): EventLog["Type"] => ({
  record: (entry) => hook("before:record").pipe(Effect.zipRight(log.record(entry)), Effect.tap(() => hook("after:record"))),
  recent: log.recent
})

/** The store or queue answering "unavailable" during a fault window. */
const faultyStore = (store: IdempotencyStore["Type"], world: World): IdempotencyStore["Type"] => {
  const guard = <A>(operation: string, self: Effect.Effect<A, StoreUnavailable>): Effect.Effect<A, StoreUnavailable> =>
    Effect.flatMap(Effect.clockWith((clock) => clock.currentTimeMillis), (now) =>
      world.fault("store", now) === undefined ? self : Effect.fail(new StoreUnavailable({ operation })))
  return {
    claim: (key, options) => guard("claim", store.claim(key, options)),
    complete: (key, options) => guard("complete", store.complete(key, options)),
    release: (key) => guard("release", store.release(key)),
    get: (key) => guard("get", store.get(key))
  }
}

const simulation = (script: Script) =>
  Effect.gen(function*() {
    const world = new World(script, START_MS)
    const scope = yield* Scope.make()
    const appConfig = AppConfig.of({
      mode: script.mode,
      webhookToken: Option.none<Redacted.Redacted<string>>(),
      richpanelApiKey: Option.some(Redacted.make("sim")),
      openaiApiKey: Option.some(Redacted.make("sim")),
      shopifyAccessToken: Option.some(Redacted.make("sim"))
    })
    const persistent = yield* Layer.buildWithScope(
      Layer.mergeAll(
        IdempotencyStoreMemory.layer,
        EventLogMemory.layerWithCapacity(1_000_000),
        ConversationStoreMemory.layer,
        ModeSwitchMemory.layerOverrideTable,
        RateLimiterMemory.layer(limits)
      ),
      scope
    )
    const store = faultyStore(Context.get(persistent, IdempotencyStore), world)
    const overrides = Context.get(persistent, ModeSwitchMemory.OverrideTable)
    const deadLetterQueue = yield* LocalFifoQueue.make({ name: "sim-dlq.fifo" })
    const queue = yield* LocalFifoQueue.make({ name: "sim-events.fifo", visibilityTimeoutMs: 180_000, maxReceiveCount: 5, deadLetterQueue })
    const settings = settingsFor(script)
    const acknowledged = new Map<string, { conversation: string; commentId?: string }>()

    // ---- worker processes -------------------------------------------------------------------------------
    let generation = 0
    let restarting = false
    const startWorker: Effect.Effect<void> = Effect.suspend(() => {
      const name = `worker-${generation}`
      const crashAt = script.crashes.worker[generation]
      generation++
      return Effect.gen(function*() {
        const crashed = yield* Deferred.make<string>()
        const hook = crashHook(new Set(crashAt === undefined ? [] : [crashAt]), (step) =>
          Effect.flatMap(Effect.clockWith((c) => c.currentTimeMillis), (at) =>
            Effect.sync(() => world.crashes.push({ process: name, at, step })).pipe(Effect.zipRight(Deferred.succeed(crashed, step)))))
        const processScope = yield* Scope.make()
        const services = yield* Layer.buildWithScope(
          Layer.effect(OrderLookup, simOrderLookup(world, name, hook)).pipe(Layer.provideMerge(Layer.mergeAll(
            Layer.succeed(Richpanel, simRichpanel(world, name, hook)),
            Layer.succeed(Classifier, simClassifier(world, hook, settings.rulesClassifier)),
            Layer.succeed(IdempotencyStore, hookedStore(store, hook, world)),
            Layer.succeed(ConversationStore, hookedConversations(Context.get(persistent, ConversationStore), hook)),
            Layer.succeed(EventLog, hookedLog(Context.get(persistent, EventLog), hook)),
            Layer.succeed(RateLimiter, Context.get(persistent, RateLimiter)),
            Layer.succeed(WorkerSettings, settings),
            CircuitBreakerMemory.layer(),
            ModeSwitchMemory.layerShared,
            LocalQueueControl.layer(queue)
          ))).pipe(Layer.provideMerge(Layer.succeed(AppConfig, appConfig)), Layer.provide(Layer.succeed(ModeSwitchMemory.OverrideTable, overrides))),
          processScope
        )
        const lambda = script.consumer === "lambda"
        const options = lambda ? { startWithinMs: LAMBDA_START_WINDOW_MS } : {}
        const pollers = yield* Effect.forkDaemon(
          runConsumer(queue, (event) => handleSqsEvent(event, options), {
            concurrency: script.pollers,
            batchSize: lambda ? largestAcceptedBatchSize() : 1,
            waitTimeMs: 20_000
          }).pipe(Effect.provide(services))
        )
        // A crash kills the whole process: every poller and whatever it was doing; the queue keeps the messages.
        yield* Effect.forkDaemon(Effect.gen(function*() {
          yield* Deferred.await(crashed)
          restarting = true
          yield* Fiber.interruptFork(pollers)
          yield* Scope.close(processScope, Exit.void).pipe(Effect.forkDaemon)
          yield* Effect.sleep(RESTART_AFTER_MS)
          restarting = false
          yield* startWorker
        }))
      })
    })
    yield* startWorker

    // ---- ingress ------------------------------------------------------------------------------------------
    const ingressHook = crashHook(new Set(script.crashes.ingress), (step) =>
      Effect.flatMap(Effect.clockWith((c) => c.currentTimeMillis), (at) => Effect.sync(() => world.crashes.push({ process: "ingress", at, step }))))
    const ingressQueue = LocalEventQueue.layer(queue)
    const ingressServices = Layer.mergeAll(
      Layer.succeed(IdempotencyStore, hookedStore(store, ingressHook, world)),
      Layer.effect(EventQueue, Effect.map(EventQueue, (inner) => EventQueue.of({
        send: (envelope, options) =>
          Effect.gen(function*() {
            const now = yield* Effect.clockWith((c) => c.currentTimeMillis)
            if (world.fault("queue", now) !== undefined) return yield* new QueueUnavailable({ reason: "injected outage" })
            yield* ingressHook("before:send")
            const sent = yield* inner.send(envelope, options)
            yield* ingressHook("after:send")
            return sent
          })
      }))).pipe(Layer.provide(ingressQueue)),
      Layer.succeed(AppConfig, appConfig)
    )
    const ingressContext = yield* Layer.buildWithScope(ingressServices, scope)

    let pendingDeliveries = 0
    const post = (attempt: { conversation: string; commentId?: string; label: string; expect?: "2xx" | "4xx" }, body: string) =>
      Effect.gen(function*() {
        const at = yield* Effect.clockWith((c) => c.currentTimeMillis)
        const request = {
          headers: { "content-type": "application/json", "content-length": String(Buffer.byteLength(body)) },
          query: {},
          body: new TextEncoder().encode(body)
        }
        const answer = yield* ingest(request).pipe(
          Effect.map((accepted) => ({ status: 200, eventId: accepted.eventId })),
          Effect.catchAll((rejection) => Effect.succeed({ status: statusOf(rejection._tag), eventId: undefined })),
          Effect.timeout(INGRESS_TIMEOUT),
          Effect.orElseSucceed(() => ({ status: "no-response" as const, eventId: undefined })),
          Effect.provide(ingressContext)
        )
        world.webhooks.push({ ...attempt, at, status: answer.status, ...(answer.eventId === undefined ? {} : { eventId: answer.eventId }) })
        if (answer.status === 200 && answer.eventId !== undefined) {
          acknowledged.set(answer.eventId, { conversation: attempt.conversation, ...(attempt.commentId === undefined ? {} : { commentId: attempt.commentId }) })
        }
        return answer.status
      })

    const deliver = (conversation: string, comment: SimComment, plan: WebhookPlan, delay: number) =>
      Effect.gen(function*() {
        yield* Effect.sleep(delay)
        const body = JSON.stringify(payloadFor(world, conversation, comment, plan.shape))
        for (const retryAfter of [0, ...SENDER_RETRIES_MS]) {
          if (retryAfter > 0) yield* Effect.sleep(retryAfter)
          const status = yield* post({ conversation, commentId: comment.id, label: `${plan.shape}` }, body)
          if (status !== "no-response" && status < 500) return
        }
      }).pipe(Effect.ensuring(Effect.sync(() => pendingDeliveries--)))

    const fire = (conversation: string, comment: SimComment, plan: WebhookPlan) =>
      Effect.forEach(plan.deliveries, (delay) =>
        Effect.sync(() => pendingDeliveries++).pipe(Effect.zipRight(Effect.forkDaemon(deliver(conversation, comment, plan, delay)))), { discard: true })

    // ---- the script ---------------------------------------------------------------------------------------
    const perform = (action: Action) =>
      Effect.gen(function*() {
        const now = yield* Effect.clockWith((c) => c.currentTimeMillis)
        switch (action.kind) {
          case "customer": {
            const comment = world.addComment(action.conversation, {
              role: "customer",
              text: action.text,
              createdAt: now,
              attachmentCount: action.attachments ?? 0,
              truth: action.truth
            })
            return yield* fire(action.conversation, comment, action.webhook)
          }
          case "agent": {
            const comment = world.addComment(action.conversation, { role: "agent", authorId: AGENT_AUTHOR_ID, text: action.text, createdAt: now, attachmentCount: 0 })
            if (action.close) world.setStatus(world.ticket(action.conversation), "CLOSED", now)
            if (action.webhook !== undefined) yield* fire(action.conversation, comment, action.webhook)
            return
          }
          case "mode": {
            world.setMode(now, action.mode)
            return yield* Ref.set(
              overrides.override,
              action.mode === null
                ? Option.none()
                : Option.some({ mode: action.mode, reason: "simulated operator", set_by: "sim", set_at: new Date(now).toISOString() })
            )
          }
          case "raw-webhook": {
            pendingDeliveries++
            yield* Effect.forkDaemon(
              post({ conversation: "-", label: action.label, expect: action.expect }, action.body).pipe(Effect.ensuring(Effect.sync(() => pendingDeliveries--)))
            )
            return
          }
        }
      })

    const actionsDone = yield* Effect.forkDaemon(Effect.forEach(script.actions, (action) =>
      Effect.flatMap(Effect.clockWith((c) => c.currentTimeMillis), (now) =>
        Effect.sleep(Math.max(0, START_MS + action.at - now)).pipe(Effect.zipRight(perform(action)))), { discard: true }))

    // Other integrations of the shop spend the same Richpanel budget, evenly.
    if (script.richpanel.otherIntegrationsPer30s > 0) {
      const every = Math.floor(30_000 / script.richpanel.otherIntegrationsPer30s)
      yield* Effect.forkDaemon(Effect.forever(Effect.sleep(every).pipe(
        Effect.zipRight(Effect.clockWith((c) => c.currentTimeMillis)),
        Effect.map((now) => world.spendBudget(now))
      )))
    }

    // ---- until everything has settled --------------------------------------------------------------------
    let drained = false
    while (true) {
      yield* Effect.sleep("10 seconds")
      const now = yield* Effect.clockWith((c) => c.currentTimeMillis)
      const stats = yield* queue.stats
      const scriptDone = actionsDone.unsafePoll() !== null
      if (scriptDone && pendingDeliveries === 0 && stats.total === 0 && !restarting) {
        drained = true
        break
      }
      if (now - START_MS > HORIZON_MS - 60_000) break
    }
    const records = yield* Context.get(persistent, EventLog).recent(1_000_000).pipe(Effect.orDie)
    const deadLetters = yield* deadLetterQueue.list
    const left = yield* queue.stats
    const virtualMs = (yield* Effect.clockWith((c) => c.currentTimeMillis)) - START_MS
    return {
      script,
      world,
      records,
      deadLetters,
      left,
      drained,
      virtualMs,
      acknowledged,
      workerGenerations: generation
    } satisfies Trace
  })

const statusOf = (tag: string): number => {
  switch (tag) {
    case "Unauthorized":
      return 401
    case "PayloadTooLarge":
      return 413
    case "UnsupportedMediaType":
      return 415
    case "ServiceUnavailable":
      return 503
    default:
      return 400
  }
}

/** The body a Richpanel rule would post for this comment, in the shape the script chose. */
const payloadFor = (world: World, conversation: string, comment: SimComment, shape: WebhookPlan["shape"]): unknown => {
  const profile = world.conversation(conversation).profile
  const channel = world.conversation(conversation).channel
  switch (shape) {
    case "flat":
    case "flat-no-id":
      return {
        conversation_id: conversation,
        ...(shape === "flat" ? { message_id: comment.id } : {}),
        ...(world.conversation(conversation).subject === undefined ? {} : { subject: world.conversation(conversation).subject }),
        text: comment.text,
        channel,
        ...(profile.email === undefined ? {} : { customer_email: profile.email }),
        ...(profile.phone === undefined ? {} : { customer_phone: profile.phone }),
        created_at: new Date(comment.createdAt).toISOString(),
        ...(comment.attachmentCount > 0 ? { attachments: Array.from({ length: comment.attachmentCount }, () => ({})) } : {})
      }
    case "ticket": {
      const ticket = world.ticket(conversation)
      return {
        ticket: {
          id: conversation,
          status: ticket.status,
          via: { channel },
          ...(world.conversation(conversation).subject === undefined ? {} : { subject: world.conversation(conversation).subject }),
          customer_profile: { ...(profile.email === undefined ? {} : { email: profile.email }) },
          tags: [...ticket.tags],
          comments: ticket.comments.filter((c) => c.createdAt <= comment.createdAt).map((c) => ({
            id: c.id,
            plain_body: c.text,
            isOperator: c.role !== "customer",
            ...(c.authorId === undefined ? {} : { author_id: c.authorId }),
            created_at: new Date(c.createdAt).toISOString()
          }))
        }
      }
    }
    case "id-only":
      return { ticket_id: conversation }
  }
}

/** Runs one script in virtual time: deterministic for a given script, whatever the machine is doing. */
export const runScript = (script: Script): Trace => {
  const program = simulation(script).pipe(
    Effect.withRandom(Random.make(script.seed)),
    Effect.scoped,
    Logger.withMinimumLogLevel(LogLevel.None),
    Effect.withTracerEnabled(false)
  )
  const { exit } = runVirtual(program, { startMs: START_MS, horizonMs: HORIZON_MS })
  if (Exit.isFailure(exit)) throw new Error(`simulation of ${script.name} (seed ${script.seed}) crashed: ${String(exit.cause)}`)
  return exit.value
}
