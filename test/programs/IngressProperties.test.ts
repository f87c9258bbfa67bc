import { describe, expect, it } from "@effect/vitest"
import { Effect, Layer, Ref } from "effect"
import fc from "fast-check"
import * as IdempotencyStoreMemory from "../../src/layers/IdempotencyStoreMemory.js"
import { ingest, type IngressRequest } from "../../src/programs/Ingress.js"
import { acceptedAnswer, rejectionAnswer } from "../../src/programs/IngressHttp.js"
import { appConfig, FakeQueue, fakeQueueLayer, TEST_TOKEN } from "../support/fakes.js"

const encode = (text: string) => new TextEncoder().encode(text)

/** Values that look like payload fields but with every wrong type fast-check can think of. */
const anyValue = fc.oneof(fc.jsonValue(), fc.constant(undefined), fc.string(), fc.integer(), fc.double())
const payloadLike = fc.record(
  {
    conversation_id: anyValue,
    ticket_id: anyValue,
    id: anyValue,
    message_id: anyValue,
    text: anyValue,
    channel: anyValue,
    customer_email: anyValue,
    tags: anyValue,
    ticket: fc.oneof(anyValue, fc.record({ id: anyValue, comments: anyValue, via: anyValue, customer_profile: anyValue }, { requiredKeys: [] })),
    comments: anyValue,
    via: anyValue
  },
  { requiredKeys: [] }
)

const body = fc.oneof(
  fc.uint8Array({ maxLength: 512 }),
  fc.string({ maxLength: 512 }).map(encode),
  fc.jsonValue().map((v) => encode(JSON.stringify(v))),
  payloadLike.map((v) => encode(JSON.stringify(v))),
  payloadLike.map((v) => encode(JSON.stringify(v).slice(0, -1)))
)

const contentType = fc.oneof(
  fc.constant(undefined),
  fc.constantFrom("application/json", "application/json; charset=utf-8", "text/plain", "application/x-www-form-urlencoded", "", ";;;", "application/+json"),
  fc.string({ maxLength: 40 })
)

const headers = fc.record({
  contentType,
  token: fc.oneof(fc.constant(TEST_TOKEN), fc.constant(undefined), fc.string({ maxLength: 40 })),
  contentLength: fc.oneof(fc.constant(undefined), fc.string({ maxLength: 12 }), fc.nat().map(String)),
  extra: fc.dictionary(fc.string({ maxLength: 20 }), fc.string({ maxLength: 40 }), { maxKeys: 4 })
})

const toRequest = (bytes: Uint8Array, h: typeof headers extends fc.Arbitrary<infer T> ? T : never): IngressRequest => ({
  headers: {
    ...h.extra,
    ...(h.contentType === undefined ? {} : { "content-type": h.contentType }),
    ...(h.token === undefined ? {} : { "x-webhook-token": h.token }),
    ...(h.contentLength === undefined ? {} : { "content-length": h.contentLength })
  },
  query: {},
  body: bytes
})

const runOnce = (request: IngressRequest) =>
  Effect.gen(function* () {
    const answer = yield* ingest(request).pipe(Effect.match({ onSuccess: acceptedAnswer, onFailure: rejectionAnswer }))
    const { messages } = yield* FakeQueue
    return { status: answer.status, queued: (yield* Ref.get(messages)).length }
  }).pipe(Effect.provide(Layer.mergeAll(fakeQueueLayer, IdempotencyStoreMemory.layer, appConfig())))

describe("Ingress properties", () => {
  it("no generated body, header set or content type yields a 5xx, and only a 200 enqueues", async () => {
    await fc.assert(
      fc.asyncProperty(body, headers, async (bytes, h) => {
        const { queued, status } = await Effect.runPromise(runOnce(toRequest(bytes, h)))
        expect(status).toBeLessThan(500)
        expect(queued).toBe(status === 200 ? 1 : 0)
      }),
      { numRuns: 1500 }
    )
  })

  it("a generated malformed body with valid headers always gets a 400 that names a field or the JSON", async () => {
    await fc.assert(
      fc.asyncProperty(payloadLike, async (payload) => {
        const request = toRequest(encode(JSON.stringify(payload)), {
          contentType: "application/json",
          token: TEST_TOKEN,
          contentLength: undefined,
          extra: {}
        })
        const { status } = await Effect.runPromise(runOnce(request))
        expect([200, 400]).toContain(status)
      }),
      { numRuns: 1000 }
    )
  })
})
