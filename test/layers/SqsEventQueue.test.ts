import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import type { EventEnvelope } from "../../src/domain/Envelope.js"
import { EventQueue } from "../../src/services/EventQueue.js"
import { awsError } from "../support/fakeAwsJson.js"
import { fakeSqsSendMessage, messageTooLongError, SQS_MAX_MESSAGE_BYTES, sqsEventQueueOn } from "../support/fakeSqsSend.js"

const envelope = (text: string): EventEnvelope => ({
  event_id: "evt:rp:c1:m1",
  received_at: "2025-01-10T12:00:00.000Z",
  conversation_id: "c1",
  channel: "email",
  customer: {},
  message: { text, truncated: false, attachments: [] },
  richpanel: { tags: [] },
  meta: { attempt: 0, source: "test", payload_shape: "flat" }
})

const sendOn = (url: string, e: EventEnvelope) =>
  Effect.flatMap(EventQueue, (queue) => queue.send(e)).pipe(Effect.provide(sqsEventQueueOn(url)))

describe("SqsEventQueue (the real SQS client against a fake SQS on loopback)", () => {
  it.live("sends the envelope as the message body", () =>
    Effect.gen(function* () {
      const sqs = yield* fakeSqsSendMessage
      expect(yield* sendOn(sqs.url, envelope("hi"))).toEqual({ messageId: "msg-1" })
      expect(JSON.parse(sqs.bodies[0]!)).toEqual(envelope("hi"))
    }).pipe(Effect.scoped))

  it.live("SQS's 'Message must be shorter than' refusal is MessageTooLarge with the sizes, not QueueUnavailable", () =>
    Effect.gen(function* () {
      const sqs = yield* fakeSqsSendMessage
      const big = envelope("x".repeat(SQS_MAX_MESSAGE_BYTES))
      const error = yield* Effect.flip(sendOn(sqs.url, big))
      expect(error).toMatchObject({
        _tag: "MessageTooLarge",
        sizeBytes: Buffer.byteLength(JSON.stringify(big), "utf8"),
        maxBytes: SQS_MAX_MESSAGE_BYTES
      })
      expect(error).toMatchObject({ reason: expect.stringContaining("Message must be shorter than 1048576 bytes") })
      // A queue still on the old 256 KiB limit refuses a smaller message the same way.
      sqs.state.override = messageTooLongError(262_144)
      expect(yield* Effect.flip(sendOn(sqs.url, envelope("hi")))).toMatchObject({ _tag: "MessageTooLarge", maxBytes: 262_144 })
    }).pipe(Effect.scoped))

  it.live("any other refusal, even another InvalidParameterValue, is still QueueUnavailable", () =>
    Effect.gen(function* () {
      const sqs = yield* fakeSqsSendMessage
      sqs.state.override = awsError(
        "com.amazon.coral.service#InvalidParameterValueException",
        "Value x for parameter MessageGroupId is invalid. Reason: MessageGroupId can only include alphanumeric and punctuation characters. 1 to 128 in length."
      )
      expect(yield* Effect.flip(sendOn(sqs.url, envelope("hi")))).toMatchObject({ _tag: "QueueUnavailable" })
      sqs.state.override = { status: 500, body: { __type: "com.amazon.coral.service#InternalFailure", message: "oops" } }
      expect(yield* Effect.flip(sendOn(sqs.url, envelope("hi")))).toMatchObject({ _tag: "QueueUnavailable" })
    }).pipe(Effect.scoped))
})
