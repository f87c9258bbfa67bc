import * as Clock from "effect/Clock"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as HashMap from "effect/HashMap"
import * as Ref from "effect/Ref"
import { deleteEntry } from "./FifoReplay.js"
import * as S from "./FifoState.js"
import type { JournalError } from "./JournalEntry.js"
import type { LocalFifoQueue } from "./LocalFifoQueue.js"
import type { QueueCore } from "./QueueCore.js"
import { type MovedMessage, toMoved } from "./QueueMessages.js"

/**
 * Moving messages between queues (DLQ moves, redrive). The copy is made durable in the target before the
 * source forgets the message, so a crash in between duplicates a message rather than losing it.
 */
export const transfers = (core: QueueCore) => {
  const { state, notify, write } = core

  const adopt = (moved: ReadonlyArray<MovedMessage>): Effect.Effect<void, JournalError> =>
    Effect.uninterruptible(Effect.gen(function*() {
      const now = yield* Clock.currentTimeMillis
      const done = yield* Deferred.make<void, JournalError>()
      const inserted = yield* Ref.modify(state, (s) => {
        const out: Array<S.StoredMessage> = []
        let acc = s
        // Already present: an earlier move was interrupted between this insert and the source's delete.
        for (const m of moved.filter((m) => !HashMap.has(s.messages, m.messageId))) {
          const stored: S.StoredMessage = { ...m, seq: acc.nextSeq, status: core.initialStatus(done) }
          const record = { messageId: m.messageId, seq: stored.seq, firstSentAt: m.sentAt }
          acc = S.registerDedup(S.insert(acc, stored), m.deduplicationId, record, now, core.windowMs)
          out.push(stored)
        }
        return [out, acc] as const
      })
      yield* core.commit(inserted, done, false)
    }))

  /** Copies messages already marked `Moving` to `target`, then deletes them here; reverts them if the copy fails. */
  const moveOut = (
    taken: ReadonlyArray<S.StoredMessage>,
    target: LocalFifoQueue,
    reshape: (m: MovedMessage) => MovedMessage
  ): Effect.Effect<void, JournalError> =>
    Effect.gen(function*() {
      const ids = taken.map((m) => m.messageId)
      const copied = yield* Effect.exit(target.adopt(taken.map((m) => reshape(toMoved(m)))))
      if (Exit.isFailure(copied)) {
        // No notify: waking long polls would only make them retry the failing move at once.
        yield* Ref.update(state, (s) => S.setStatus(s, ids, { _tag: "Ready" }))
        return yield* copied
      }
      yield* Ref.update(state, (s) => S.remove(s, ids))
      yield* notify
      yield* write(ids.map(deleteEntry))
    })

  /** True when moved; on failure the messages stay here and the next receive retries: nothing is lost. */
  const moveToDeadLetter = (deadLetterQueue: LocalFifoQueue, taken: ReadonlyArray<S.StoredMessage>) =>
    moveOut(taken, deadLetterQueue, (m) => ({ ...m, system: { ...m.system, DeadLetterQueueSourceArn: core.arn } })).pipe(
      Effect.as(true),
      Effect.catchAll((e) =>
        Effect.logWarning(`${core.name}: move to ${deadLetterQueue.name} failed: ${e.reason}`).pipe(Effect.as(false))
      )
    )

  const redriveAll = Effect.fn("LocalFifoQueue.redriveAll")(function*(target: LocalFifoQueue) {
    const now = yield* Clock.currentTimeMillis
    return yield* Effect.uninterruptible(Effect.gen(function*() {
      const taken = yield* Ref.modify(state, (s) => {
        const visible = S.allMessages(s).filter((m) => S.isVisible(m, now))
        return [visible, S.setStatus(s, visible.map((m) => m.messageId), { _tag: "Moving" })] as const
      })
      if (taken.length > 0) {
        // A redriven message starts afresh: full receive budget, no longer marked as dead-lettered.
        yield* moveOut(taken, target, ({ system: { DeadLetterQueueSourceArn: _source, ...system }, ...m }) => ({
          ...m,
          system,
          receiveCount: 0,
          firstReceivedAt: undefined
        }))
      }
      return taken.length
    }))
  })

  return { adopt, moveToDeadLetter, redriveAll }
}
