import { describe, expect, it } from "@effect/vitest"
import type { APIGatewayProxyEventV2 } from "aws-lambda"
import { Effect, Layer, ManagedRuntime, Ref } from "effect"
import * as IdempotencyStoreMemory from "../../src/layers/IdempotencyStoreMemory.js"
import { ingressHandler } from "../../src/lambda/ingressHandler.js"
import { appConfig, FakeQueue, fakeQueueLayer, TEST_TOKEN } from "../support/fakes.js"

const apiEvent = (body: string, options: { headers?: Record<string, string>; base64?: boolean; query?: Record<string, string> } = {}) =>
  ({
    version: "2.0",
    routeKey: "POST /webhooks/richpanel",
    rawPath: "/webhooks/richpanel",
    rawQueryString: "",
    headers: { "Content-Type": "application/json", ...options.headers },
    ...(options.query === undefined ? {} : { queryStringParameters: options.query }),
    requestContext: {} as APIGatewayProxyEventV2["requestContext"],
    body: options.base64 === true ? Buffer.from(body).toString("base64") : body,
    isBase64Encoded: options.base64 === true
  }) satisfies APIGatewayProxyEventV2

const makeRuntime = () =>
  ManagedRuntime.make(Layer.mergeAll(fakeQueueLayer, IdempotencyStoreMemory.layer, appConfig()))

describe("ingress Lambda handler (API Gateway HTTP API, payload v2)", () => {
  it("decodes a base64 body and mixed-case headers, and answers 200 accepted then duplicate", async () => {
    const runtime = makeRuntime()
    const handler = ingressHandler(runtime)
    const body = JSON.stringify({ ticket_id: 42, message_id: "m-9", text: "hi" })
    const first = await handler(apiEvent(body, { base64: true, headers: { "X-Webhook-Token": TEST_TOKEN } }))
    expect(first.statusCode).toBe(200)
    expect(JSON.parse(first.body ?? "")).toEqual({ status: "accepted", event_id: "evt:rp:42:m-9" })
    const second = await handler(apiEvent(body, { query: { token: TEST_TOKEN } }))
    expect(JSON.parse(second.body ?? "")["status"]).toBe("duplicate")
    const queued = await runtime.runPromise(Effect.flatMap(FakeQueue, ({ messages }) => Ref.get(messages)))
    expect(queued.length).toBe(1)
    await runtime.dispose()
  })

  it("renders rejections with their status code and a JSON body naming the problem", async () => {
    const runtime = makeRuntime()
    const handler = ingressHandler(runtime)
    const unauthorized = await handler(apiEvent("{}"))
    expect(unauthorized.statusCode).toBe(401)
    const invalid = await handler(apiEvent(JSON.stringify({ id: "" }), { headers: { "x-webhook-token": TEST_TOKEN } }))
    expect(invalid.statusCode).toBe(400)
    expect(JSON.parse(invalid.body ?? "")).toMatchObject({ error: "invalid_payload", field: "id" })
    expect(invalid.headers?.["content-type"]).toBe("application/json")
    await runtime.dispose()
  })
})
