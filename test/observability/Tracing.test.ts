import { afterEach, describe, expect, it } from "@effect/vitest"
import type { APIGatewayProxyEventV2, SQSEvent } from "aws-lambda"
import { Effect, Layer, Logger, ManagedRuntime } from "effect"
import type { EventEnvelope } from "../../src/domain/Envelope.js"
import { ingressHandler } from "../../src/lambda/ingressHandler.js"
import { workerHandler } from "../../src/lambda/workerHandler.js"
import * as IdempotencyStoreMemory from "../../src/layers/IdempotencyStoreMemory.js"
import * as Logging from "../../src/layers/Logging.js"
import * as Tracing from "../../src/layers/Tracing.js"
import { parseTraceHeader } from "../../src/layers/XRayTraceHeader.js"
import { EventQueue } from "../../src/services/EventQueue.js"
import { appConfig, TEST_TOKEN } from "../support/fakes.js"
import { workerLayer } from "../support/workerFakes.js"
import { byName, collectingExporter, one, tree } from "./collect.js"

const LAMBDA_TRACE_ID = "6740a1b2c3d4e5f6a7b8c9d0e1f2a3b4"
const LAMBDA_PARENT = "53995c3f42cd8ad8"
const LAMBDA_HEADER = `Root=1-${LAMBDA_TRACE_ID.slice(0, 8)}-${LAMBDA_TRACE_ID.slice(8)};Parent=${LAMBDA_PARENT};Sampled=1;Lineage=a87bd80c:0`

/** The queue as SQS would see the send: the envelope and the `AWSTraceHeader` system attribute. */
const capturingQueue = () => {
  const sent: Array<{ envelope: EventEnvelope; traceHeader: string | undefined }> = []
  const layer = Layer.succeed(EventQueue, EventQueue.of({
    send: (envelope, options) =>
      Effect.sync(() => {
        sent.push({ envelope, traceHeader: options?.traceHeader })
        return { messageId: `msg-${sent.length}` }
      })
  }))
  return { sent, layer }
}

const apiEvent = (body: unknown): APIGatewayProxyEventV2 => ({
  version: "2.0",
  routeKey: "POST /webhooks/richpanel",
  rawPath: "/webhooks/richpanel",
  rawQueryString: "",
  headers: { "content-type": "application/json", "x-webhook-token": TEST_TOKEN },
  requestContext: {} as APIGatewayProxyEventV2["requestContext"],
  body: JSON.stringify(body),
  isBase64Encoded: false
})

const sqsEvent = (envelope: EventEnvelope, traceHeader: string | undefined): SQSEvent => ({
  Records: [{
    messageId: "sqs-1",
    receiptHandle: "rh-1",
    body: JSON.stringify(envelope),
    attributes: {
      ApproximateReceiveCount: "1",
      SentTimestamp: "0",
      SenderId: "x",
      ApproximateFirstReceiveTimestamp: "0",
      MessageGroupId: envelope.conversation_id,
      ...(traceHeader === undefined ? {} : { AWSTraceHeader: traceHeader })
    },
    messageAttributes: {},
    md5OfBody: "",
    eventSource: "aws:sqs",
    eventSourceARN: "arn:aws:sqs:us-east-2:000000000000:rp-mw-events.fifo",
    awsRegion: "us-east-2"
  }]
})

afterEach(() => {
  delete process.env["_X_AMZN_TRACE_ID"]
})

