import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { afterAll, describe, expect, it } from "@effect/vitest"
import { Effect, TestClock } from "effect"
import { makeDurableQueues } from "../../src/local/DurableQueues.js"
import type { JournalEntry } from "../../src/local/JournalEntry.js"
import { LocalFifoQueue, type ReceivedMessage } from "../../src/local/LocalFifoQueue.js"
import { QueueJournal } from "../../src/local/QueueJournal.js"

const root = fs.mkdtempSync(path.join(os.tmpdir(), "rp-mw-journal-"))
afterAll(() => fs.rmSync(root, { recursive: true, force: true }))
let n = 0
const freshFile = () => path.join(root, `case-${++n}`, "q.fifo.jsonl")

const send = (q: LocalFifoQueue, groupId: string, id: string) =>
  q.send({ body: id, groupId, deduplicationId: `dedup-${id}` })
const bodies = (messages: ReadonlyArray<{ readonly body: string }>) => messages.map((m) => m.body)
const receive = (q: LocalFifoQueue, maxMessages = 10) => q.receive({ maxMessages })
const deleteAll = (q: LocalFifoQueue, messages: ReadonlyArray<ReceivedMessage>) =>
  Effect.forEach(messages, (m) => q.deleteMessage(m.receiptHandle), { discard: true })

/** A queue on a file journal, open only for `use`: closing the scope is the "process exit". */
const withFileQueue = <A, E>(file: string, use: (q: LocalFifoQueue) => Effect.Effect<A, E>) =>
  Effect.scoped(
    QueueJournal.file(file).pipe(
      Effect.flatMap((journal) => LocalFifoQueue.make({ name: "q.fifo", journal })),
      Effect.flatMap(use)
    )
  )

const sendLine = (id: string, seq: number): JournalEntry =>
  ({ op: "send", id, seq, group: "A", dedup: `dedup-${id}`, body: id, at: 0 })

