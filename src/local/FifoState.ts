import type * as Deferred from "effect/Deferred"
import * as HashMap from "effect/HashMap"
import * as Option from "effect/Option"
import type { JournalError, SystemAttributes } from "./JournalEntry.js"

/**
 * The immutable state of one local FIFO queue and its pure transitions. Everything here is synchronous so the
 * effectful shell can apply it atomically with `Ref.modify`; time comes in as `now` from `Clock`.
 */

export type MessageStatus =
  /** Accepted in memory, journal line not yet on disk: not deliverable and blocks what follows it. */
  | { readonly _tag: "Committing"; readonly done: Deferred.Deferred<void, JournalError> }
  | { readonly _tag: "Ready" }
  | { readonly _tag: "InFlight"; readonly receiptHandle: string; readonly visibleAt: number }
  /** Being copied to another queue (DLQ move, redrive): blocks its group until it is gone. */
  | { readonly _tag: "Moving" }

export interface StoredMessage {
  readonly messageId: string
  readonly seq: number
  readonly body: string
  readonly groupId: string
  readonly deduplicationId: string
  readonly sentAt: number
  readonly system: SystemAttributes
  readonly receiveCount: number
  readonly firstReceivedAt: number | undefined
  readonly status: MessageStatus
}

export interface DedupRecord {
  readonly messageId: string
  readonly seq: number
  readonly firstSentAt: number
}

export interface FifoState {
  readonly messages: HashMap.HashMap<string, StoredMessage>
  /** Message ids of each group in sequence order; a group with no messages has no entry. */
  readonly groups: HashMap.HashMap<string, ReadonlyArray<string>>
  readonly dedup: HashMap.HashMap<string, DedupRecord>
  /** Size of `dedup` that triggers the next sweep of expired records (amortised O(1) per send). */
  readonly dedupSweepAt: number
  readonly nextSeq: number
}

export const empty: FifoState = {
  messages: HashMap.empty(),
  groups: HashMap.empty(),
  dedup: HashMap.empty(),
  dedupSweepAt: 1024,
  nextSeq: 1
}

/** SQS FIFO sequence numbers are opaque decimal strings; zero padding keeps them sortable as strings. */
export const sequenceNumber = (seq: number): string => String(seq).padStart(20, "0")

export const isInFlight = (m: StoredMessage, now: number): boolean =>
  m.status._tag === "InFlight" && m.status.visibleAt > now

/** Never received, or received and its visibility timeout has run out (it is then the head of its group again). */
export const isVisible = (m: StoredMessage, now: number): boolean =>
  m.status._tag === "Ready" || (m.status._tag === "InFlight" && m.status.visibleAt <= now)

/** Every message in sequence order. */
export const allMessages = (s: FifoState): ReadonlyArray<StoredMessage> =>
  Array.from(HashMap.values(s.messages)).sort((a, b) => a.seq - b.seq)

export const setMessage = (s: FifoState, m: StoredMessage): FifoState => ({
  ...s,
  messages: HashMap.set(s.messages, m.messageId, m)
})

export const setStatus = (s: FifoState, ids: ReadonlyArray<string>, status: MessageStatus): FifoState =>
  ids.reduce((acc, id) =>
    Option.match(HashMap.get(acc.messages, id), {
      onNone: () => acc,
      onSome: (m) => setMessage(acc, { ...m, status })
    }), s)

/** Appends to the tail of its group: callers allocate `seq` from `nextSeq` in the same atomic step. */
export const insert = (s: FifoState, m: StoredMessage): FifoState => ({
  ...s,
  messages: HashMap.set(s.messages, m.messageId, m),
  groups: HashMap.set(s.groups, m.groupId, [...Option.getOrElse(HashMap.get(s.groups, m.groupId), () => []), m.messageId]),
  nextSeq: Math.max(s.nextSeq, m.seq + 1)
})

export const remove = (s: FifoState, ids: ReadonlyArray<string>): FifoState =>
  ids.reduce((acc, id) =>
    Option.match(HashMap.get(acc.messages, id), {
      onNone: () => acc,
      onSome: (m) => {
        const rest = Option.getOrElse(HashMap.get(acc.groups, m.groupId), () => []).filter((x) => x !== id)
        return {
          ...acc,
          messages: HashMap.remove(acc.messages, id),
          groups: rest.length === 0 ? HashMap.remove(acc.groups, m.groupId) : HashMap.set(acc.groups, m.groupId, rest)
        }
      }
    }), s)

/** The record of a deduplication id first sent less than `windowMs` ago, deleted message or not. */
export const findDuplicate = (s: FifoState, dedupId: string, now: number, windowMs: number): Option.Option<DedupRecord> =>
  Option.filter(HashMap.get(s.dedup, dedupId), (r) => r.firstSentAt + windowMs > now)

/**
 * Records a deduplication id unless a live record exists. Expired records are swept whenever the table has
 * doubled since the last sweep, so a busy queue's table stays about twice its 5-minute working set.
 */
export const registerDedup = (
  s: FifoState,
  dedupId: string,
  record: DedupRecord,
  now: number,
  windowMs: number
): FifoState => {
  if (Option.isSome(findDuplicate(s, dedupId, now, windowMs))) return s
  const dedup = HashMap.set(s.dedup, dedupId, record)
  if (HashMap.size(dedup) < s.dedupSweepAt) return { ...s, dedup }
  const swept = HashMap.filter(dedup, (r) => r.firstSentAt + windowMs > now)
  return { ...s, dedup: swept, dedupSweepAt: Math.max(1024, 2 * HashMap.size(swept)) }
}

/** Forgets a deduplication id only if it still points at `messageId` (its send was never made durable). */
export const unregisterDedup = (s: FifoState, dedupId: string, messageId: string): FifoState =>
  Option.match(HashMap.get(s.dedup, dedupId), {
    onNone: () => s,
    onSome: (r) => r.messageId === messageId ? { ...s, dedup: HashMap.remove(s.dedup, dedupId) } : s
  })

/** Receipt handles embed the message id, so a lookup needs no index; only the latest handle matches. */
export const receiptHandle = (m: StoredMessage, epoch: string): string =>
  `${m.messageId}:${m.seq}:${m.receiveCount}:${epoch}`

export const findByHandle = (s: FifoState, handle: string): Option.Option<StoredMessage> =>
  Option.filter(
    HashMap.get(s.messages, handle.split(":")[0] ?? ""),
    (m) => m.status._tag === "InFlight" && m.status.receiptHandle === handle
  )
