import { describe, expect, it, layer } from "@effect/vitest"
import { Effect, Fiber, Layer, Option, Ref, TestClock } from "effect"
import * as IdempotencyStoreMemory from "../../src/layers/IdempotencyStoreMemory.js"
import { INGRESS_LEASE_MS } from "../../src/programs/EnqueueOnce.js"
import { ingest, MAX_BODY_BYTES, type IngressRequest } from "../../src/programs/Ingress.js"
import { acceptedAnswer, rejectionAnswer } from "../../src/programs/IngressHttp.js"
import { IdempotencyStore } from "../../src/services/IdempotencyStore.js"
import { appConfig, fakeQueueLayer, FakeQueue, faultyStoreLayer, StoreFaults, TEST_TOKEN } from "../support/fakes.js"

const webhook = (
  body: unknown,
  options: {
    readonly headers?: Record<string, string>
    readonly query?: Record<string, string>
    readonly raw?: string | Uint8Array
  } = {}
): IngressRequest => {
  const raw = options.raw ?? JSON.stringify(body)
  return {
    headers: { "content-type": "application/json", "x-webhook-token": TEST_TOKEN, ...options.headers },
    query: options.query ?? {},
    body: typeof raw === "string" ? new TextEncoder().encode(raw) : raw
  }
}

const answer = (request: IngressRequest) =>
  ingest(request).pipe(
    Effect.match({ onSuccess: acceptedAnswer, onFailure: rejectionAnswer }),
    Effect.map((a) => ({ status: a.status, body: JSON.parse(a.body) as Record<string, unknown> }))
  )

const queued = Effect.flatMap(FakeQueue, ({ messages }) => Ref.get(messages))

const TestLayers = Layer.mergeAll(fakeQueueLayer, faultyStoreLayer(IdempotencyStoreMemory.layer), appConfig())

const message = { conversation_id: "conv-1", message_id: "m-1", text: "Where is my order #1001?", channel: "email" }

describe("Ingress", () => {
  it.effect("accepts a valid webhook and queues one envelope", () =>
    Effect.gen(function* () {
      const result = yield* answer(webhook(message))
      expect(result).toEqual({ status: 200, body: { status: "accepted", event_id: "evt:rp:conv-1:m-1" } })
      const messages = yield* queued
      expect(messages.map((m) => m.conversation_id)).toEqual(["conv-1"])
      const store = yield* IdempotencyStore
      const record = yield* store.get("ingress#evt:rp:conv-1:m-1")
      expect(Option.map(record, (r) => r.status)).toEqual(Option.some("COMPLETED"))
    }).pipe(Effect.provide(TestLayers))
  )

  it.effect("answers duplicate to a redelivery and queues nothing more", () =>
    Effect.gen(function* () {
      yield* answer(webhook(message))
      const second = yield* answer(webhook(message))
      expect(second).toEqual({ status: 200, body: { status: "duplicate", event_id: "evt:rp:conv-1:m-1" } })
      expect((yield* queued).length).toBe(1)
    }).pipe(Effect.provide(TestLayers))
  )

  it.effect("accepts the token as ?token= and refuses a missing or wrong one with 401", () =>
    Effect.gen(function* () {
      const noToken = webhook(message, { headers: { "x-webhook-token": "" } })
      const missing = yield* answer({ ...noToken, headers: { "content-type": "application/json" } })
      expect(missing.status).toBe(401)
      expect(missing.body["error"]).toBe("unauthorized")
      const wrong = yield* answer(webhook(message, { headers: { "x-webhook-token": TEST_TOKEN + "x" } }))
      expect(wrong.status).toBe(401)
      const viaQuery = yield* answer({
        ...webhook(message),
        headers: { "content-type": "application/json" },
        query: { token: TEST_TOKEN }
      })
      expect(viaQuery.status).toBe(200)
      expect((yield* queued).length).toBe(1)
    }).pipe(Effect.provide(TestLayers))
  )

  it.effect("runs open (no token needed) when no token is configured", () =>
    Effect.gen(function* () {
      const result = yield* answer({ ...webhook(message), headers: { "content-type": "application/json" } })
      expect(result.status).toBe(200)
    }).pipe(Effect.provide(Layer.mergeAll(fakeQueueLayer, IdempotencyStoreMemory.layer, appConfig({ token: null }))))
  )

  it.effect("rejects bad input with 400/413/415 and never queues it", () =>
    Effect.gen(function* () {
      const invalidJson = yield* answer(webhook(undefined, { raw: "{not json" }))
      expect(invalidJson.status).toBe(400)
      expect(invalidJson.body["error"]).toBe("invalid_json")

      const noId = yield* answer(webhook({ text: "hello" }))
      expect(noId.status).toBe(400)
      expect(noId.body).toMatchObject({ error: "invalid_payload", field: "conversation_id" })

      const notObject = yield* answer(webhook([1, 2, 3]))
      expect(notObject.body).toMatchObject({ error: "invalid_payload", field: "body" })

      const tooLarge = yield* answer(webhook({ ...message, text: "x".repeat(MAX_BODY_BYTES) }))
      expect(tooLarge.status).toBe(413)
      const declaredTooLarge = yield* answer(webhook(message, { headers: { "content-length": String(MAX_BODY_BYTES + 1) } }))
      expect(declaredTooLarge.status).toBe(413)

      const plainText = yield* answer(webhook(message, { headers: { "content-type": "text/plain" } }))
      expect(plainText.status).toBe(415)
      const vendorJson = yield* answer(webhook(message, { headers: { "content-type": "application/vnd.richpanel+json; charset=utf-8" } }))
      expect(vendorJson.status).toBe(200)

      const invalidUtf8 = yield* answer(webhook(undefined, { raw: new Uint8Array([0x7b, 0xff, 0xfe, 0x7d]) }))
      expect(invalidUtf8.status).toBe(400)
      expect((yield* queued).length).toBe(1)
    }).pipe(Effect.provide(TestLayers))
  )
})

