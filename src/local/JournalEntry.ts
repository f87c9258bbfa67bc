import * as Data from "effect/Data"
import * as Schema from "effect/Schema"
/**
 * One line of a local queue's journal (JSON lines). Replayed in file order on start; a message is live from
 * its `send` line until its `del` line. Field names are short because every accepted event writes one line.
 */

export const SystemAttributes = Schema.Struct({
  AWSTraceHeader: Schema.optionalWith(Schema.String, { exact: true }),
  DeadLetterQueueSourceArn: Schema.optionalWith(Schema.String, { exact: true })
})
export type SystemAttributes = typeof SystemAttributes.Type

export const SendEntry = Schema.Struct({
  op: Schema.Literal("send"),
  id: Schema.String,
  seq: Schema.Number,
  group: Schema.String,
  dedup: Schema.String,
  body: Schema.String,
  at: Schema.Number,
  attrs: Schema.optionalWith(SystemAttributes, { exact: true })
})
export type SendEntry = typeof SendEntry.Type

/** Receive counts are journaled so a restart cannot reset a poison message's way to the DLQ. */
export const ReceiveEntry = Schema.Struct({
  op: Schema.Literal("recv"),
  id: Schema.String,
  count: Schema.Number,
  first: Schema.Number
})
export type ReceiveEntry = typeof ReceiveEntry.Type

export const DeleteEntry = Schema.Struct({ op: Schema.Literal("del"), id: Schema.String })
export type DeleteEntry = typeof DeleteEntry.Type

/** Written by compaction for deduplication ids still inside the window whose message is gone. */
export const DedupEntry = Schema.Struct({
  op: Schema.Literal("dedup"),
  dedup: Schema.String,
  id: Schema.String,
  seq: Schema.Number,
  at: Schema.Number
})
export type DedupEntry = typeof DedupEntry.Type

/** Written by compaction so sequence numbers keep growing after deleted messages' lines are dropped. */
export const MetaEntry = Schema.Struct({ op: Schema.Literal("meta"), nextSeq: Schema.Number })
export type MetaEntry = typeof MetaEntry.Type

export const JournalEntry = Schema.Union(SendEntry, ReceiveEntry, DeleteEntry, DedupEntry, MetaEntry)
export type JournalEntry = typeof JournalEntry.Type

/** The journal file could not be read, written or synced. */
export class JournalError extends Data.TaggedError("JournalError")<{
  readonly reason: string
  readonly cause?: unknown
}> {}
