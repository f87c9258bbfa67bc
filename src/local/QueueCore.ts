import * as Clock from "effect/Clock"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Ref from "effect/Ref"
import { receiveEntry, replay, sendEntry, snapshot } from "./FifoReplay.js"
import * as S from "./FifoState.js"
import type { JournalEntry, JournalError } from "./JournalEntry.js"
import type { QueueJournal } from "./QueueJournal.js"

/** What every operation of one `LocalFifoQueue` shares: its state, its journal and its wake-up signal. */
export interface QueueCore {
  readonly name: string
  readonly arn: string
  readonly windowMs: number
  readonly state: Ref.Ref<S.FifoState>
  /** Long polls wait on the current deferred; `notify` completes it and installs a fresh one. */
  readonly signal: Ref.Ref<Deferred.Deferred<void>>
  readonly notify: Effect.Effect<void>
  readonly write: (entries: ReadonlyArray<JournalEntry>) => Effect.Effect<void, JournalError>
  /** `Committing` until journaled when there is a journal, else deliverable at once. */
  readonly initialStatus: (done: Deferred.Deferred<void, JournalError>) => S.MessageStatus
  /**
   * Journals freshly inserted messages, then makes them deliverable, or takes them back if that failed.
   * Run it uninterruptibly after the insert: an abandoned commit leaves a `Committing` message blocking its group.
   */
  readonly commit: (
    inserted: ReadonlyArray<S.StoredMessage>,
    done: Deferred.Deferred<void, JournalError>,
    forgetDedup: boolean
  ) => Effect.Effect<void, JournalError>
}

/** Restores the state from the journal (then compacts it) so a restart loses nothing acknowledged. */
export const makeCore = (
  name: string,
  windowMs: number,
  journal: QueueJournal | undefined
): Effect.Effect<QueueCore, JournalError> =>
  Effect.gen(function*() {
    const started = yield* Clock.currentTimeMillis
    const restored = journal === undefined ? S.empty : replay(yield* journal.load(), started, windowMs)
    if (journal !== undefined) yield* journal.compact(snapshot(restored, started, windowMs))
    const state = yield* Ref.make(restored)
    const signal = yield* Ref.make(yield* Deferred.make<void>())
    const notify = Deferred.make<void>().pipe(
      Effect.flatMap((next) => Ref.getAndSet(signal, next)),
      Effect.flatMap((fired) => Deferred.succeed(fired, undefined))
    )
    const write = (entries: ReadonlyArray<JournalEntry>) =>
      journal === undefined || entries.length === 0 ? Effect.void : journal.append(entries)

    const commit: QueueCore["commit"] = (inserted, done, forgetDedup) =>
      Effect.gen(function*() {
        if (inserted.length === 0) return
        if (journal === undefined) return yield* notify
        const ids = inserted.map((m) => m.messageId)
        const written = yield* Effect.exit(write(inserted.flatMap((m) => m.receiveCount > 0 ? [sendEntry(m), receiveEntry(m)] : [sendEntry(m)])))
        yield* Ref.update(state, (s) =>
          Exit.isSuccess(written)
            ? S.setStatus(s, ids, { _tag: "Ready" })
            : inserted.reduce((acc, m) => {
              const without = S.remove(acc, [m.messageId])
              return forgetDedup ? S.unregisterDedup(without, m.deduplicationId, m.messageId) : without
            }, s))
        yield* Deferred.done(done, written)
        yield* notify
        return yield* written
      })

    return {
      name,
      arn: `arn:aws:sqs:local:000000000000:${name}`,
      windowMs,
      state,
      signal,
      notify,
      write,
      initialStatus: (done) => journal === undefined ? { _tag: "Ready" } : { _tag: "Committing", done },
      commit
    }
  })
