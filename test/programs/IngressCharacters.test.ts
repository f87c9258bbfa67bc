import { describe, expect, it } from "@effect/vitest"
import { Effect, Layer } from "effect"
import { createHash } from "node:crypto"
import { queueBody } from "../../src/domain/SqsIds.js"
import * as IdempotencyStoreMemory from "../../src/layers/IdempotencyStoreMemory.js"
import { ingest, type IngressRequest } from "../../src/programs/Ingress.js"
import { acceptedAnswer, rejectionAnswer } from "../../src/programs/IngressHttp.js"
import { awsError } from "../support/fakeAwsJson.js"
import { appConfig, TEST_TOKEN } from "../support/fakes.js"
import { fakeSqsSendMessage, sqsEventQueueOn } from "../support/fakeSqsSend.js"

/** What SQS accepts in a message body; it refuses the whole message otherwise, on every try. */
const SQS_ALLOWED = /^[\t\n\r\u0020-\ud7ff\ue000-\ufffd\u{10000}-\u{10ffff}]*$/u

const request = (raw: string): IngressRequest => ({
  headers: { "content-type": "application/json", "x-webhook-token": TEST_TOKEN },
  query: {},
  body: new TextEncoder().encode(raw)
})

describe("characters SQS refuses in a message body", () => {
  it("queueBody escapes U+FFFE and U+FFFF and parses back to the same value", () => {
    const envelope = { text: "a\uffffb\ufffec\u0001d\ud800e" }
    const body = queueBody(envelope)
    expect(SQS_ALLOWED.test(body)).toBe(true)
    expect(JSON.parse(body)).toEqual(envelope)
  })

  it.live("a webhook holding U+FFFF is accepted (it used to be answered 503 forever)", () =>
    Effect.gen(function*() {
      const sqs = yield* fakeSqsSendMessage
      sqs.handlers.set("SendMessage", (input) => {
        const body = String(input["MessageBody"])
        return SQS_ALLOWED.test(body)
          ? { body: { MessageId: "m-ok", MD5OfMessageBody: createHash("md5").update(body, "utf8").digest("hex"), SequenceNumber: "1" } }
          : awsError("com.amazonaws.sqs#InvalidMessageContents", "Invalid binary character '#xFFFF' was found in the message body", {
            "x-amzn-query-error": "InvalidMessageContents;Sender"
          })
      })
      const raw = JSON.stringify({ conversation_id: "c-fffe", message_id: "m-1", text: "I will file a chargeback\uffff", customer_email: "jane@example.com" })
      const answer = yield* ingest(request(raw)).pipe(
        Effect.match({ onSuccess: acceptedAnswer, onFailure: rejectionAnswer }),
        Effect.provide(Layer.mergeAll(sqsEventQueueOn(sqs.url), IdempotencyStoreMemory.layer, appConfig()))
      )
      expect(answer.status).toBe(200)
    }).pipe(Effect.scoped))
})
