import { describe, expect, it, layer } from "@effect/vitest"
import fc from "fast-check"
import { ConfigProvider, Context, Effect, Layer, Option, Redacted, Ref } from "effect"
import type { ChannelClass } from "../../src/domain/Envelope.js"
import { decide, type OrderFinding, type PolicyInput } from "../../src/domain/Policy.js"
import { defaultRoutingConfig, HandoverKinds, type RoutingConfig } from "../../src/domain/RoutingConfig.js"
import { IntentIds, P0Intents, RiskFlags } from "../../src/domain/Taxonomy.js"
import * as SqsQueueStats from "../../src/layers/SqsQueueStats.js"
import { runOpsChecks } from "../../src/programs/ops/OpsReport.js"
import { routingTags } from "../../src/programs/ops/TagDrift.js"
import { AppConfig } from "../../src/services/AppConfig.js"
import { type MetricPoint, Metrics } from "../../src/services/Metrics.js"
import { FakeRichpanel, Faults, layerRichpanelHttp } from "../support/fakeRichpanel.js"
import { FAKE_AWS_ENV } from "../support/fakeAwsJson.js"
import { type FakeSqs, queueUrl, startFakeSqs } from "./fakeSqs.js"

const DLQ = "rp-mw-events-dlq.fifo"
const EVENTS = "rp-mw-events.fifo"

class Sqs extends Context.Tag("test/FakeSqs")<Sqs, FakeSqs>() {}
class Points extends Context.Tag("test/MetricPoints")<Points, Ref.Ref<ReadonlyArray<MetricPoint>>>() {}

const fakeSqsLayer = Layer.scoped(
  Sqs,
  Effect.acquireRelease(
    Effect.promise(() => {
      Object.assign(process.env, FAKE_AWS_ENV)
      return startFakeSqs([DLQ, EVENTS])
    }),
    (fake) => Effect.promise(() => fake.close())
  )
)

/** The real SQS client pointed at the fake through `SQS_ENDPOINT`, as the ops Lambda's would be through AWS. */
const queueStatsLayer = Layer.unwrapEffect(
  Effect.map(Sqs, (fake) =>
    SqsQueueStats.layer.pipe(
      Layer.provide(Layer.setConfigProvider(ConfigProvider.fromMap(new Map([["SQS_ENDPOINT", fake.url], ["AWS_REGION", "us-east-2"]]))))
    ))
)

const recordingMetrics = Layer.effectContext(
  Effect.map(Ref.make<ReadonlyArray<MetricPoint>>([]), (points) =>
    Context.make(Points, points).pipe(
      Context.add(Metrics, { emit: (point: MetricPoint) => Ref.update(points, (all) => [...all, point]) })
    ))
)

const withRichpanelKey = (configured: boolean) =>
  Layer.succeed(AppConfig, {
    mode: "shadow",
    webhookToken: Option.none(),
    richpanelApiKey: configured ? Option.some(Redacted.make("rp_test_fake_key")) : Option.none(),
    openaiApiKey: Option.none(),
    shopifyAccessToken: Option.none()
  })

/** The checks read DLQ_URL / EVENTS_QUEUE_URL per run, like the Lambda's environment. */
const run = (env: Record<string, string>, richpanelKey = true) =>
  runOpsChecks().pipe(
    Effect.withConfigProvider(ConfigProvider.fromMap(new Map(Object.entries(env)))),
    Effect.provide(withRichpanelKey(richpanelKey))
  )

const ENV = { DLQ_URL: queueUrl(DLQ), EVENTS_QUEUE_URL: queueUrl(EVENTS) }

const setup = Effect.gen(function* () {
  const sqs = yield* Sqs
  const richpanel = yield* FakeRichpanel
  const points = yield* Points
  richpanel.reset()
  sqs.denied.clear()
  sqs.requests.length = 0
  yield* Ref.set(points, [])
  const metric = (name: string) => Effect.map(Ref.get(points), (all) => all.filter((p) => p.name === name).map((p) => p.value))
  return { sqs, richpanel, metric }
})

const withMissingTeam = (config: RoutingConfig): RoutingConfig => ({
  ...config,
  missing_teams: ["Chargebacks / Disputes Team"],
  intents: {
    ...config.intents,
    cancel_order: { ...config.intents.cancel_order, extra_tags: ["vip-watch"] }
  }
})

