import type { FileHandle } from "node:fs/promises"
import * as fs from "node:fs/promises"
import * as nodePath from "node:path"
import * as Chunk from "effect/Chunk"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Ref from "effect/Ref"
import * as Schema from "effect/Schema"
import type * as Scope from "effect/Scope"
import { JournalEntry, JournalError } from "./JournalEntry.js"
import type { FileQueueJournal } from "./QueueJournal.js"

/** Lines waiting for the next flush, and the signal every appender of those lines waits on. */
interface Batch {
  readonly text: Chunk.Chunk<string>
  readonly done: Deferred.Deferred<void, JournalError>
  /** A flusher fiber is running and will pick this batch up: appenders only wait. */
  readonly flushing: boolean
}

const emptyBatch = (flushing: boolean) =>
  Effect.map(Deferred.make<void, JournalError>(), (done): Batch => ({ text: Chunk.empty(), done, flushing }))

const decodeLine = Schema.decodeUnknownOption(Schema.parseJson(JournalEntry))

/**
 * JSON-lines journal with group commit: an appender adds its lines to the open batch and waits for that
 * batch to be durable. One flusher fiber at a time writes and `fdatasync`s everything batched so far, then
 * the lines that arrived meanwhile, until none are left; so appends arriving during a sync share the next
 * one, and each `append` still returns only once its own lines are on disk. (A flush lock that appenders
 * queue on instead degrades to one sync per append under sustained load: already-durable appenders have
 * to pass the lock one by one while each newcomer flushes alone.)
 */
export const make = (path: string): Effect.Effect<FileQueueJournal, JournalError, Scope.Scope> =>
  Effect.gen(function*() {
    const io = <A>(what: string, run: () => Promise<A>) =>
      Effect.tryPromise({
        try: run,
        catch: (cause) => new JournalError({ reason: `${what} ${path}: ${String(cause)}`, cause })
      })

    yield* io("create directory of", () => fs.mkdir(nodePath.dirname(path), { recursive: true }))
    const handle = yield* Effect.acquireRelease(
      io("open", () => openForAppend(path)).pipe(Effect.flatMap((h) => Ref.make(Option.some(h)))),
      (ref) => Ref.get(ref).pipe(Effect.flatMap(Option.match({
        onNone: () => Effect.void,
        onSome: (h) => Effect.tryPromise(() => h.close()).pipe(Effect.ignore)
      })))
    )
    const lock = yield* Effect.makeSemaphore(1)
    const syncs = yield* Ref.make(0)
    const open = yield* Ref.make<Batch>(yield* emptyBatch(false))

    const current = Ref.get(handle).pipe(
      Effect.flatMap(Option.match({
        // Only after a failed compaction: never write into the unlinked old file.
        onNone: () => Effect.fail(new JournalError({ reason: `journal ${path} is closed` })),
        onSome: Effect.succeed
      }))
    )

    /** Writes one batch, or returns false (and stands down) when nothing is left. */
    const flushOnce = Effect.gen(function*() {
      const next = yield* emptyBatch(true)
      const batch = yield* Ref.modify(open, (b) =>
        Chunk.isEmpty(b.text) ? [Option.none(), { ...b, flushing: false }] as const : [Option.some(b), next] as const)
      if (Option.isNone(batch)) return false
      const written = yield* current.pipe(
        Effect.flatMap((h) =>
          io("append to", () => h.appendFile(Chunk.join(batch.value.text, ""), "utf8")).pipe(
            Effect.zipRight(io("sync", () => h.datasync())),
            Effect.zipRight(Ref.update(syncs, (n) => n + 1))
          )
        ),
        Effect.exit
      )
      yield* Deferred.done(batch.value.done, written)
      return true
    })

    // Each round holds the lock so `compact` and `load` never interleave with a half-written batch.
    const flushLoop = Effect.uninterruptible(lock.withPermits(1)(flushOnce)).pipe(Effect.repeat({ while: (more) => more }))

    const append = (entries: ReadonlyArray<JournalEntry>) =>
      Effect.gen(function*() {
        if (entries.length === 0) return
        const text = entries.map((entry) => JSON.stringify(entry) + "\n").join("")
        // Uninterruptible: claiming the flusher role and starting it must not be torn apart, or nobody flushes.
        const mine = yield* Effect.uninterruptible(Effect.gen(function*() {
          const [done, lead] = yield* Ref.modify(open, (b) =>
            [[b.done, !b.flushing] as const, { ...b, text: Chunk.append(b.text, text), flushing: true }] as const)
          // Daemon: the flusher outlives this append when others keep arriving; it stops once the batch is empty.
          if (lead) yield* Effect.forkDaemon(flushLoop)
          return done
        }))
        yield* Deferred.await(mine)
      })

    const load = () =>
      lock.withPermits(1)(
        io("read", () => fs.readFile(path, "utf8")).pipe(
          Effect.flatMap((text) => {
            const lines = text.split("\n").filter((line) => line.trim() !== "")
            const entries = lines.flatMap((line) => Option.toArray(decodeLine(line)))
            const skipped = lines.length - entries.length
            return skipped === 0
              ? Effect.succeed(entries)
              : Effect.logWarning(`queue journal ${path}: skipped ${skipped} unreadable line(s)`).pipe(Effect.as(entries))
          })
        )
      )

    // Write-then-rename, so a crash leaves either the old or the new journal, never half of one.
    const compact = (entries: ReadonlyArray<JournalEntry>) =>
      Effect.uninterruptible(lock.withPermits(1)(Effect.gen(function*() {
        const tmp = `${path}.compact`
        yield* io("write", () => writeDurably(tmp, entries.map((e) => JSON.stringify(e) + "\n").join("")))
        const old = yield* Ref.getAndSet(handle, Option.none())
        yield* Option.match(old, { onNone: () => Effect.void, onSome: (h) => Effect.tryPromise(() => h.close()).pipe(Effect.ignore) })
        yield* io("replace", () => fs.rename(tmp, path))
        yield* syncDirectory(nodePath.dirname(path))
        yield* Ref.set(handle, Option.some(yield* io("reopen", () => openForAppend(path))))
      })))

    return { path, append, load, compact, syncCount: Ref.get(syncs) }
  })

/** Opens for appending; a torn last line (killed mid-write) is closed with "\n" so the next line stays intact. */
const openForAppend = async (path: string): Promise<FileHandle> => {
  const handle = await fs.open(path, "a+")
  const { size } = await handle.stat()
  if (size > 0) {
    const last = Buffer.alloc(1)
    await handle.read(last, 0, 1, size - 1)
    if (last[0] !== 0x0a) {
      await handle.appendFile("\n")
      await handle.datasync()
    }
  }
  return handle
}

const writeDurably = async (path: string, text: string) => {
  const handle = await fs.open(path, "w")
  try {
    await handle.writeFile(text, "utf8")
    await handle.datasync()
  } finally {
    await handle.close()
  }
}

/** Makes the rename itself durable. Best effort: some platforms cannot open a directory for syncing. */
const syncDirectory = (dir: string) =>
  Effect.tryPromise(async () => {
    const handle = await fs.open(dir, "r")
    try {
      await handle.sync()
    } finally {
      await handle.close()
    }
  }).pipe(Effect.ignore)
