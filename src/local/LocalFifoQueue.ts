import { randomUUID } from "node:crypto"
import * as Clock from "effect/Clock"
import * as Deferred from "effect/Deferred"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as HashMap from "effect/HashMap"
import * as Option from "effect/Option"
import * as Ref from "effect/Ref"
import { nextVisibilityChange, type QueueStats, receiveStep, stats } from "./FifoReceive.js"
import { deleteEntry, receiveEntry } from "./FifoReplay.js"
import * as S from "./FifoState.js"
import type { JournalError } from "./JournalEntry.js"
import { makeCore } from "./QueueCore.js"
import type { QueueJournal } from "./QueueJournal.js"
import {
  InvalidMessageContents,
  MaximumMessageSizeExceeded,
  type MessageView,
  type MovedMessage,
  ReceiptHandleIsInvalid,
  type ReceiveInput,
  type ReceivedMessage,
  REFUSED_BODY_CHARACTER,
  type SendInput,
  type SendOutput,
  toReceived,
  toView
} from "./QueueMessages.js"
import { transfers } from "./QueueTransfers.js"

export {
  InvalidMessageContents,
  MaximumMessageSizeExceeded,
  type MessageView,
  type MovedMessage,
  type ReceivedAttributes,
  ReceiptHandleIsInvalid,
  type ReceiveInput,
  type ReceivedMessage,
  type SendInput,
  type SendOutput
} from "./QueueMessages.js"
export type { QueueStats } from "./FifoReceive.js"

/** SQS's `MaximumMessageSize` default (and maximum): 1 MiB. */
export const DEFAULT_MAX_MESSAGE_BYTES = 1_048_576

export interface LocalFifoQueueOptions {
  readonly name: string
  /** SQS `MaximumMessageSize`: a send whose body is longer (in UTF-8 bytes) fails. Default 1 MiB. */
  readonly maxMessageBytes?: number
  readonly visibilityTimeoutMs?: number
  readonly deduplicationWindowMs?: number
  /** Receives after which the next receive moves the message to `deadLetterQueue`; ignored without one. */
  readonly maxReceiveCount?: number
  readonly deadLetterQueue?: LocalFifoQueue
  /** Without a journal the queue lives in memory only. */
  readonly journal?: QueueJournal
}

/**
 * An in-process queue with SQS FIFO semantics; see `FifoReceive.receiveStep` for the delivery rules. Operations
 * are untraced: this stands in for SQS on a laptop, and a span per call cost more than the queue itself.
 */
export interface LocalFifoQueue {
  readonly name: string
  readonly arn: string
  /**
   * Resolves once the message is durable (journaled); a duplicate resolves once its original is. A body over the
   * maximum message size is refused before anything else, as SQS refuses it: it never becomes a message.
   */
  /** Refuses what SQS refuses: a body over `maxMessageBytes`, or holding a character outside SQS's set. */
  readonly send: (input: SendInput) => Effect.Effect<SendOutput, JournalError | MaximumMessageSizeExceeded | InvalidMessageContents>
  readonly receive: (input: ReceiveInput) => Effect.Effect<ReadonlyArray<ReceivedMessage>, JournalError>
  readonly deleteMessage: (receiptHandle: string) => Effect.Effect<void, ReceiptHandleIsInvalid | JournalError>
  readonly changeMessageVisibility: (receiptHandle: string, visibilityTimeoutMs: number) => Effect.Effect<void, ReceiptHandleIsInvalid>
  readonly stats: Effect.Effect<QueueStats>
  /** Every message in sequence order without receiving it. */
  readonly list: Effect.Effect<ReadonlyArray<MessageView>>
  /** Moves every visible message (in order, receive count reset) to `target`; returns how many moved. */
  readonly redriveAll: (target: LocalFifoQueue) => Effect.Effect<number, JournalError>
  /** Takes messages moved from another queue, bypassing deduplication; used by DLQ moves and redrive. */
  readonly adopt: (messages: ReadonlyArray<MovedMessage>) => Effect.Effect<void, JournalError>
}

