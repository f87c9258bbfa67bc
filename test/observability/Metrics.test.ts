import { describe, expect, it, vi } from "@effect/vitest"
import type { APIGatewayProxyEventV2 } from "aws-lambda"
import { ConfigProvider, Effect, Exit, Layer, ManagedRuntime, TestClock } from "effect"
import { ingressHandler } from "../../src/lambda/ingressHandler.js"
import * as EmfMetrics from "../../src/layers/EmfMetrics.js"
import * as IdempotencyStoreMemory from "../../src/layers/IdempotencyStoreMemory.js"
import { processRecord } from "../../src/programs/worker/Worker.js"
import { Classifier, ClassifierTransient } from "../../src/services/Classifier.js"
import { LiveDownstreams } from "../../src/services/Downstream.js"
import * as Metrics from "../../src/services/Metrics.js"
import { RichpanelRateLimited } from "../../src/services/Richpanel.js"
import { appConfig, fakeQueueLayer, TEST_TOKEN } from "../support/fakes.js"
import { classifyAlways, eventFor, RECEIVED_AT, flat, injectRichpanel, output, recordOf, withClock, workerLayer } from "../support/workerFakes.js"

interface EmfDoc {
  readonly _aws: {
    readonly Timestamp: number
    readonly CloudWatchMetrics: ReadonlyArray<{
      readonly Namespace: string
      readonly Dimensions: ReadonlyArray<ReadonlyArray<string>>
      readonly Metrics: ReadonlyArray<{ readonly Name: string; readonly Unit: string }>
    }>
  }
  readonly [key: string]: unknown
}

/** The EMF layer writing into an array, so a test reads exactly what CloudWatch Logs would get. */
const emfInto = (lines: Array<string>) => Layer.succeed(Metrics.Metrics, EmfMetrics.make("rp-mw/test", (line) => lines.push(line)))

const parse = (lines: ReadonlyArray<string>) => lines.map((line) => JSON.parse(line) as EmfDoc)

/** Each point as `Name{Dim=value,…}=value`, for compact assertions. */
const points = (lines: ReadonlyArray<string>) =>
  parse(lines).map((doc) => {
    const directive = doc._aws.CloudWatchMetrics[0]
    const name = directive?.Metrics[0]?.Name ?? "?"
    const dims = (directive?.Dimensions[0] ?? []).map((d) => `${d}=${String(doc[d])}`).join(",")
    return `${name}{${dims}}`
  })

const PII = ["jane@example.com", "+1 415 555 2671", "4155552671", "4111 1111 1111 1111", "4111111111111111"]

describe("EMF lines", () => {
  it("parse as EMF with the namespace, catalogue dimensions and unit, and carry no id or text as a dimension", () => {
    const line = EmfMetrics.emfLine("rp-mw/dev", 1_700_000_000_000, {
      name: "Decisions",
      unit: "Count",
      value: 1,
      dimensions: { Intent: "order_status_tracking", Outcome: "jane@example.com", Extra: "+1 415 555 2671" }
    })
    const doc = JSON.parse(line ?? "") as EmfDoc
    expect(doc._aws).toEqual({
      Timestamp: 1_700_000_000_000,
      CloudWatchMetrics: [{ Namespace: "rp-mw/dev", Dimensions: [["Intent", "Outcome"]], Metrics: [{ Name: "Decisions", Unit: "Count" }] }]
    })
    expect(doc).toMatchObject({ Intent: "order_status_tracking", Outcome: "other", Decisions: 1 })
    expect(doc).not.toHaveProperty("Extra")
    for (const value of PII) expect(line).not.toContain(value)
  })

  it("a metric without dimensions has one empty dimension set; a non-finite value is not written", () => {
    const doc = JSON.parse(EmfMetrics.emfLine("ns", 0, { name: "AckLatency", unit: "Milliseconds", value: 12, dimensions: {} }) ?? "") as EmfDoc
    expect(doc._aws.CloudWatchMetrics[0]).toEqual({ Namespace: "ns", Dimensions: [[]], Metrics: [{ Name: "AckLatency", Unit: "Milliseconds" }] })
    expect(doc["AckLatency"]).toBe(12)
    expect(EmfMetrics.emfLine("ns", 0, { name: "AckLatency", unit: "Milliseconds", value: Number.NaN, dimensions: {} })).toBeUndefined()
  })

  it.effect("the layer writes to stdout under MW_METRICS_NAMESPACE, default rp-mw; without it nothing is written", () =>
    Effect.gen(function*() {
      const written: Array<string> = []
      const spy = vi.spyOn(process.stdout, "write").mockImplementation((chunk: string | Uint8Array) => {
        written.push(String(chunk))
        return true
      })
      const emitWith = (env: Record<string, string>) =>
        Metrics.count("Fallbacks", { Reason: "low_confidence" }).pipe(
          Effect.provide(EmfMetrics.layer),
          Effect.provide(Layer.setConfigProvider(ConfigProvider.fromMap(new Map(Object.entries(env)))))
        )
      yield* Effect.ensuring(
        Effect.all([emitWith({ MW_METRICS_NAMESPACE: "rp-mw/prod" }), emitWith({}), Metrics.count("Fallbacks", { Reason: "low_confidence" })]),
        Effect.sync(() => spy.mockRestore())
      )
      expect(written.map((line) => (JSON.parse(line) as EmfDoc)._aws.CloudWatchMetrics[0]?.Namespace)).toEqual(["rp-mw/prod", "rp-mw"])
      expect(written.every((line) => line.endsWith("}\n"))).toBe(true)
    }))
})

