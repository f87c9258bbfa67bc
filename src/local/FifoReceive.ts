import * as HashMap from "effect/HashMap"
import * as Option from "effect/Option"
import {
  type FifoState,
  isInFlight,
  isVisible,
  receiptHandle,
  setMessage,
  type StoredMessage
} from "./FifoState.js"

export interface ReceiveParams {
  readonly now: number
  readonly maxMessages: number
  readonly visibilityTimeoutMs: number
  /** Only with a dead-letter queue: without one SQS keeps redelivering, and so do we. */
  readonly maxReceiveCount: number | undefined
  /** Differs per queue instance, so handles issued before a restart never match again. */
  readonly epoch: string
}

export interface ReceiveStep {
  /** Now in flight, with their new receive count and receipt handle. */
  readonly delivered: ReadonlyArray<StoredMessage>
  /** Marked `Moving`: the caller copies them to the DLQ, then removes them (or reverts on failure). */
  readonly toMove: ReadonlyArray<StoredMessage>
}

/**
 * One SQS FIFO receive. Groups are served oldest head first; a group with a message in flight (or being
 * moved) yields nothing; otherwise it yields its visible messages strictly in order, possibly several of
 * them in one batch, stopping at a message not yet durable. A head already received `maxReceiveCount`
 * times goes to the DLQ instead, and its group waits until the move is done.
 *
 * Cost is per group head, not per message: messages are only ever received as a prefix of their group, so
 * `InFlight`/`Moving` statuses occur only in a prefix (see `receivedPrefix`) and the scan stops after it.
 */
export const receiveStep = (s: FifoState, p: ReceiveParams): readonly [ReceiveStep, FifoState] => {
  const groups = Array.from(HashMap.values(s.groups), (ids) => ({ ids, head: headSeq(s, ids) }))
    .sort((a, b) => a.head - b.head)
  const delivered: Array<StoredMessage> = []
  const toMove: Array<StoredMessage> = []
  let state = s
  for (const { ids } of groups) {
    if (delivered.length >= p.maxMessages) break
    const prefix = receivedPrefix(s, ids)
    if (prefix.some((m) => isInFlight(m, p.now) || m.status._tag === "Moving")) continue
    for (const m of candidates(s, ids, prefix, p.maxMessages - delivered.length)) {
      if (p.maxReceiveCount !== undefined && m.receiveCount >= p.maxReceiveCount) {
        const moving: StoredMessage = { ...m, status: { _tag: "Moving" } }
        toMove.push(moving)
        state = setMessage(state, moving)
        break
      }
      const received = { ...m, receiveCount: m.receiveCount + 1, firstReceivedAt: m.firstReceivedAt ?? p.now }
      const inFlight: StoredMessage = {
        ...received,
        status: { _tag: "InFlight", receiptHandle: receiptHandle(received, p.epoch), visibleAt: p.now + p.visibilityTimeoutMs }
      }
      delivered.push(inFlight)
      state = setMessage(state, inFlight)
    }
  }
  return [{ delivered, toMove }, state]
}

const headSeq = (s: FifoState, ids: ReadonlyArray<string>): number =>
  Option.match(HashMap.get(s.messages, ids[0] ?? ""), { onNone: () => Infinity, onSome: (m) => m.seq })

/** The group's leading messages that have been handed out (in flight, expired or being moved). */
export const receivedPrefix = (s: FifoState, ids: ReadonlyArray<string>): ReadonlyArray<StoredMessage> => {
  const out: Array<StoredMessage> = []
  for (const id of ids) {
    const m = HashMap.get(s.messages, id)
    if (Option.isNone(m) || (m.value.status._tag !== "InFlight" && m.value.status._tag !== "Moving")) break
    out.push(m.value)
  }
  return out
}

/** Up to `limit` deliverable messages from the head of an unblocked group, stopping at one not yet durable. */
const candidates = (s: FifoState, ids: ReadonlyArray<string>, prefix: ReadonlyArray<StoredMessage>, limit: number) => {
  const out = prefix.slice(0, limit)
  for (const id of ids.slice(prefix.length)) {
    if (out.length >= limit) break
    const m = HashMap.get(s.messages, id)
    if (Option.isNone(m) || m.value.status._tag !== "Ready") break
    out.push(m.value)
  }
  return out
}

/** When the next in-flight message becomes visible again: a long poll must wake up then. */
export const nextVisibilityChange = (s: FifoState, now: number): number | undefined => {
  let next: number | undefined
  for (const ids of HashMap.values(s.groups)) {
    for (const m of receivedPrefix(s, ids)) {
      if (m.status._tag === "InFlight" && m.status.visibleAt > now && (next === undefined || m.status.visibleAt < next)) {
        next = m.status.visibleAt
      }
    }
  }
  return next
}

export interface QueueStats {
  /** Deliverable as soon as their group allows (never received, or visibility expired). */
  readonly visible: number
  readonly inFlight: number
  /** Accepted but not yet durable, or being moved to another queue. */
  readonly pending: number
  readonly groups: number
  /** Groups held by a message in flight or being moved: nothing else of theirs is delivered meanwhile. */
  readonly blockedGroups: number
  readonly total: number
}

export const stats = (s: FifoState, now: number): QueueStats => {
  let visible = 0
  let inFlight = 0
  let pending = 0
  for (const m of HashMap.values(s.messages)) {
    if (isInFlight(m, now)) inFlight++
    else if (isVisible(m, now)) visible++
    else pending++
  }
  let blockedGroups = 0
  for (const ids of HashMap.values(s.groups)) {
    if (receivedPrefix(s, ids).some((m) => isInFlight(m, now) || m.status._tag === "Moving")) blockedGroups++
  }
  return { visible, inFlight, pending, groups: HashMap.size(s.groups), blockedGroups, total: HashMap.size(s.messages) }
}
