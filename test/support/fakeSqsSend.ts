import { ConfigProvider, Effect, Layer } from "effect"
import { createHash } from "node:crypto"
import * as SqsEventQueue from "../../src/layers/SqsEventQueue.js"
import { type AwsAnswer, awsError, FAKE_AWS_ENV, startFakeAwsJson } from "./fakeAwsJson.js"

/** SQS's default (and largest) MaximumMessageSize. */
export const SQS_MAX_MESSAGE_BYTES = 1_048_576
export const EVENTS_QUEUE_URL = "https://sqs.us-east-2.amazonaws.com/123456789012/rp-mw-events.fifo"

/** What SQS answers to a body over the queue's MaximumMessageSize (JSON protocol, query-compatible code). */
export const messageTooLongError = (maxBytes: number): AwsAnswer =>
  awsError(
    "com.amazon.coral.service#InvalidParameterValueException",
    `One or more parameters are invalid. Reason: Message must be shorter than ${maxBytes} bytes.`,
    { "x-amzn-query-error": "InvalidParameterValue;Sender" }
  )

/**
 * SQS's SendMessage on loopback: stores bodies, refuses one over 1 MiB as SQS does, or answers `override` when a
 * test sets it. The MD5 is real: the SDK checks it.
 */
export const fakeSqsSendMessage = Effect.acquireRelease(
  Effect.promise(async () => {
    Object.assign(process.env, FAKE_AWS_ENV)
    const bodies: Array<string> = []
    const state: { override: AwsAnswer | undefined } = { override: undefined }
    const fake = await startFakeAwsJson("application/x-amz-json-1.0", {
      SendMessage: (input) => {
        const body = String(input["MessageBody"])
        if (state.override !== undefined) return state.override
        if (Buffer.byteLength(body, "utf8") > SQS_MAX_MESSAGE_BYTES) return messageTooLongError(SQS_MAX_MESSAGE_BYTES)
        bodies.push(body)
        return {
          body: {
            MessageId: `msg-${bodies.length}`,
            MD5OfMessageBody: createHash("md5").update(body, "utf8").digest("hex"),
            SequenceNumber: String(bodies.length)
          }
        }
      }
    })
    return { ...fake, bodies, state }
  }),
  (fake) => Effect.promise(() => fake.close())
)

/** The real SQS producer layer pointed at the fake, as the ingress Lambda's would be at SQS. */
export const sqsEventQueueOn = (endpoint: string) =>
  SqsEventQueue.layer.pipe(
    Layer.provide(Layer.setConfigProvider(ConfigProvider.fromMap(new Map([
      ["EVENTS_QUEUE_URL", EVENTS_QUEUE_URL],
      ["SQS_ENDPOINT", endpoint],
      ["AWS_REGION", "us-east-2"]
    ]))))
  )