describe("routingTags", () => {
  it("lists every tag the worker can add under the config, mirroring buildTags", () => {
    const tags = routingTags(defaultRoutingConfig)
    expect(tags).toContain("route-email-support-team")
    expect(tags).toContain("route-chargebacks-disputes-team")
    expect(tags).toContain("route-leadership-team")
    expect(tags).toContain("mw-intent-order_status_tracking")
    expect(tags).toContain("mw-secondary-cancel_order")
    for (const fixed of ["mw-routed", "mw-needs-human", "mw-low-confidence", "mw-model-failure", "mw-auto-replied", "mw-awaiting-order-number"]) {
      expect(tags).toContain(fixed)
    }
    expect(new Set(tags).size).toBe(tags.length)
    // 25 intents × (intent + secondary) + 6 fixed markers + one route tag per routed-to team.
    expect(tags.filter((t) => t.startsWith("mw-intent-")).length).toBe(25)
    expect(tags.filter((t) => t.startsWith("route-")).length).toBeGreaterThan(3)
  })

  it("contains every tag a decision can add (property over decide, two configs)", () => {
    // Order status has the most paths (lookup, ask for the number, resume): drawn more often than the others.
    const intent = fc.oneof({ arbitrary: fc.constantFrom(...IntentIds), weight: 3 }, { arbitrary: fc.constant("order_status_tracking" as const), weight: 1 })
    const confidence = fc.constantFrom(0.2, 0.55, 0.7, 0.9, 1)
    const rare = <A>(arbitrary: fc.Arbitrary<ReadonlyArray<A>>) =>
      fc.oneof({ arbitrary: fc.constant([]), weight: 4 }, { arbitrary, weight: 1 })
    const withTwoMissing = withMissingTeam(defaultRoutingConfig)
    const configs = [defaultRoutingConfig, { ...withTwoMissing, missing_teams: [...withTwoMissing.missing_teams, "LiveChat Support"] }]
    const input: fc.Arbitrary<PolicyInput> = fc.record({
      output: fc.option(fc.record({
        primary_intent: intent,
        confidence,
        secondary_intents: fc.array(fc.record({ intent, confidence }), { maxLength: 2 }),
        language: fc.constant("en" as const),
        sentiment: fc.constantFrom("neutral" as const, "very_negative" as const),
        urgency: fc.constant("normal" as const),
        risk_flags: rare(fc.subarray([...RiskFlags])),
        order_number: fc.constant(null),
        reason: fc.constant("r")
      })),
      tier0Hits: rare(fc.subarray([...P0Intents])),
      handoverSignals: rare(fc.subarray([...HandoverKinds])),
      channel: fc.constantFrom<ChannelClass>("email", "livechat", "social", "tiktok", "phone", "unknown"),
      awaiting: fc.boolean(),
      // The order-status second pass: a typed number, and what the lookup found (spec §7.1–7.2).
      orderNumber: fc.option(fc.constant("1001")),
      orderFinding: fc.option(fc.constantFrom<OrderFinding>(
        { _tag: "Reply", templateId: "t_order_status_verified", variables: { order_id: "#1001" }, handOver: false, reason: "order:found" },
        { _tag: "Reply", templateId: "t_shipping_delay_verified", variables: { order_id: "#1001" }, handOver: true, reason: "order:late" },
        { _tag: "HandOver", reason: "order:cancelled" },
        { _tag: "NotFound", reason: "order:not-found" }
      )),
      mode: fc.constantFrom("shadow" as const, "route-only" as const, "live" as const),
      config: fc.constantFrom(...configs)
    }).map((r): PolicyInput => ({
      classification: r.output === null ? { _tag: "Failed", reason: "timeout" } : { _tag: "Classified", output: r.output },
      tier0Hits: r.tier0Hits,
      handoverSignals: r.handoverSignals,
      message: { channel: r.channel, attachmentOnly: false, ...(r.orderNumber === null ? {} : { orderNumber: r.orderNumber }) },
      ...(r.orderFinding === null ? {} : { orderFinding: r.orderFinding }),
      ticketStatus: "OPEN",
      state: {
        conversation_id: "c1",
        auto_replies: [],
        human_replied: false,
        updated_at: 0,
        version: 1,
        ...(r.awaiting ? { awaiting: { kind: "order_number", attempts: 1, since: 0, expires_at: 4_000_000_000_000 } } : {})
      },
      mode: r.mode,
      now: 1_700_000_000_000,
      config: r.config
    }))
    const seen = new Set<string>()
    fc.assert(fc.property(input, (i) => {
      const known = new Set(routingTags(i.config))
      for (const tag of decide(i).addTags) {
        seen.add(tag)
        expect(known.has(tag), tag).toBe(true)
      }
    }), { numRuns: 5_000, seed: 7 })
    // Not vacuous: the decisions reached the tags that only some paths add.
    const tagsSeen = ["mw-needs-chargebacks-disputes-team", "mw-model-failure", "mw-auto-replied", "vip-watch", "mw-needs-human", "mw-awaiting-order-number"]
    for (const tag of tagsSeen) {
      expect(seen.has(tag), tag).toBe(true)
    }
  })

  it("a missing team routes to the fallback tag plus mw-needs-<team>; extra tags are included", () => {
    const tags = routingTags(withMissingTeam(defaultRoutingConfig))
    expect(tags).not.toContain("route-chargebacks-disputes-team")
    expect(tags).toContain("mw-needs-chargebacks-disputes-team")
    expect(tags).toContain("route-email-support-team")
    expect(tags).toContain("vip-watch")
  })
})