const withUsage = Layer.succeed(Classifier, Classifier.of({
  classify: () =>
    Effect.succeed({
      output: output("return_request", 0.95),
      source: "openai",
      model: "fake-model",
      promptVersion: "test",
      usage: { inputTokens: 812, outputTokens: 64, cachedTokens: 0 }
    })
}))

describe("instrumented worker and ingress", () => {
  it.effect("a routed message: one decision by intent and outcome, its latency, its tokens, one call per downstream attempt", () => {
    const lines: Array<string> = []
    return Effect.gen(function*() {
      yield* TestClock.setTime(Date.parse(RECEIVED_AT) + 60_000)
      const envelope = flat("conv-m1", "m-1", "I want to return these shoes, write to jane@example.com or +1 415 555 2671")
      expect(Exit.isSuccess(yield* withClock(processRecord(recordOf(envelope))))).toBe(true)
      const record = yield* eventFor(envelope.event_id)
      expect(record?.outcome).toBe("routed")

      const seen = points(lines)
      expect(seen).toContain("Decisions{Intent=return_request,Outcome=routed}")
      expect(seen).toContain("LlmTokens{Kind=input}")
      expect(seen).toContain("LlmTokens{Kind=output}")
      expect(seen).toContain("ProcessingLatency{}")
      expect(seen.filter((p) => p === "DownstreamCalls{Downstream=openai}")).toHaveLength(1)
      expect(seen.filter((p) => p === "DownstreamCalls{Downstream=richpanel}").length).toBeGreaterThanOrEqual(2)
      expect(seen.some((p) => p.startsWith("DownstreamErrors") || p.startsWith("DownstreamThrottled") || p.startsWith("Fallbacks"))).toBe(false)
      const docs = parse(lines)
      expect(docs.filter((d) => d["LlmTokens"] !== undefined).map((d) => d["LlmTokens"])).toEqual([812, 64])
      const latency = docs.find((d) => d["ProcessingLatency"] !== undefined)?.["ProcessingLatency"]
      expect(typeof latency === "number" && latency >= 60_000 && latency <= 65_000).toBe(true)
      expect(docs.every((d) => d._aws.CloudWatchMetrics[0]?.Namespace === "rp-mw/test")).toBe(true)
      for (const value of PII) expect(lines.join("\n")).not.toContain(value)
    }).pipe(Effect.provide(Layer.mergeAll(Layer.merge(workerLayer("route-only"), withUsage), emfInto(lines))))
  })

  it.effect("a stand-in without a key (here the rules classifier for OpenAI) is not counted as a downstream call", () => {
    const lines: Array<string> = []
    return Effect.gen(function*() {
      yield* classifyAlways(output("return_request", 0.95))
      expect(Exit.isSuccess(yield* withClock(processRecord(recordOf(flat("conv-m3", "m-1", "I want to return these shoes")))))).toBe(true)
      const seen = points(lines)
      expect(seen.filter((p) => p.includes("Downstream=openai"))).toEqual([])
      expect(seen.filter((p) => p === "DownstreamCalls{Downstream=richpanel}").length).toBeGreaterThanOrEqual(2)
    }).pipe(
      Effect.provide(Layer.mergeAll(workerLayer("route-only"), emfInto(lines))),
      Effect.provideService(LiveDownstreams, new Set(["richpanel", "shopify"] as const))
    )
  })

  it.effect("a 429 from Richpanel: the attempt counts as a call, an error and a throttle; the retry as another call", () => {
    const lines: Array<string> = []
    return Effect.gen(function*() {
      yield* classifyAlways(output("return_request", 0.95))
      yield* injectRichpanel({ method: "loadTicket", error: new RichpanelRateLimited({ retryAfterMs: 1_000 }) })
      const envelope = flat("conv-m2", "m-1", "I want to return these shoes")
      expect(Exit.isSuccess(yield* withClock(processRecord(recordOf(envelope))))).toBe(true)
      const seen = points(lines)
      expect(seen.filter((p) => p === "DownstreamThrottled{Downstream=richpanel}")).toHaveLength(1)
      expect(seen.filter((p) => p === "DownstreamErrors{Downstream=richpanel}")).toHaveLength(1)
      expect(seen.filter((p) => p.startsWith("DownstreamThrottled{Downstream=openai"))).toHaveLength(0)
    }).pipe(Effect.provide(Layer.mergeAll(workerLayer("route-only"), emfInto(lines))))
  })

  it.effect("a classifier outage: the hand-over counts as a classifier_failed fallback", () => {
    const lines: Array<string> = []
    return Effect.gen(function*() {
      yield* classifyAlways(new ClassifierTransient({ reason: "HTTP 500" }))
      const envelope = flat("conv-m3", "m-1", "I want to return these shoes")
      expect(Exit.isSuccess(yield* withClock(processRecord(recordOf(envelope)), "30 seconds"))).toBe(true)
      const seen = points(lines)
      expect(seen).toContain("Fallbacks{Reason=classifier_failed}")
      expect(seen.some((p) => p.startsWith("Decisions{") && p.endsWith("Outcome=handed-over}"))).toBe(true)
      expect(seen.filter((p) => p === "DownstreamErrors{Downstream=openai}").length).toBeGreaterThan(1)
    }).pipe(Effect.provide(Layer.mergeAll(workerLayer("route-only"), emfInto(lines))))
  })

  it("ingress: one AckLatency per answer, rejections included", async () => {
    const lines: Array<string> = []
    const runtime = ManagedRuntime.make(Layer.mergeAll(fakeQueueLayer, IdempotencyStoreMemory.layer, appConfig(), emfInto(lines)))
    const event = (token: string): APIGatewayProxyEventV2 => ({
      version: "2.0",
      routeKey: "POST /webhooks/richpanel",
      rawPath: "/webhooks/richpanel",
      rawQueryString: "",
      headers: { "content-type": "application/json", "x-webhook-token": token },
      requestContext: {} as APIGatewayProxyEventV2["requestContext"],
      body: JSON.stringify({ conversation_id: "c-1", message_id: "m-1", text: "hi" }),
      isBase64Encoded: false
    })
    try {
      expect((await ingressHandler(runtime)(event(TEST_TOKEN))).statusCode).toBe(200)
      expect((await ingressHandler(runtime)(event("wrong"))).statusCode).toBe(401)
      expect(points(lines)).toEqual(["AckLatency{}", "AckLatency{}"])
      const latency = parse(lines)[0]?.["AckLatency"]
      expect(typeof latency === "number" && latency >= 0 && latency < 5_000).toBe(true)
    } finally {
      await runtime.dispose()
    }
  })
})