const make = (options: LocalFifoQueueOptions): Effect.Effect<LocalFifoQueue, JournalError> =>
  Effect.gen(function*() {
    const { name, deadLetterQueue } = options
    const visibilityTimeoutMs = options.visibilityTimeoutMs ?? 180_000
    const windowMs = options.deduplicationWindowMs ?? 300_000
    const maxReceiveCount = deadLetterQueue === undefined ? undefined : options.maxReceiveCount ?? 5
    const maxMessageBytes = options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES
    // Part of every receipt handle, so handles issued before a restart never match again.
    const epoch = randomUUID().slice(0, 8)
    const core = yield* makeCore(name, windowMs, options.journal)
    const { state, signal, notify, write } = core
    const { adopt, moveToDeadLetter, redriveAll } = transfers(core)

    /** Inserts a new message (or finds the original of a duplicate) and, for a new one, makes it durable. */
    const accept = (input: SendInput) =>
      Effect.uninterruptible(Effect.gen(function*() {
        const now = yield* Clock.currentTimeMillis
        const done = yield* Deferred.make<void, JournalError>()
        const outcome = yield* Ref.modify(state, (s): readonly [Reservation, S.FifoState] =>
          Option.match(S.findDuplicate(s, input.deduplicationId, now, windowMs), {
            onSome: (original) => [{ _tag: "Duplicate", original, pending: pendingCommit(s, original.messageId) }, s],
            onNone: () => {
              const message: S.StoredMessage = {
                messageId: randomUUID(),
                seq: s.nextSeq,
                body: input.body,
                groupId: input.groupId,
                deduplicationId: input.deduplicationId,
                sentAt: now,
                system: input.attributes ?? {},
                receiveCount: 0,
                firstReceivedAt: undefined,
                status: core.initialStatus(done)
              }
              const record = { messageId: message.messageId, seq: message.seq, firstSentAt: now }
              return [{ _tag: "Accepted", message }, S.registerDedup(S.insert(s, message), input.deduplicationId, record, now, windowMs)]
            }
          }))
        if (outcome._tag === "Accepted") yield* core.commit([outcome.message], done, true)
        return outcome
      }))

    const send: LocalFifoQueue["send"] = Effect.fnUntraced(function*(input: SendInput) {
      const sizeBytes = Buffer.byteLength(input.body, "utf8")
      if (sizeBytes > maxMessageBytes) {
        return yield* new MaximumMessageSizeExceeded({ queue: name, sizeBytes, maxBytes: maxMessageBytes })
      }
      const refused = REFUSED_BODY_CHARACTER.exec(input.body)
      if (refused !== null) return yield* new InvalidMessageContents({ queue: name, codePoint: refused[0].codePointAt(0) ?? 0 })
      const outcome = yield* accept(input)
      if (outcome._tag === "Accepted") {
        return { messageId: outcome.message.messageId, sequenceNumber: S.sequenceNumber(outcome.message.seq), duplicate: false }
      }
      // The original is still being journaled: answer only once it is durable, and retry if it never became so.
      const durable = yield* Option.match(outcome.pending, {
        onNone: () => Effect.succeed(true),
        onSome: (pending) => Deferred.await(pending).pipe(Effect.as(true), Effect.orElseSucceed(() => false))
      })
      if (!durable) return yield* send(input)
      return { messageId: outcome.original.messageId, sequenceNumber: S.sequenceNumber(outcome.original.seq), duplicate: true }
    })

    const receiveOnce = (maxMessages: number) =>
      Effect.uninterruptible(Effect.gen(function*() {
        const delivered: Array<S.StoredMessage> = []
        while (delivered.length < maxMessages) {
          const now = yield* Clock.currentTimeMillis
          const params = { now, maxMessages: maxMessages - delivered.length, visibilityTimeoutMs, maxReceiveCount, epoch }
          const step = yield* Ref.modify(state, (s) => receiveStep(s, params))
          delivered.push(...step.delivered)
          // A move unblocks its group, whose next message may now be delivered in this same receive.
          if (step.toMove.length === 0 || deadLetterQueue === undefined) break
          if (!(yield* moveToDeadLetter(deadLetterQueue, step.toMove))) break
        }
        yield* write(delivered.map(receiveEntry))
        return delivered.map(toReceived)
      }))

    const receive = Effect.fnUntraced(function*(input: ReceiveInput) {
      if (!Number.isInteger(input.maxMessages) || input.maxMessages < 1 || input.maxMessages > 10) {
        return yield* Effect.dieMessage(`${name}: maxMessages must be 1-10, got ${input.maxMessages}`)
      }
      const deadline = (yield* Clock.currentTimeMillis) + (input.waitTimeMs ?? 0)
      while (true) {
        // Taken before looking, so a send between the look and the wait still wakes us.
        const wake = yield* Ref.get(signal)
        const batch = yield* receiveOnce(input.maxMessages)
        const now = yield* Clock.currentTimeMillis
        if (batch.length > 0 || now >= deadline) return batch
        const until = Math.min(deadline, nextVisibilityChange(yield* Ref.get(state), now) ?? deadline)
        yield* Deferred.await(wake).pipe(Effect.timeoutOption(Duration.millis(until - now)))
      }
    })

    const withHandle = <A>(receiptHandle: string, f: (m: S.StoredMessage, s: S.FifoState) => readonly [A, S.FifoState]) =>
      Ref.modify(state, (s) =>
        Option.match(S.findByHandle(s, receiptHandle), {
          onNone: () => [Option.none<A>(), s] as const,
          onSome: (m) => {
            const [a, next] = f(m, s)
            return [Option.some(a), next] as const
          }
        })).pipe(
          Effect.flatMap(Option.match({
            onNone: () => Effect.fail(new ReceiptHandleIsInvalid({ queue: name, receiptHandle })),
            onSome: (a) => Effect.succeed(a)
          })),
          Effect.tap(() => notify)
        )

    const deleteMessage = Effect.fnUntraced(function*(receiptHandle: string) {
      const messageId = yield* withHandle(receiptHandle, (m, s) => [m.messageId, S.remove(s, [m.messageId])])
      yield* write([deleteEntry(messageId)])
    })

    const changeMessageVisibility = (receiptHandle: string, timeoutMs: number) =>
      timeoutMs < 0
        ? Effect.dieMessage(`${name}: visibility timeout must be >= 0, got ${timeoutMs}`)
        : Clock.currentTimeMillis.pipe(Effect.flatMap((now) =>
          withHandle(receiptHandle, (m, s) =>
            [undefined, S.setMessage(s, { ...m, status: { _tag: "InFlight", receiptHandle, visibleAt: now + timeoutMs } })])
        ))

    const withNow = <A>(f: (s: S.FifoState, now: number) => A) => Effect.zipWith(Ref.get(state), Clock.currentTimeMillis, f)

    return {
      name,
      arn: core.arn,
      send,
      receive,
      deleteMessage,
      changeMessageVisibility,
      stats: withNow(stats),
      list: withNow((s, now) => S.allMessages(s).map((m) => toView(m, now))),
      redriveAll,
      adopt
    }
  })

type Reservation =
  | { readonly _tag: "Accepted"; readonly message: S.StoredMessage }
  | {
    readonly _tag: "Duplicate"
    readonly original: S.DedupRecord
    readonly pending: Option.Option<Deferred.Deferred<void, JournalError>>
  }

const pendingCommit = (s: S.FifoState, messageId: string): Option.Option<Deferred.Deferred<void, JournalError>> =>
  Option.flatMap(HashMap.get(s.messages, messageId), (m) => m.status._tag === "Committing" ? Option.some(m.status.done) : Option.none())

export const LocalFifoQueue = { make } as const