describe("QueueJournal + LocalFifoQueue restart", () => {
  it.effect("restores undeleted messages in order with receive counts and the dedup window", () =>
    Effect.gen(function*() {
      const journal = yield* QueueJournal.memory()
      const before = yield* LocalFifoQueue.make({ name: "q.fifo", journal })
      yield* Effect.forEach([["A", "a1"], ["A", "a2"], ["B", "b1"]] as const, ([g, id]) => send(before, g, id))
      const [a1, a2, b1] = yield* receive(before)
      expect([a1?.body, a2?.body, b1?.body]).toEqual(["a1", "a2", "b1"])
      yield* before.deleteMessage(b1!.receiptHandle)

      yield* TestClock.adjust("1 minute")
      const after = yield* LocalFifoQueue.make({ name: "q.fifo", journal })
      expect((yield* after.list).map((m) => [m.body, m.receiveCount, m.state])).toEqual([
        ["a1", 1, "visible"],
        ["a2", 1, "visible"]
      ])
      expect((yield* send(after, "B", "b1")).duplicate).toBe(true)
      const [again] = yield* receive(after, 1)
      expect(again?.attributes.ApproximateReceiveCount).toBe("2")
      expect((yield* after.send({ body: "c1", groupId: "C", deduplicationId: "dedup-c1" })).sequenceNumber > a1!.sequenceNumber)
        .toBe(true)

      yield* TestClock.adjust("5 minutes")
      const later = yield* LocalFifoQueue.make({ name: "q.fifo", journal })
      expect((yield* send(later, "B", "b1")).duplicate).toBe(false)
    }))

  it.effect("a file journal survives a restart, and compaction drops deleted messages", () =>
    Effect.gen(function*() {
      const file = freshFile()
      yield* withFileQueue(file, (q) =>
        Effect.gen(function*() {
          yield* Effect.forEach(["a1", "a2", "a3"], (id) => send(q, "A", id))
          yield* deleteAll(q, yield* receive(q, 1))
        }))
      const restored = yield* withFileQueue(file, (q) =>
        Effect.gen(function*() {
          const listed = bodies(yield* q.list)
          const duplicate = (yield* send(q, "A", "a1")).duplicate
          return { listed, duplicate, delivered: bodies(yield* receive(q)) }
        }))
      expect(restored).toEqual({ listed: ["a2", "a3"], duplicate: true, delivered: ["a2", "a3"] })
      const compacted = fs.readFileSync(file, "utf8")
      expect(compacted).not.toContain("\"body\":\"a1\"")
      expect(compacted.trim().split("\n").map((line) => JSON.parse(line).op)).toEqual(["meta", "dedup", "dedup", "dedup", "send", "send", "recv", "recv"])
    }))

  it.effect("a torn last line is skipped and later appends stay readable", () =>
    Effect.gen(function*() {
      const file = freshFile()
      fs.mkdirSync(path.dirname(file), { recursive: true })
      const complete = [sendLine("a1", 1), sendLine("a2", 2)].map((e) => JSON.stringify(e) + "\n").join("")
      fs.writeFileSync(file, complete + JSON.stringify(sendLine("a3", 3)).slice(0, 25))
      const loaded = yield* Effect.scoped(Effect.gen(function*() {
        const journal = yield* QueueJournal.file(file)
        yield* journal.append([sendLine("a4", 4)])
        return yield* journal.load()
      }))
      expect(loaded.map((e) => (e.op === "send" ? e.body : e.op))).toEqual(["a1", "a2", "a4"])
      const delivered = yield* withFileQueue(file, (q) => receive(q))
      expect(bodies(delivered)).toEqual(["a1", "a2", "a4"])
    }))

  // Bounded concurrency matters: with all appends arriving at once almost any design batches them, but a
  // steady stream is where a naive flush lock degrades to one sync per append.
  it.effect("a steady stream of appends shares fdatasyncs (group commit) and all land on disk", () =>
    Effect.gen(function*() {
      const file = freshFile()
      const { syncs, entries } = yield* Effect.scoped(Effect.gen(function*() {
        const journal = yield* QueueJournal.file(file)
        yield* Effect.forEach(Array.from({ length: 400 }, (_, i) => i), (i) => journal.append([sendLine(`m${i}`, i + 1)]), {
          concurrency: 20
        })
        return { syncs: yield* journal.syncCount, entries: yield* journal.load() }
      }))
      expect(entries.map((e) => (e.op === "send" ? e.seq : 0)).sort((a, b) => a - b)).toEqual(
        Array.from({ length: 400 }, (_, i) => i + 1)
      )
      expect(syncs).toBeGreaterThan(0)
      expect(syncs).toBeLessThanOrEqual(100)
    }))

  it.effect("concurrent sends through a durable queue share syncs and restore in sequence order", () =>
    Effect.gen(function*() {
      const file = freshFile()
      const syncs = yield* Effect.scoped(Effect.gen(function*() {
        const journal = yield* QueueJournal.file(file)
        const q = yield* LocalFifoQueue.make({ name: "q.fifo", journal })
        const before = yield* journal.syncCount
        yield* Effect.forEach(Array.from({ length: 200 }, (_, i) => `m${i}`), (id) => send(q, `G${id.length}`, id), {
          concurrency: 20
        })
        return (yield* journal.syncCount) - before
      }))
      expect(syncs).toBeLessThanOrEqual(50)
      const listed = yield* withFileQueue(file, (q) => q.list)
      expect(listed).toHaveLength(200)
      const sequence = listed.map((m) => m.sequenceNumber)
      expect(sequence).toEqual([...sequence].sort())
    }))

  it.effect("a durable queue pair keeps receive counts across a restart, so a poison message still reaches the DLQ", () =>
    Effect.gen(function*() {
      const dir = path.dirname(freshFile())
      const options = { dir, name: "rp-mw-events.fifo", visibilityTimeoutMs: 1_000, maxReceiveCount: 2 }
      yield* Effect.scoped(Effect.gen(function*() {
        const { queue } = yield* makeDurableQueues(options)
        yield* Effect.forEach(["a1", "a2"], (id) => send(queue, "A", id))
        yield* receive(queue, 1)
        yield* TestClock.adjust("1 second")
        yield* receive(queue, 1)
      }))
      const after = yield* Effect.scoped(Effect.gen(function*() {
        const { queue, deadLetterQueue } = yield* makeDurableQueues(options)
        return { delivered: bodies(yield* receive(queue)), dead: yield* deadLetterQueue.list, dlq: deadLetterQueue.name }
      }))
      expect(after.delivered).toEqual(["a2"])
      expect(after.dlq).toBe("rp-mw-events-dlq.fifo")
      expect(after.dead.map((m) => [m.body, m.attributes.DeadLetterQueueSourceArn])).toEqual([
        ["a1", "arn:aws:sqs:local:000000000000:rp-mw-events.fifo"]
      ])
      const deadAfterRestart = yield* Effect.scoped(
        makeDurableQueues(options).pipe(Effect.flatMap(({ deadLetterQueue }) => deadLetterQueue.list))
      )
      expect(bodies(deadAfterRestart)).toEqual(["a1"])
    }))
})
