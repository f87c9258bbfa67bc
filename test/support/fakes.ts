import { Effect, Layer, Option, Redacted, Ref } from "effect"
import type { EventEnvelope } from "../../src/domain/Envelope.js"
import { AppConfig, type Mode } from "../../src/services/AppConfig.js"
import { EventQueue, MessageTooLarge, QueueUnavailable } from "../../src/services/EventQueue.js"
import { IdempotencyStore, StoreUnavailable } from "../../src/services/IdempotencyStore.js"

export const TEST_TOKEN = "test-webhook-token"

export const appConfig = (options: { readonly token?: string | null; readonly mode?: Mode } = {}) =>
  Layer.succeed(AppConfig, {
    mode: options.mode ?? "shadow",
    webhookToken: options.token === null ? Option.none() : Option.some(Redacted.make(options.token ?? TEST_TOKEN)),
    richpanelApiKey: Option.none(),
    openaiApiKey: Option.none(),
    shopifyAccessToken: Option.none()
  })

/** What a test can make the fake queue do on the next sends. */
export type QueueFault = "unavailable" | "crash-after-send" | "too-large"

/**
 * A queue that behaves like SQS FIFO for deduplication (a repeated deduplication id is accepted, not stored)
 * and lets a test inject failures. `crash-after-send` stores the message and then dies, as a process would.
 */
export class FakeQueue extends Effect.Service<FakeQueue>()("test/FakeQueue", {
  effect: Effect.gen(function* () {
    const messages = yield* Ref.make<ReadonlyArray<EventEnvelope>>([])
    const faults = yield* Ref.make<ReadonlyArray<QueueFault>>([])
    const sendAttempts = yield* Ref.make(0)
    return { messages, faults, sendAttempts }
  })
}) {}

export const fakeQueueLayer = Layer.effect(
  EventQueue,
  Effect.gen(function* () {
    const { faults, messages, sendAttempts } = yield* FakeQueue
    return EventQueue.of({
      send: (envelope) =>
        Effect.gen(function* () {
          yield* Ref.update(sendAttempts, (n) => n + 1)
          const fault = yield* Ref.modify(faults, ([first, ...rest]) => [first, rest] as const)
          if (fault === "unavailable") return yield* new QueueUnavailable({ reason: "injected outage" })
          if (fault === "too-large") {
            return yield* new MessageTooLarge({ reason: "injected: over the maximum size", sizeBytes: 1_048_577, maxBytes: 1_048_576 })
          }
          yield* Ref.update(messages, (all) => (all.some((m) => m.event_id === envelope.event_id) ? all : [...all, envelope]))
          if (fault === "crash-after-send") return yield* Effect.die("injected crash after send")
          return { messageId: `msg-${envelope.event_id}` }
        })
    })
  })
).pipe(Layer.provideMerge(FakeQueue.Default))

export type StoreOperation = "claim" | "complete" | "release" | "get"

/** Wraps a real store layer so a test can make chosen operations fail as if DynamoDB were down. */
export class StoreFaults extends Effect.Service<StoreFaults>()("test/StoreFaults", {
  effect: Ref.make<ReadonlySet<StoreOperation>>(new Set()).pipe(Effect.map((failing) => ({ failing })))
}) {}

export const faultyStoreLayer = <E, R>(inner: Layer.Layer<IdempotencyStore, E, R>) =>
  Layer.effect(
    IdempotencyStore,
    Effect.gen(function* () {
      const store = yield* IdempotencyStore
      const { failing } = yield* StoreFaults
      const guard = <A>(
        operation: StoreOperation,
        effect: Effect.Effect<A, StoreUnavailable>
      ): Effect.Effect<A, StoreUnavailable> =>
        Effect.flatMap(Ref.get(failing), (set) =>
          set.has(operation) ? Effect.fail(new StoreUnavailable({ operation })) : effect
        )
      return IdempotencyStore.of({
        claim: (key, options) => guard("claim", store.claim(key, options)),
        complete: (key, options) => guard("complete", store.complete(key, options)),
        release: (key) => guard("release", store.release(key)),
        get: (key) => guard("get", store.get(key))
      })
    })
  ).pipe(Layer.provide(inner), Layer.provideMerge(StoreFaults.Default))
