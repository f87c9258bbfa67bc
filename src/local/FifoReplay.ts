import * as HashMap from "effect/HashMap"
import {
  allMessages,
  empty,
  type FifoState,
  insert,
  registerDedup,
  type StoredMessage
} from "./FifoState.js"
import type { DeleteEntry, JournalEntry, ReceiveEntry, SendEntry } from "./JournalEntry.js"

export const sendEntry = (m: StoredMessage): SendEntry => ({
  op: "send",
  id: m.messageId,
  seq: m.seq,
  group: m.groupId,
  dedup: m.deduplicationId,
  body: m.body,
  at: m.sentAt,
  ...(Object.keys(m.system).length > 0 ? { attrs: m.system } : {})
})

export const receiveEntry = (m: StoredMessage): ReceiveEntry => ({
  op: "recv",
  id: m.messageId,
  count: m.receiveCount,
  first: m.firstReceivedAt ?? m.sentAt
})

export const deleteEntry = (messageId: string): DeleteEntry => ({ op: "del", id: messageId })

/** Entries that rebuild `s` on their own: compaction writes these in place of the whole history. */
export const snapshot = (s: FifoState, now: number, windowMs: number): ReadonlyArray<JournalEntry> => [
  { op: "meta", nextSeq: s.nextSeq },
  ...Array.from(HashMap.entries(s.dedup))
    .filter(([, r]) => r.firstSentAt + windowMs > now)
    .map(([dedup, r]): JournalEntry => ({ op: "dedup", dedup, id: r.messageId, seq: r.seq, at: r.firstSentAt })),
  ...allMessages(s)
    .filter((m) => m.status._tag !== "Committing")
    .flatMap((m): ReadonlyArray<JournalEntry> => m.receiveCount > 0 ? [sendEntry(m), receiveEntry(m)] : [sendEntry(m)])
]

/**
 * Rebuilds a queue from its journal, in file order. Messages in flight before the restart are visible again
 * (their consumer is gone) but keep their receive count. Lines of concurrent sends may be out of sequence
 * order in the file, so messages are inserted by sequence number at the end.
 */
export const replay = (entries: ReadonlyArray<JournalEntry>, now: number, windowMs: number): FifoState => {
  const live = new Map<string, StoredMessage>()
  let state = empty
  let nextSeq = 1
  for (const e of entries) {
    switch (e.op) {
      case "meta":
        nextSeq = Math.max(nextSeq, e.nextSeq)
        break
      case "dedup":
        state = registerDedup(state, e.dedup, { messageId: e.id, seq: e.seq, firstSentAt: e.at }, now, windowMs)
        break
      case "send":
        nextSeq = Math.max(nextSeq, e.seq + 1)
        state = registerDedup(state, e.dedup, { messageId: e.id, seq: e.seq, firstSentAt: e.at }, now, windowMs)
        if (!live.has(e.id)) {
          live.set(e.id, {
            messageId: e.id,
            seq: e.seq,
            body: e.body,
            groupId: e.group,
            deduplicationId: e.dedup,
            sentAt: e.at,
            system: e.attrs ?? {},
            receiveCount: 0,
            firstReceivedAt: undefined,
            status: { _tag: "Ready" }
          })
        }
        break
      case "recv": {
        const m = live.get(e.id)
        if (m !== undefined && e.count > m.receiveCount) {
          live.set(e.id, { ...m, receiveCount: e.count, firstReceivedAt: m.firstReceivedAt ?? e.first })
        }
        break
      }
      case "del":
        live.delete(e.id)
        break
    }
  }
  const rebuilt = Array.from(live.values()).sort((a, b) => a.seq - b.seq).reduce(insert, state)
  return { ...rebuilt, nextSeq: Math.max(nextSeq, rebuilt.nextSeq) }
}
