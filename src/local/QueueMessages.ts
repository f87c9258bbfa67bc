import * as Data from "effect/Data"
import { isInFlight, isVisible, sequenceNumber, type StoredMessage } from "./FifoState.js"
import type { SystemAttributes } from "./JournalEntry.js"

/** Public message shapes of `LocalFifoQueue`, modelled on SQS `ReceiveMessage` and the Lambda `SQSRecord`. */

export interface SendInput {
  readonly body: string
  readonly groupId: string
  readonly deduplicationId: string
  readonly attributes?: { readonly AWSTraceHeader?: string }
}

export interface SendOutput {
  readonly messageId: string
  readonly sequenceNumber: string
  /** The deduplication id was seen within the window: nothing was enqueued, `messageId` is the original's. */
  readonly duplicate: boolean
}

export interface ReceiveInput {
  /** 1 to 10, as in SQS. */
  readonly maxMessages: number
  /** Long poll: wait up to this long for a message (woken by sends, deletes and visibility changes). */
  readonly waitTimeMs?: number
}

/** Assignable to `SQSRecordAttributes` from `aws-lambda`, so the local runtime can build a real `SQSEvent`. */
export interface ReceivedAttributes {
  readonly ApproximateReceiveCount: string
  readonly SentTimestamp: string
  readonly SenderId: string
  readonly ApproximateFirstReceiveTimestamp: string
  readonly MessageGroupId: string
  readonly MessageDeduplicationId: string
  readonly SequenceNumber: string
  readonly AWSTraceHeader?: string
  readonly DeadLetterQueueSourceArn?: string
}

export interface ReceivedMessage {
  readonly messageId: string
  readonly receiptHandle: string
  readonly body: string
  readonly groupId: string
  readonly deduplicationId: string
  readonly sequenceNumber: string
  readonly attributes: ReceivedAttributes
}

/** A message as listed for operators (CLI, `/events`); listing never changes visibility or receive counts. */
export interface MessageView {
  readonly messageId: string
  readonly groupId: string
  readonly deduplicationId: string
  readonly sequenceNumber: string
  readonly body: string
  readonly sentTimestamp: number
  readonly receiveCount: number
  readonly state: "visible" | "in-flight" | "pending"
  readonly attributes: SystemAttributes
}

/** What one queue hands another when moving a message (DLQ move, redrive); the target assigns the sequence. */
export type MovedMessage = Omit<StoredMessage, "seq" | "status">

/** The receipt handle is unknown, or stale: the message was deleted or received again since it was issued. */
export class ReceiptHandleIsInvalid extends Data.TaggedError("ReceiptHandleIsInvalid")<{
  readonly queue: string
  readonly receiptHandle: string
}> {}

/** SQS refuses such a send outright (`InvalidParameterValue`: "Message must be shorter than …"); so does this queue. */
/** SQS's `InvalidMessageContents`: the body holds a character SQS does not accept (outside XML's character set). */
export class InvalidMessageContents extends Data.TaggedError("InvalidMessageContents")<{
  readonly queue: string
  /** The first refused character, as a code point. */
  readonly codePoint: number
}> {}

/** What SQS accepts in a body: #x9 | #xA | #xD | #x20–#xD7FF | #xE000–#xFFFD | #x10000–#x10FFFF. */
export const REFUSED_BODY_CHARACTER = /[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\u{10000}-\u{10ffff}]/u

export class MaximumMessageSizeExceeded extends Data.TaggedError("MaximumMessageSizeExceeded")<{
  readonly queue: string
  /** The body's size in UTF-8 bytes, which is what SQS counts. */
  readonly sizeBytes: number
  readonly maxBytes: number
}> {}

export const toReceived = (m: StoredMessage): ReceivedMessage => ({
  messageId: m.messageId,
  receiptHandle: m.status._tag === "InFlight" ? m.status.receiptHandle : "",
  body: m.body,
  groupId: m.groupId,
  deduplicationId: m.deduplicationId,
  sequenceNumber: sequenceNumber(m.seq),
  attributes: {
    ApproximateReceiveCount: String(m.receiveCount),
    SentTimestamp: String(m.sentAt),
    SenderId: "local",
    ApproximateFirstReceiveTimestamp: String(m.firstReceivedAt ?? m.sentAt),
    MessageGroupId: m.groupId,
    MessageDeduplicationId: m.deduplicationId,
    SequenceNumber: sequenceNumber(m.seq),
    ...m.system
  }
})

export const toView = (m: StoredMessage, now: number): MessageView => ({
  messageId: m.messageId,
  groupId: m.groupId,
  deduplicationId: m.deduplicationId,
  sequenceNumber: sequenceNumber(m.seq),
  body: m.body,
  sentTimestamp: m.sentAt,
  receiveCount: m.receiveCount,
  state: isInFlight(m, now) ? "in-flight" : isVisible(m, now) ? "visible" : "pending",
  attributes: m.system
})

export const toMoved = ({ seq: _seq, status: _status, ...rest }: StoredMessage): MovedMessage => rest
