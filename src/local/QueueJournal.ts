import * as Effect from "effect/Effect"
import * as Ref from "effect/Ref"
import type * as Scope from "effect/Scope"
import * as FileJournal from "./FileJournal.js"
import type { JournalEntry, JournalError } from "./JournalEntry.js"

export { JournalEntry, JournalError } from "./JournalEntry.js"

/** Durable log behind a `LocalFifoQueue`: `append` resolves only once its entries survive a crash. */
export interface QueueJournal {
  readonly append: (entries: ReadonlyArray<JournalEntry>) => Effect.Effect<void, JournalError>
  /** Every entry in write order; a torn or unreadable line is skipped, not fatal. */
  readonly load: () => Effect.Effect<ReadonlyArray<JournalEntry>, JournalError>
  /** Atomically replaces the whole journal with `entries` (a snapshot of the live state). */
  readonly compact: (entries: ReadonlyArray<JournalEntry>) => Effect.Effect<void, JournalError>
}

export interface FileQueueJournal extends QueueJournal {
  readonly path: string
  /** Number of `fdatasync` calls so far: group commit keeps it far below the number of appends. */
  readonly syncCount: Effect.Effect<number>
}

export interface MemoryQueueJournal extends QueueJournal {
  readonly entries: Effect.Effect<ReadonlyArray<JournalEntry>>
  readonly syncCount: Effect.Effect<number>
}

/** In-memory journal for tests: survives a queue "restart" as long as the same instance is reused. */
const memory = (initial: ReadonlyArray<JournalEntry> = []): Effect.Effect<MemoryQueueJournal> =>
  Effect.gen(function*() {
    const entries = yield* Ref.make<ReadonlyArray<JournalEntry>>(initial)
    const syncs = yield* Ref.make(0)
    return {
      append: (batch) =>
        batch.length === 0 ? Effect.void : Ref.update(entries, (all) => [...all, ...batch]).pipe(
          Effect.zipRight(Ref.update(syncs, (n) => n + 1))
        ),
      load: () => Ref.get(entries),
      compact: (snapshot) => Ref.set(entries, snapshot),
      entries: Ref.get(entries),
      syncCount: Ref.get(syncs)
    }
  })

const file: (path: string) => Effect.Effect<FileQueueJournal, JournalError, Scope.Scope> = FileJournal.make

export const QueueJournal = { file, memory } as const
