import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import type { EventEnvelope } from "../../src/domain/Envelope.js"
import { deduplicationId, messageGroupId } from "../../src/domain/SqsIds.js"
import * as LocalEventQueue from "../../src/layers/LocalEventQueue.js"
import { JournalError } from "../../src/local/JournalEntry.js"
import { LocalFifoQueue } from "../../src/local/LocalFifoQueue.js"
import { QueueJournal } from "../../src/local/QueueJournal.js"
import { EventQueue } from "../../src/services/EventQueue.js"

const envelope = (conversation_id: string, event_id: string): EventEnvelope => ({
  event_id,
  received_at: "2025-01-10T12:00:00.000Z",
  conversation_id,
  channel: "email",
  customer: { email: "jane@example.com" },
  message: { text: "where is my order?", truncated: false, attachments: [] },
  richpanel: { tags: [] },
  meta: { attempt: 1, source: "test", payload_shape: "flat" }
})

const sendVia = (queue: LocalFifoQueue, e: EventEnvelope, traceHeader?: string) =>
  Effect.flatMap(EventQueue, (q) => q.send(e, traceHeader === undefined ? {} : { traceHeader })).pipe(
    Effect.provide(LocalEventQueue.layer(queue))
  )

describe("LocalEventQueue", () => {
  it.effect("puts the envelope on the FIFO queue with the shared group and deduplication ids", () =>
    Effect.gen(function*() {
      const queue = yield* LocalFifoQueue.make({ name: "rp-mw-events.fifo" })
      const event = envelope("conv 1", "evt:rp:conv 1:m1")
      const sent = yield* sendVia(queue, event, "Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1")
      expect(yield* sendVia(queue, event)).toEqual(sent)
      const [received, ...rest] = yield* queue.receive({ maxMessages: 10 })
      expect(rest).toEqual([])
      expect(received?.messageId).toBe(sent.messageId)
      expect(JSON.parse(received!.body)).toEqual(event)
      expect(received?.attributes).toMatchObject({
        MessageGroupId: messageGroupId("conv 1"),
        MessageDeduplicationId: deduplicationId("evt:rp:conv 1:m1"),
        AWSTraceHeader: "Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1"
      })
    }))

  it.effect("a journal failure is QueueUnavailable, so ingress answers 503", () =>
    Effect.gen(function*() {
      const memory = yield* QueueJournal.memory()
      const journal = { ...memory, append: () => Effect.fail(new JournalError({ reason: "disk full" })) }
      const queue = yield* LocalFifoQueue.make({ name: "rp-mw-events.fifo", journal })
      const error = yield* Effect.flip(sendVia(queue, envelope("c1", "e1")))
      expect(error._tag).toBe("QueueUnavailable")
      expect(error.reason).toContain("disk full")
    }))

  it.effect("a message over the queue's maximum size is MessageTooLarge (not QueueUnavailable), so ingress answers 413, not 503", () =>
    Effect.gen(function*() {
      const queue = yield* LocalFifoQueue.make({ name: "rp-mw-events.fifo", maxMessageBytes: 200 })
      const event = envelope("c1", "e1")
      const size = Buffer.byteLength(JSON.stringify(event), "utf8")
      const error = yield* Effect.flip(sendVia(queue, event))
      expect(error).toMatchObject({ _tag: "MessageTooLarge", sizeBytes: size, maxBytes: 200 })
      expect(error.reason).toContain("rp-mw-events.fifo")
      expect((yield* queue.stats).total).toBe(0)
    }))
})
