import { HttpServer } from "@effect/platform"
import { NodeHttpServer } from "@effect/platform-node"
import { describe, expect, it } from "@effect/vitest"
import { Context, Effect, Layer } from "effect"
import { createServer, request as httpRequest } from "node:http"
import * as EventLogMemory from "../../src/layers/EventLogMemory.js"
import * as IdempotencyStoreMemory from "../../src/layers/IdempotencyStoreMemory.js"
import { httpApp } from "../../src/local/HttpApp.js"
import { MAX_BODY_BYTES } from "../../src/programs/Ingress.js"
import { appConfig, fakeQueueLayer, TEST_TOKEN } from "../support/fakes.js"

/** The local runtime's HTTP app on a real Node server on loopback, with in-memory stores and the fake queue. */
const serve = Effect.gen(function* () {
  const server = yield* Layer.build(NodeHttpServer.layer(createServer, { port: 0, host: "127.0.0.1" }))
  yield* HttpServer.serveEffect(httpApp).pipe(
    Effect.provide(server),
    Effect.provide(Layer.mergeAll(appConfig(), fakeQueueLayer, IdempotencyStoreMemory.layer, EventLogMemory.layer))
  )
  return HttpServer.formatAddress(Context.get(server, HttpServer.HttpServer).address)
})

interface Answer {
  readonly status: number
  readonly headers: Readonly<Record<string, string | ReadonlyArray<string> | undefined>>
  readonly body: Record<string, unknown>
}

/**
 * POSTs `chunks` with node:http and no content-length (so `Transfer-Encoding: chunked`), one write per chunk,
 * waiting for each to leave before the next, as a streaming sender would. Rejects on a socket error (reset).
 */
const postChunked = (url: string, chunks: ReadonlyArray<string>): Promise<Answer> =>
  new Promise((resolve, reject) => {
    const req = httpRequest(`${url}/webhooks/richpanel`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-webhook-token": TEST_TOKEN }
    })
    req.on("error", reject)
    req.on("response", (res) => {
      let text = ""
      res.setEncoding("utf8")
      res.on("data", (chunk: string) => (text += chunk))
      res.on("error", reject)
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: JSON.parse(text) as Record<string, unknown> }))
    })
    const write = (i: number): void => {
      if (i === chunks.length) return void req.end()
      req.write(chunks[i], () => setImmediate(() => write(i + 1)))
    }
    write(0)
  })

const split = (text: string, parts: number): ReadonlyArray<string> => {
  const size = Math.ceil(text.length / parts)
  return Array.from({ length: parts }, (_, i) => text.slice(i * size, (i + 1) * size))
}

describe("local HTTP app: webhook bodies without a content-length", () => {
  it.live("answers 413 JSON (not a reset) to a chunked body that grows past the limit", () =>
    Effect.gen(function* () {
      const url = yield* serve
      const oversize = JSON.stringify({ conversation_id: "c-1", message_id: "m-1", text: "x".repeat(300_000) })
      expect(oversize.length).toBeGreaterThan(MAX_BODY_BYTES)
      const answer = yield* Effect.promise(() => postChunked(url, split(oversize, 10)))
      expect(answer.status).toBe(413)
      expect(answer.body).toMatchObject({ error: "payload_too_large", limit_bytes: MAX_BODY_BYTES })
      expect(answer.headers["connection"]).toBe("close")
      const next = JSON.stringify({ conversation_id: "c-1", message_id: "m-2", text: "hello" })
      expect((yield* Effect.promise(() => postChunked(url, [next]))).status).toBe(200)
    }).pipe(Effect.scoped))

  it.live("still accepts a chunked body under the limit", () =>
    Effect.gen(function* () {
      const url = yield* serve
      const body = JSON.stringify({ conversation_id: "c-2", message_id: "m-1", text: "y".repeat(200_000) })
      const answer = yield* Effect.promise(() => postChunked(url, split(body, 8)))
      expect(answer).toMatchObject({ status: 200, body: { status: "accepted", event_id: "evt:rp:c-2:m-1" } })
    }).pipe(Effect.scoped))
})
