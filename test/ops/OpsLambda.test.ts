import { afterAll, beforeAll, describe, expect, it, vi } from "@effect/vitest"
import { routingTags } from "../../src/programs/ops/TagDrift.js"
import { defaultRoutingConfig } from "../../src/domain/RoutingConfig.js"
import { type FakeRichpanelServer, startFakeRichpanel } from "../support/fakeRichpanel.js"
import { awsError, FAKE_AWS_ENV, type FakeAwsJson, startFakeAwsJson } from "../support/fakeAwsJson.js"
import { type FakeSqs, queueUrl, startFakeSqs } from "./fakeSqs.js"

const RICHPANEL_KEY = "rp_key_only_in_secrets_manager_77"
const KEY_ARN = "arn:aws:secretsmanager:us-east-2:123456789012:secret:rp-mw/richpanel-api-key-Q1w2E3"

/** False: the secret exists but has no value yet (a stack deployed before the key was put). */
let keyStored = true
let secrets: FakeAwsJson
let sqs: FakeSqs
let richpanel: FakeRichpanelServer

beforeAll(async () => {
  secrets = await startFakeAwsJson("application/x-amz-json-1.1", {
    GetSecretValue: (body) =>
      body["SecretId"] === KEY_ARN && keyStored
        ? { body: { ARN: KEY_ARN, Name: "rp-mw/richpanel-api-key", SecretString: RICHPANEL_KEY } }
        : awsError("ResourceNotFoundException", "Secrets Manager can't find the specified secret.")
  })
  sqs = await startFakeSqs(["rp-mw-events.fifo", "rp-mw-events-dlq.fifo"])
  richpanel = await startFakeRichpanel({ apiKey: RICHPANEL_KEY })
  // Exactly what the CDK stack and the Lambda service set; nothing else reaches the handler.
  const env: Record<string, string> = {
    ...FAKE_AWS_ENV,
    MW_ENV: "dev",
    MW_METRICS_NAMESPACE: "rp-mw/dev",
    DLQ_URL: queueUrl("rp-mw-events-dlq.fifo"),
    EVENTS_QUEUE_URL: queueUrl("rp-mw-events.fifo"),
    RICHPANEL_API_KEY_SECRET_ARN: KEY_ARN,
    AWS_ENDPOINT_URL_SECRETS_MANAGER: secrets.url,
    SQS_ENDPOINT: sqs.url,
    RICHPANEL_BASE_URL: richpanel.baseUrl
  }
  for (const [name, value] of Object.entries(env)) vi.stubEnv(name, value)
  for (const name of ["RICHPANEL_API_KEY", "AWS_XRAY_DAEMON_ADDRESS", "MW_ROUTING_CONFIG"]) vi.stubEnv(name, undefined)
})

afterAll(async () => {
  vi.unstubAllEnvs()
  await Promise.all([secrets.close(), sqs.close(), richpanel.close()])
})

/** Runs the handler, returning what it wrote to stdout (JSON log lines and EMF metric lines). */
const invoke = async (handler: (event?: unknown) => Promise<unknown>) => {
  const lines: Array<string> = []
  const spy = vi.spyOn(process.stdout, "write").mockImplementation((chunk: string | Uint8Array) => {
    lines.push(...String(chunk).split("\n").filter((line) => line !== ""))
    return true
  })
  try {
    const result = await handler({ "detail-type": "Scheduled Event", source: "aws.events" })
    return { result, lines }
  } finally {
    spy.mockRestore()
  }
}

const metricValues = (lines: ReadonlyArray<string>, name: string) =>
  lines
    .map((line) => JSON.parse(line) as Record<string, unknown> & { _aws?: { CloudWatchMetrics: ReadonlyArray<{ Namespace: string }> } })
    .filter((doc) => doc._aws !== undefined && name in doc)
    .map((doc) => ({ namespace: doc._aws?.CloudWatchMetrics[0]?.Namespace, value: doc[name] }))

describe("ops Lambda (src/lambda/ops.ts, as deployed)", () => {
  it("reads the Richpanel key from Secrets Manager once, reports DLQ depth and missing tags, and emits both metrics", async () => {
    Object.assign(sqs.queues.get(queueUrl("rp-mw-events-dlq.fifo"))!, { visible: 1, inFlight: 0 })
    richpanel.seedTags(routingTags(defaultRoutingConfig).filter((tag) => tag !== "route-sales-team"))
    const { handler } = await import("../../src/lambda/ops.js")

    const first = await invoke(handler)
    expect(first.result).toEqual({
      ok: true,
      dlq: { status: "ok", dlq: { visible: 1, in_flight: 0 }, events: { visible: 0, in_flight: 0 } },
      tags: { status: "ok", checked: expect.any(Number), missing: ["route-sales-team"] }
    })
    expect(metricValues(first.lines, "DlqDepth")).toEqual([{ namespace: "rp-mw/dev", value: 1 }])
    expect(metricValues(first.lines, "MissingRoutingTags")).toEqual([{ namespace: "rp-mw/dev", value: 1 }])
    // The secret reached the real Richpanel client (the fake refuses any other key) and no log line.
    expect(richpanel.requests().map((r) => [r.path, r.status])).toEqual([["/v1/tags", 200]])
    const summaryLine = first.lines.find((line) => line.includes("ops report"))
    expect(JSON.parse(summaryLine ?? "{}")).toMatchObject({ level: "INFO", tags: { missing: ["route-sales-team"] } })
    expect(first.lines.join("\n")).not.toContain(RICHPANEL_KEY)

    Object.assign(sqs.queues.get(queueUrl("rp-mw-events-dlq.fifo"))!, { visible: 0 })
    const second = await invoke(handler)
    expect(second.result).toMatchObject({ ok: true, dlq: { dlq: { visible: 0 } } })
    expect(metricValues(second.lines, "DlqDepth")).toEqual([{ namespace: "rp-mw/dev", value: 0 }])
    // Cached for the container's life: one GetSecretValue for both invocations.
    expect(secrets.requests.map((r) => r.body["SecretId"])).toEqual([KEY_ARN])
  })

  it("a missing secret fails the run saying what to put where; the next run after it is put succeeds", async () => {
    vi.resetModules()
    const { handler } = await import("../../src/lambda/ops.js")
    keyStored = false
    secrets.requests.length = 0
    const failed = await invoke(handler).then(() => undefined, (error: unknown) => error)
    expect(String(failed)).toContain("RICHPANEL_API_KEY_SECRET_ARN: secret")
    expect(String(failed)).toContain("aws secretsmanager put-secret-value --secret-id rp-mw/richpanel-api-key")

    keyStored = true
    const next = await invoke(handler)
    expect(next.result).toMatchObject({ ok: true, tags: { status: "ok" } })
    // The failed start-up was not kept: the second run read the secret again.
    expect(secrets.requests.map((r) => r.body["SecretId"])).toEqual([KEY_ARN, KEY_ARN])
  })
})