describe("Ingress when a dependency fails", () => {
  it.effect("answers 503 when the queue is down, releases its claim, and the retry is accepted once", () =>
    Effect.gen(function* () {
      const { faults, sendAttempts } = yield* FakeQueue
      yield* Ref.set(faults, ["unavailable", "unavailable", "unavailable"])
      // The quick retries sleep on the Clock: let the TestClock run past them.
      const pending = yield* Effect.fork(answer(webhook(message)))
      yield* TestClock.adjust("1 second")
      const down = yield* Fiber.join(pending)
      expect(down).toMatchObject({ status: 503, body: { error: "unavailable" } })
      expect(yield* Ref.get(sendAttempts)).toBe(3) // the first try and two quick retries
      expect((yield* queued).length).toBe(0)
      const retried = yield* answer(webhook(message))
      expect(retried.body["status"]).toBe("accepted")
      expect((yield* queued).length).toBe(1)
    }).pipe(Effect.provide(TestLayers))
  )

  it.effect("answers 413 (not 503) when the queue refuses the message as too large: no retry, claim released", () =>
    Effect.gen(function* () {
      const { faults, sendAttempts } = yield* FakeQueue
      yield* Ref.set(faults, ["too-large", "too-large", "too-large"])
      // Forked with the clock moved on, so a retry (were there one) would run rather than hang the test.
      const pending = yield* Effect.fork(answer(webhook(message)))
      yield* TestClock.adjust("1 second")
      const refused = yield* Fiber.join(pending)
      expect(refused.status).toBe(413)
      expect(refused.body).toMatchObject({ error: "payload_too_large", limit_bytes: 1_048_576 })
      expect(refused.body["message"]).toMatch(/1048577 bytes.*maximum message size of 1048576 bytes.*attachments, tags/)
      expect(yield* Ref.get(sendAttempts)).toBe(1)
      expect((yield* queued).length).toBe(0)
      const store = yield* IdempotencyStore
      expect(Option.isNone(yield* store.get("ingress#evt:rp:conv-1:m-1"))).toBe(true)
    }).pipe(Effect.provide(TestLayers))
  )

  it.effect("answers 503 and queues nothing when the store cannot claim", () =>
    Effect.gen(function* () {
      const { failing } = yield* StoreFaults
      yield* Ref.set(failing, new Set(["claim"] as const))
      const result = yield* answer(webhook(message))
      expect(result.status).toBe(503)
      expect((yield* queued).length).toBe(0)
    }).pipe(Effect.provide(TestLayers))
  )

  it.effect("keeps the 200 when the store fails after the send; a redelivery does not queue it twice", () =>
    Effect.gen(function* () {
      const { failing } = yield* StoreFaults
      yield* Ref.set(failing, new Set(["complete"] as const))
      const first = yield* answer(webhook(message))
      expect(first.body["status"]).toBe("accepted")
      yield* Ref.set(failing, new Set())
      const again = yield* answer(webhook(message))
      expect(again.body["status"]).toBe("duplicate")
      expect((yield* queued).length).toBe(1)
    }).pipe(Effect.provide(TestLayers))
  )

  it.effect("a crash after the send leaves the event queued once; the redelivery is acknowledged", () =>
    Effect.gen(function* () {
      const { faults } = yield* FakeQueue
      yield* Ref.set(faults, ["crash-after-send"])
      const crashed = yield* Effect.exit(answer(webhook(message)))
      expect(crashed._tag).toBe("Failure")
      expect((yield* queued).length).toBe(1)
      // The redelivery finds the claim still in progress and sends again; the queue drops the repeat.
      const redelivered = yield* answer(webhook(message))
      expect(redelivered.status).toBe(200)
      expect((yield* queued).length).toBe(1)
    }).pipe(Effect.provide(TestLayers))
  )

  it.effect("a crash after the claim (before the send) is recovered by the redelivery once the lease expires", () =>
    Effect.gen(function* () {
      const store = yield* IdempotencyStore
      // What a process that died right after claiming leaves behind.
      yield* store.claim("ingress#evt:rp:conv-1:m-1", { leaseMs: INGRESS_LEASE_MS, ttlSeconds: 3600 })
      expect((yield* queued).length).toBe(0)
      yield* TestClock.adjust(INGRESS_LEASE_MS + 1)
      const redelivered = yield* answer(webhook(message))
      expect(redelivered.body["status"]).toBe("accepted")
      expect((yield* queued).length).toBe(1)
    }).pipe(Effect.provide(TestLayers))
  )
})

layer(TestLayers)("Ingress under concurrent duplicates", (it) => {
  it.effect("ten concurrent deliveries of one event queue it once", () =>
    Effect.gen(function* () {
      const results = yield* Effect.all(Array.from({ length: 10 }, () => answer(webhook(message))), {
        concurrency: "unbounded"
      })
      expect(results.every((r) => r.status === 200)).toBe(true)
      expect(results.filter((r) => r.body["status"] === "accepted").length).toBe(1)
      expect((yield* queued).length).toBe(1)
    })
  )
})