describe("tracing through the Lambda handlers", () => {
  it("ingress: spans are exported before the handler resolves, parented on _X_AMZN_TRACE_ID; the queue gets the enqueue span", async () => {
    process.env["_X_AMZN_TRACE_ID"] = LAMBDA_HEADER
    const collected = collectingExporter()
    const queue = capturingQueue()
    const runtime = ManagedRuntime.make(Layer.mergeAll(
      queue.layer,
      IdempotencyStoreMemory.layer,
      appConfig(),
      Tracing.layerExporter("rp-mw-ingress", collected.exporter)
    ))
    try {
      const answer = await ingressHandler(runtime)(apiEvent({ conversation_id: "c-1", message_id: "m-1", text: "Where is my order?" }))
      expect(answer.statusCode).toBe(200)
      // Nothing waits after the promise: the batch processor's 5 s timer would not have fired yet.
      const ingest = one(collected.spans, "Ingress.ingest")
      const enqueue = one(collected.spans, "Ingress.enqueue")
      expect(ingest.spanContext().traceId).toBe(LAMBDA_TRACE_ID)
      expect(ingest.parentSpanContext?.spanId).toBe(LAMBDA_PARENT)
      expect(enqueue.parentSpanContext?.spanId).toBe(ingest.spanContext().spanId)
      expect(ingest.resource.attributes["service.name"]).toBe("rp-mw-ingress")

      const header = queue.sent[0]?.traceHeader
      expect(header).toBe(`Root=1-${LAMBDA_TRACE_ID.slice(0, 8)}-${LAMBDA_TRACE_ID.slice(8)};Parent=${enqueue.spanContext().spanId};Sampled=1`)
    } finally {
      await runtime.dispose()
    }
  })

  it("an unsampled Lambda trace exports nothing, but the queue still carries the trace", async () => {
    process.env["_X_AMZN_TRACE_ID"] = LAMBDA_HEADER.replace("Sampled=1", "Sampled=0")
    const collected = collectingExporter()
    const queue = capturingQueue()
    const runtime = ManagedRuntime.make(Layer.mergeAll(queue.layer, IdempotencyStoreMemory.layer, appConfig(), Tracing.layerExporter("rp-mw-ingress", collected.exporter)))
    try {
      expect((await ingressHandler(runtime)(apiEvent({ conversation_id: "c-2", message_id: "m-1", text: "hi" }))).statusCode).toBe(200)
      expect(collected.spans).toEqual([])
      expect(queue.sent[0]?.traceHeader).toMatch(new RegExp(`^Root=1-${LAMBDA_TRACE_ID.slice(0, 8)}-.*;Sampled=0$`))
    } finally {
      await runtime.dispose()
    }
  })

  it("webhook → worker is one trace: every worker step is under the ingress enqueue span", async () => {
    const queue = capturingQueue()
    const ingressSpans = collectingExporter()
    const ingress = ManagedRuntime.make(Layer.mergeAll(queue.layer, IdempotencyStoreMemory.layer, appConfig(), Tracing.layerExporter("rp-mw-ingress", ingressSpans.exporter)))
    const workerSpans = collectingExporter()
    const worker = ManagedRuntime.make(Layer.mergeAll(workerLayer("route-only"), Tracing.layerExporter("rp-mw-worker", workerSpans.exporter)))
    try {
      await ingressHandler(ingress)(apiEvent({ conversation_id: "c-3", message_id: "m-1", channel: "email", text: "Where is my order #1001?" }))
      const sent = queue.sent[0]
      if (sent === undefined) throw new Error("nothing was queued")
      process.env["_X_AMZN_TRACE_ID"] = LAMBDA_HEADER
      const result = await workerHandler(worker)(sqsEvent(sent.envelope, sent.traceHeader))
      expect(result.batchItemFailures).toEqual([])

      const enqueue = one(ingressSpans.spans, "Ingress.enqueue")
      const processRecord = one(workerSpans.spans, "Worker.processRecord")
      expect(processRecord.spanContext().traceId).toBe(enqueue.spanContext().traceId)
      expect(processRecord.parentSpanContext).toMatchObject({ spanId: enqueue.spanContext().spanId, isRemote: true })
      // The batch span belongs to the worker invocation's own trace.
      expect(one(workerSpans.spans, "Worker.batch").spanContext().traceId).toBe(LAMBDA_TRACE_ID)

      const ingressTrace = enqueue.spanContext().traceId
      const steps = ["Worker.decode", "Worker.processEvent", "Worker.loadTicket", "Worker.claim", "Worker.classify", "Worker.decide",
        "Worker.execute", "Worker.add_tags", "RetryPolicies.callDownstream", "Worker.record"]
      for (const step of steps) {
        const spans = byName(workerSpans.spans, step)
        expect(spans.length, `${step}\n${tree(workerSpans.spans)}`).toBeGreaterThan(0)
        for (const span of spans) expect(span.spanContext().traceId).toBe(ingressTrace)
      }
    } finally {
      await ingress.dispose()
      await worker.dispose()
    }
  })
})

describe("log lines and traces", () => {
  it("a log line inside a span carries its trace id in X-Ray form; one outside a span carries none", async () => {
    const lines: Array<string> = []
    const spans = collectingExporter()
    const program = Effect.logInfo("inside").pipe(Effect.withSpan("Worker.step"), Effect.zipRight(Effect.logInfo("outside")))
    await Effect.runPromise(program.pipe(
      Effect.provide(Layer.mergeAll(
        Tracing.layerExporter("rp-mw-worker", spans.exporter),
        Logger.replace(Logger.defaultLogger, Logging.makeJsonLogger((line) => lines.push(line)))
      ))
    ))
    const traceId = one(spans.spans, "Worker.step").spanContext().traceId
    const [inside, outside] = lines.map((line) => JSON.parse(line) as { message: string; trace_id?: string })
    expect(inside).toMatchObject({ message: "inside", trace_id: `1-${traceId.slice(0, 8)}-${traceId.slice(8)}` })
    expect(outside?.trace_id).toBeUndefined()
  })
})

describe("trace header", () => {
  it("reads Lambda's header, ignoring Lineage, and refuses one without a sampling decision", () => {
    const parsed = parseTraceHeader(LAMBDA_HEADER)
    expect(parsed._tag === "Some" && parsed.value).toMatchObject({ traceId: LAMBDA_TRACE_ID, spanId: LAMBDA_PARENT, traceFlags: 1 })
    expect(parseTraceHeader(`Root=1-${LAMBDA_TRACE_ID.slice(0, 8)}-${LAMBDA_TRACE_ID.slice(8)};Parent=${LAMBDA_PARENT}`)._tag).toBe("None")
    expect(parseTraceHeader("garbage")._tag).toBe("None")
  })
})