layer(Layer.mergeAll(Layer.provideMerge(queueStatsLayer, fakeSqsLayer), layerRichpanelHttp(), recordingMetrics))("ops checks", (it) => {
  it.effect("report DLQ depth and the routing tags missing in Richpanel, with both metrics", () =>
    Effect.gen(function* () {
      const { sqs, richpanel, metric } = yield* setup
      Object.assign(sqs.queues.get(queueUrl(DLQ))!, { visible: 2, inFlight: 1 })
      Object.assign(sqs.queues.get(queueUrl(EVENTS))!, { visible: 7, inFlight: 0 })
      const expected = routingTags(defaultRoutingConfig)
      richpanel.seedTags([...expected.filter((t) => t !== "mw-routed" && t !== "route-returns-admin"), "unrelated-tag"])
      const summary = yield* run(ENV)
      expect(summary).toEqual({
        ok: true,
        dlq: { status: "ok", dlq: { visible: 2, in_flight: 1 }, events: { visible: 7, in_flight: 0 } },
        tags: { status: "ok", checked: expected.length, missing: ["mw-routed", "route-returns-admin"] }
      })
      expect(yield* metric("DlqDepth")).toEqual([3])
      expect(yield* metric("MissingRoutingTags")).toEqual([2])
      expect(sqs.requests.map((r) => r.target)).toEqual(["AmazonSQS.GetQueueAttributes", "AmazonSQS.GetQueueAttributes"])
      expect(richpanel.requests().map((r) => `${r.method} ${r.path}`)).toEqual(["GET /v1/tags"])
    }))

  it.effect("without a Richpanel key the drift check is skipped, saying why, and Richpanel is not called", () =>
    Effect.gen(function* () {
      const { richpanel, metric } = yield* setup
      const summary = yield* run(ENV, false)
      expect(summary.ok).toBe(true)
      expect(summary.tags).toEqual({ status: "skipped", reason: expect.stringContaining("RICHPANEL_API_KEY is not configured") })
      expect(summary.dlq.status).toBe("ok")
      expect(yield* metric("MissingRoutingTags")).toEqual([])
      expect(richpanel.requests()).toEqual([])
    }))

  it.effect("a Richpanel failure does not hide the DLQ report, and an SQS failure does not hide the drift result", () =>
    Effect.gen(function* () {
      const { sqs, richpanel, metric } = yield* setup
      Object.assign(sqs.queues.get(queueUrl(DLQ))!, { visible: 4, inFlight: 0 })
      richpanel.inject(Faults.unauthorized())
      const first = yield* run(ENV)
      expect(first.ok).toBe(false)
      expect(first.tags).toEqual({ status: "failed", error: expect.stringContaining("Richpanel answered 401") })
      expect(first.dlq).toMatchObject({ status: "ok", dlq: { visible: 4, in_flight: 0 } })
      expect(yield* metric("DlqDepth")).toEqual([4])

      richpanel.seedTags(routingTags(defaultRoutingConfig))
      sqs.denied.add("GetQueueAttributes")
      const second = yield* run(ENV)
      expect(second.dlq).toEqual({
        status: "failed",
        error: expect.stringMatching(/^GetQueueAttributes on https:\/\/sqs\..*rp-mw-events-dlq\.fifo failed: AccessDenied/)
      })
      expect(second.tags).toEqual({ status: "ok", checked: expect.any(Number), missing: [] })
      expect(yield* metric("MissingRoutingTags")).toEqual([0])
      expect(yield* metric("DlqDepth")).toEqual([4])
    }))

  it.effect("an unreadable event queue is reported beside a good DLQ depth; an unset DLQ_URL fails only its check", () =>
    Effect.gen(function* () {
      const { sqs, richpanel } = yield* setup
      richpanel.seedTags(routingTags(defaultRoutingConfig))
      Object.assign(sqs.queues.get(queueUrl(DLQ))!, { visible: 0, inFlight: 0 })
      const summary = yield* run({ ...ENV, EVENTS_QUEUE_URL: queueUrl("rp-mw-gone.fifo") })
      expect(summary.dlq).toEqual({
        status: "ok",
        dlq: { visible: 0, in_flight: 0 },
        events: { error: expect.stringContaining("QueueDoesNotExist") }
      })
      const unset = yield* run({})
      expect(unset.dlq).toEqual({ status: "failed", error: expect.stringContaining("DLQ_URL") })
      expect(unset.tags.status).toBe("ok")
    }))
})
