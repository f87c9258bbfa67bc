import { describe, expect, it } from "@effect/vitest"
import { Cause, Clock, Deferred, Effect, Exit, Fiber, Option, Ref, TestClock } from "effect"
import { JournalError } from "../../src/local/JournalEntry.js"
import { DEFAULT_MAX_MESSAGE_BYTES, LocalFifoQueue, type ReceivedMessage } from "../../src/local/LocalFifoQueue.js"
import { QueueJournal } from "../../src/local/QueueJournal.js"

const send = (q: LocalFifoQueue, groupId: string, id: string) =>
  q.send({ body: id, groupId, deduplicationId: `dedup-${id}` })
const sendAll = (q: LocalFifoQueue, messages: ReadonlyArray<readonly [group: string, id: string]>) =>
  Effect.forEach(messages, ([group, id]) => send(q, group, id))
const bodies = (messages: ReadonlyArray<ReceivedMessage>) => messages.map((m) => m.body)
const receive = (q: LocalFifoQueue, maxMessages = 10) => q.receive({ maxMessages })
const deleteAll = (q: LocalFifoQueue, messages: ReadonlyArray<ReceivedMessage>) =>
  Effect.forEach(messages, (m) => q.deleteMessage(m.receiptHandle), { discard: true })

describe("LocalFifoQueue", () => {
  it.effect("delivers a group strictly in order, several messages per batch", () =>
    Effect.gen(function*() {
      const q = yield* LocalFifoQueue.make({ name: "q.fifo" })
      yield* sendAll(q, [["A", "a1"], ["A", "a2"], ["A", "a3"]])
      const first = yield* receive(q, 2)
      expect(bodies(first)).toEqual(["a1", "a2"])
      expect(first[0]!.sequenceNumber < first[1]!.sequenceNumber).toBe(true)
      yield* deleteAll(q, first)
      expect(bodies(yield* receive(q))).toEqual(["a3"])
    }))

  it.effect("a group with a message in flight yields nothing; other groups still flow", () =>
    Effect.gen(function*() {
      const q = yield* LocalFifoQueue.make({ name: "q.fifo" })
      yield* sendAll(q, [["A", "a1"], ["A", "a2"], ["B", "b1"]])
      const [a1] = yield* receive(q, 1)
      expect(a1?.body).toBe("a1")
      expect(bodies(yield* receive(q))).toEqual(["b1"])
      expect((yield* q.stats).blockedGroups).toBe(2)
      yield* q.deleteMessage(a1!.receiptHandle)
      expect(bodies(yield* receive(q))).toEqual(["a2"])
    }))

  it.effect("interleaved groups each keep their own order, oldest group first", () =>
    Effect.gen(function*() {
      const q = yield* LocalFifoQueue.make({ name: "q.fifo" })
      yield* sendAll(q, [["B", "b1"], ["A", "a1"], ["B", "b2"], ["C", "c1"], ["A", "a2"]])
      const batch = yield* receive(q)
      expect(bodies(batch)).toEqual(["b1", "b2", "a1", "a2", "c1"])
      expect(batch.map((m) => m.attributes.MessageGroupId)).toEqual(["B", "B", "A", "A", "C"])
      expect(yield* receive(q)).toEqual([])
    }))

  it.effect("an expired visibility timeout redelivers with a new handle and count 2; the old handle is dead", () =>
    Effect.gen(function*() {
      const q = yield* LocalFifoQueue.make({ name: "q.fifo", visibilityTimeoutMs: 30_000 })
      yield* sendAll(q, [["A", "a1"], ["A", "a2"]])
      const [first] = yield* receive(q, 1)
      expect(first?.attributes.ApproximateReceiveCount).toBe("1")
      yield* TestClock.adjust("29999 millis")
      expect(yield* receive(q)).toEqual([])
      yield* TestClock.adjust("1 millis")
      const [again] = yield* receive(q, 1)
      expect(again?.body).toBe("a1")
      expect(again?.attributes.ApproximateReceiveCount).toBe("2")
      expect(again?.attributes.ApproximateFirstReceiveTimestamp).toBe("0")
      expect(again?.receiptHandle).not.toBe(first?.receiptHandle)
      const stale = yield* Effect.flip(q.deleteMessage(first!.receiptHandle))
      expect(stale._tag).toBe("ReceiptHandleIsInvalid")
      yield* q.deleteMessage(again!.receiptHandle)
      expect(bodies(yield* receive(q))).toEqual(["a2"])
    }))

  it.effect("changeMessageVisibility(0) releases at once; a longer timeout holds the group", () =>
    Effect.gen(function*() {
      const q = yield* LocalFifoQueue.make({ name: "q.fifo", visibilityTimeoutMs: 1_000 })
      yield* send(q, "A", "a1")
      const [first] = yield* receive(q)
      yield* q.changeMessageVisibility(first!.receiptHandle, 0)
      const [second] = yield* receive(q)
      expect(second?.attributes.ApproximateReceiveCount).toBe("2")
      yield* q.changeMessageVisibility(second!.receiptHandle, 60_000)
      yield* TestClock.adjust("59 seconds")
      expect(yield* receive(q)).toEqual([])
      const stale = yield* Effect.flip(q.changeMessageVisibility(first!.receiptHandle, 0))
      expect(stale._tag).toBe("ReceiptHandleIsInvalid")
    }))

  it.effect("a deduplication id is dropped for 5 minutes from its first send, even after delete", () =>
    Effect.gen(function*() {
      const q = yield* LocalFifoQueue.make({ name: "q.fifo" })
      const original = yield* send(q, "A", "a1")
      const repeat = yield* send(q, "A", "a1")
      expect(repeat).toEqual({ ...original, duplicate: true })
      yield* deleteAll(q, yield* receive(q))
      yield* TestClock.adjust("4 minutes")
      expect((yield* send(q, "A", "a1")).duplicate).toBe(true)
      expect(yield* receive(q)).toEqual([])
      yield* TestClock.adjust("1 minute")
      const fresh = yield* send(q, "A", "a1")
      expect(fresh.duplicate).toBe(false)
      expect(fresh.messageId).not.toBe(original.messageId)
      expect(bodies(yield* receive(q))).toEqual(["a1"])
    }))

  it.effect("after maxReceiveCount receives the message moves to the DLQ and its group moves on", () =>
    Effect.gen(function*() {
      const dlq = yield* LocalFifoQueue.make({ name: "q-dlq.fifo" })
      const q = yield* LocalFifoQueue.make({ name: "q.fifo", visibilityTimeoutMs: 1_000, maxReceiveCount: 2, deadLetterQueue: dlq })
      yield* q.send({ body: "a1", groupId: "A", deduplicationId: "dedup-a1", attributes: { AWSTraceHeader: "Root=1-abc" } })
      yield* send(q, "A", "a2")
      expect(bodies(yield* receive(q, 1))).toEqual(["a1"])
      yield* TestClock.adjust("1 second")
      expect(bodies(yield* receive(q, 1))).toEqual(["a1"])
      yield* TestClock.adjust("1 second")
      expect(bodies(yield* receive(q, 1))).toEqual(["a2"])
      const [dead] = yield* receive(dlq)
      expect(dead?.body).toBe("a1")
      expect(dead?.attributes).toMatchObject({
        MessageGroupId: "A",
        MessageDeduplicationId: "dedup-a1",
        AWSTraceHeader: "Root=1-abc",
        DeadLetterQueueSourceArn: q.arn
      })
      expect((yield* q.stats).total).toBe(1)
    }))

  it.effect("redriveAll moves every DLQ message back, in order, with a fresh receive count", () =>
    Effect.gen(function*() {
      const dlq = yield* LocalFifoQueue.make({ name: "q-dlq.fifo" })
      const q = yield* LocalFifoQueue.make({ name: "q.fifo", visibilityTimeoutMs: 1_000, maxReceiveCount: 1, deadLetterQueue: dlq })
      yield* sendAll(q, [["A", "a1"], ["B", "b1"]])
      yield* receive(q)
      yield* TestClock.adjust("1 second")
      expect(yield* receive(q)).toEqual([])
      expect((yield* dlq.list).map((m) => m.body)).toEqual(["a1", "b1"])
      expect(yield* dlq.redriveAll(q)).toBe(2)
      expect((yield* dlq.stats).total).toBe(0)
      const redriven = yield* receive(q)
      expect(bodies(redriven)).toEqual(["a1", "b1"])
      expect(redriven.map((m) => m.attributes.ApproximateReceiveCount)).toEqual(["1", "1"])
      expect(redriven[0]?.attributes.DeadLetterQueueSourceArn).toBeUndefined()
    }))

  it.effect("a long poll wakes on send without waiting for its timeout", () =>
    Effect.gen(function*() {
      const q = yield* LocalFifoQueue.make({ name: "q.fifo" })
      const poll = yield* Effect.fork(q.receive({ maxMessages: 10, waitTimeMs: 20_000 }))
      yield* TestClock.adjust("1 second")
      expect(Option.isNone(yield* Fiber.poll(poll))).toBe(true)
      yield* send(q, "A", "a1")
      expect(bodies(yield* Fiber.join(poll))).toEqual(["a1"])
      expect(yield* Clock.currentTimeMillis).toBe(1_000)
    }))

  it.effect("a long poll wakes when its group unblocks or a visibility expires, and ends empty at its deadline", () =>
    Effect.gen(function*() {
      const q = yield* LocalFifoQueue.make({ name: "q.fifo", visibilityTimeoutMs: 30_000 })
      yield* sendAll(q, [["A", "a1"], ["A", "a2"]])
      const [a1] = yield* receive(q, 1)
      const afterDelete = yield* Effect.fork(q.receive({ maxMessages: 1, waitTimeMs: 20_000 }))
      yield* TestClock.adjust("1 second")
      yield* q.deleteMessage(a1!.receiptHandle)
      const [a2] = yield* Fiber.join(afterDelete)
      expect(a2?.body).toBe("a2")
      const afterExpiry = yield* Effect.fork(q.receive({ maxMessages: 1, waitTimeMs: 60_000 }))
      yield* TestClock.adjust("30 seconds")
      expect(bodies(yield* Fiber.join(afterExpiry))).toEqual(["a2"])
      const empty = yield* Effect.fork(q.receive({ maxMessages: 1, waitTimeMs: 5_000 }))
      yield* TestClock.adjust("5 seconds")
      expect(yield* Fiber.join(empty)).toEqual([])
    }))

  it.effect("a send whose journal write fails is not enqueued and its deduplication id stays free", () =>
    Effect.gen(function*() {
      const memory = yield* QueueJournal.memory()
      const broken = yield* Ref.make(true)
      const journal = {
        ...memory,
        append: (entries: Parameters<typeof memory.append>[0]) =>
          Effect.flatMap(Ref.get(broken), (b) => b ? Effect.fail(new JournalError({ reason: "disk full" })) : memory.append(entries))
      }
      const q = yield* LocalFifoQueue.make({ name: "q.fifo", journal })
      const failed = yield* Effect.exit(send(q, "A", "a1"))
      expect(Exit.isFailure(failed)).toBe(true)
      expect((yield* q.stats).total).toBe(0)
      yield* Ref.set(broken, false)
      expect((yield* send(q, "A", "a1")).duplicate).toBe(false)
      expect(bodies(yield* receive(q))).toEqual(["a1"])
    }))

  it.effect("a message is neither delivered nor acknowledged before its journal line is durable", () =>
    Effect.gen(function*() {
      const memory = yield* QueueJournal.memory()
      const gate = yield* Deferred.make<void>()
      const journal = { ...memory, append: (entries: Parameters<typeof memory.append>[0]) => Deferred.await(gate).pipe(Effect.zipRight(memory.append(entries))) }
      const q = yield* LocalFifoQueue.make({ name: "q.fifo", journal })
      const first = yield* Effect.fork(send(q, "A", "a1"))
      const repeat = yield* Effect.fork(send(q, "A", "a1"))
      yield* TestClock.adjust("1 second")
      expect(yield* receive(q)).toEqual([])
      expect(Option.isNone(yield* Fiber.poll(first))).toBe(true)
      expect(Option.isNone(yield* Fiber.poll(repeat))).toBe(true)
      yield* Deferred.succeed(gate, undefined)
      const accepted = yield* Fiber.join(first)
      expect(yield* Fiber.join(repeat)).toEqual({ ...accepted, duplicate: true })
      expect(bodies(yield* receive(q))).toEqual(["a1"])
    }))

  it.effect("refuses a body over MaximumMessageSize (1 MiB by default, in UTF-8 bytes) with a typed error, as SQS does", () =>
    Effect.gen(function*() {
      const q = yield* LocalFifoQueue.make({ name: "q.fifo" })
      expect(DEFAULT_MAX_MESSAGE_BYTES).toBe(1_048_576)
      const tooLong = yield* Effect.flip(q.send({ body: "x".repeat(1_048_577), groupId: "A", deduplicationId: "big" }))
      expect(tooLong).toMatchObject({ _tag: "MaximumMessageSizeExceeded", queue: "q.fifo", sizeBytes: 1_048_577, maxBytes: 1_048_576 })
      // Characters are not bytes: 524,289 two-byte characters are 1,048,578 bytes.
      const multibyte = yield* Effect.flip(q.send({ body: "é".repeat(524_289), groupId: "A", deduplicationId: "big-2" }))
      expect(multibyte).toMatchObject({ _tag: "MaximumMessageSizeExceeded", sizeBytes: 1_048_578 })
      expect((yield* q.stats).total).toBe(0)
      // The refusal registered nothing: the same deduplication id with a body that fits is a new message.
      const fits = yield* q.send({ body: "x".repeat(1_048_576), groupId: "A", deduplicationId: "big" })
      expect(fits.duplicate).toBe(false)
      expect((yield* receive(q)).map((m) => m.body.length)).toEqual([1_048_576])
    }))

  it.effect("the maximum message size is configurable, as the queue attribute is", () =>
    Effect.gen(function*() {
      const q = yield* LocalFifoQueue.make({ name: "q.fifo", maxMessageBytes: 4 })
      yield* send(q, "A", "abcd")
      const error = yield* Effect.flip(send(q, "A", "abcde"))
      expect(error).toMatchObject({ _tag: "MaximumMessageSizeExceeded", sizeBytes: 5, maxBytes: 4 })
      expect(bodies(yield* receive(q))).toEqual(["abcd"])
    }))

  it.effect("maxMessages outside 1-10 is a defect", () =>
    Effect.gen(function*() {
      const q = yield* LocalFifoQueue.make({ name: "q.fifo" })
      const exit = yield* Effect.exit(q.receive({ maxMessages: 11 }))
      expect(Exit.isFailure(exit) && Cause.isDie(exit.cause)).toBe(true)
    }))
})
