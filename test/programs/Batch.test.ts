import { describe, expect, it } from "@effect/vitest"
import { Effect, Fiber, TestClock } from "effect"
import { processFifoBatch, type QueueRecord } from "../../src/programs/Batch.js"

const record = (messageId: string, groupId: string): QueueRecord => ({ messageId, receiptHandle: `rh-${messageId}`, groupId, body: "{}", receiveCount: 1 })

describe("processFifoBatch", () => {
  it.effect("processes in order and skips only the failed conversation (a1, b1 fails, a2, b2, c1)", () =>
    Effect.gen(function* () {
      const seen: Array<string> = []
      const result = yield* processFifoBatch(
        [record("a1", "A"), record("b1", "B"), record("a2", "A"), record("b2", "B"), record("c1", "C")],
        (r) => {
          seen.push(r.messageId)
          return r.messageId === "b1" ? Effect.fail("boom") : Effect.void
        }
      )
      expect(seen).toEqual(["a1", "b1", "a2", "c1"])
      expect(result.batchItemFailures).toEqual([{ itemIdentifier: "b1" }, { itemIdentifier: "b2" }])
    })
  )

  it.effect("treats a defect like a failure, never losing the rest of the batch", () =>
    Effect.gen(function* () {
      const result = yield* processFifoBatch([record("a1", "A"), record("b1", "B")], (r) =>
        r.messageId === "a1" ? Effect.die(new Error("bug")) : Effect.void
      )
      expect(result.batchItemFailures).toEqual([{ itemIdentifier: "a1" }])
    })
  )
})

describe("processFifoBatch under an invocation deadline", () => {
  it.effect("does not start records once the time budget is spent; they go back to the queue unprocessed", () =>
    Effect.gen(function* () {
      const seen: Array<string> = []
      const slow = (r: QueueRecord) => Effect.sync(() => seen.push(r.messageId)).pipe(Effect.zipRight(Effect.sleep("10 seconds")))
      const fiber = yield* Effect.fork(
        processFifoBatch([record("a1", "A"), record("b1", "B"), record("c1", "C")], slow, { startWithinMs: 15_000 })
      )
      yield* TestClock.adjust("30 seconds")
      const result = yield* Fiber.join(fiber)
      expect(seen).toEqual(["a1", "b1"])
      expect(result.batchItemFailures).toEqual([{ itemIdentifier: "c1" }])
    })
  )
})
