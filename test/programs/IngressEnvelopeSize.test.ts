import { describe, expect, it } from "@effect/vitest"
import { Effect, Layer, Ref } from "effect"
import type { EventEnvelope } from "../../src/domain/Envelope.js"
import { MAX_ATTACHMENTS } from "../../src/domain/normalise.js"
import * as IdempotencyStoreMemory from "../../src/layers/IdempotencyStoreMemory.js"
import * as LocalEventQueue from "../../src/layers/LocalEventQueue.js"
import { LocalFifoQueue } from "../../src/local/LocalFifoQueue.js"
import { MAX_ENVELOPE_BYTES } from "../../src/programs/EnvelopeSize.js"
import { ingest, MAX_BODY_BYTES, type IngressRequest } from "../../src/programs/Ingress.js"
import { acceptedAnswer, rejectionAnswer } from "../../src/programs/IngressHttp.js"
import { appConfig, fakeQueueLayer, FakeQueue, TEST_TOKEN } from "../support/fakes.js"
import { fakeSqsSendMessage, sqsEventQueueOn } from "../support/fakeSqsSend.js"

/**
 * Defect: empty attachments expand ~5.7× from body to envelope, so a valid body under 256 KiB made an envelope
 * over SQS's 1 MiB, every send failed and ingress answered 503 forever. Bodies are built as raw JSON text.
 */

const request = (raw: string): IngressRequest => ({
  headers: { "content-type": "application/json", "x-webhook-token": TEST_TOKEN },
  query: {},
  body: new TextEncoder().encode(raw)
})

const answer = (raw: string) =>
  ingest(request(raw)).pipe(
    Effect.match({ onSuccess: acceptedAnswer, onFailure: rejectionAnswer }),
    Effect.map((a) => ({ status: a.status, body: JSON.parse(a.body) as Record<string, unknown> }))
  )

/** The reproduction: ~87,000 `{}` attachments, just under the body limit. */
const EMPTY_ATTACHMENTS = 87_000
const emptyAttachmentsBody = `{"conversation_id":"c","message_id":"m","attachments":[${Array(EMPTY_ATTACHMENTS).fill("{}").join(",")}]}`

const bytes = (text: string) => Buffer.byteLength(text, "utf8")

describe("Ingress: an envelope that cannot fit the queue", () => {
  it("the reproduction body is valid and under the body limit", () => {
    expect(bytes(emptyAttachmentsBody)).toBeLessThan(MAX_BODY_BYTES)
  })

  it.live("accepts ~87,000 empty attachments through SQS (not 503): the envelope keeps 20 and the total", () =>
    Effect.gen(function* () {
      const sqs = yield* fakeSqsSendMessage
      const result = yield* answer(emptyAttachmentsBody).pipe(
        Effect.provide(Layer.mergeAll(sqsEventQueueOn(sqs.url), IdempotencyStoreMemory.layer, appConfig()))
      )
      expect(result).toEqual({ status: 200, body: { status: "accepted", event_id: "evt:rp:c:m" } })
      expect(sqs.bodies).toHaveLength(1)
      const sent = sqs.bodies[0]!
      expect(bytes(sent)).toBeLessThan(4 * 1024)
      const envelope = JSON.parse(sent) as EventEnvelope
      expect(envelope.message.attachments).toHaveLength(MAX_ATTACHMENTS)
      expect(envelope.message.attachments_total).toBe(EMPTY_ATTACHMENTS)
    }).pipe(Effect.scoped))

  it.effect("accepts the same body on the local FIFO queue, which enforces SQS's 1 MiB as well", () =>
    Effect.gen(function* () {
      const queue = yield* LocalFifoQueue.make({ name: "rp-mw-events.fifo" })
      const result = yield* answer(emptyAttachmentsBody).pipe(
        Effect.provide(Layer.mergeAll(LocalEventQueue.layer(queue), IdempotencyStoreMemory.layer, appConfig()))
      )
      expect(result.status).toBe(200)
      const [message, ...rest] = yield* queue.receive({ maxMessages: 10 })
      expect(rest).toEqual([])
      expect(bytes(message!.body)).toBeLessThan(4 * 1024)
      expect((JSON.parse(message!.body) as EventEnvelope).message.attachments_total).toBe(EMPTY_ATTACHMENTS)
    }))

  it.effect("answers 413 naming the cause, and sends nothing, when the envelope would still be over its maximum", () =>
    Effect.gen(function* () {
      // Every field at its bound, filled with a control character: each is 6 bytes (\u0001) in body and envelope
      // alike, and the ids appear twice in the envelope (also in the event id). The body is under its limit.
      const c = "\\u0001"
      const url = `"https://${c.repeat(2_040)}"`
      const raw = `{"conversation_id":"${c.repeat(256)}","message_id":"${c.repeat(256)}","text":"${c.repeat(2_300)}",` +
        `"attachments":[${Array(MAX_ATTACHMENTS).fill(url).join(",")}]}`
      expect(bytes(raw)).toBeLessThanOrEqual(MAX_BODY_BYTES)
      const result = yield* answer(raw)
      expect(result.status).toBe(413)
      expect(result.body).toMatchObject({ error: "payload_too_large", limit_bytes: MAX_ENVELOPE_BYTES })
      expect(result.body["message"]).toMatch(
        new RegExp(`^the message envelope would be \\d+ bytes \\(over ${MAX_ENVELOPE_BYTES}\\): too many or too large attachments`)
      )
      const { messages, sendAttempts } = yield* FakeQueue
      expect(yield* Ref.get(sendAttempts)).toBe(0)
      expect(yield* Ref.get(messages)).toEqual([])
    }).pipe(Effect.provide(Layer.mergeAll(fakeQueueLayer, IdempotencyStoreMemory.layer, appConfig()))))
})
