import { execFile } from "node:child_process"
import { createHash } from "node:crypto"
import { createSocket, type Socket } from "node:dgram"
import { cpSync, mkdtempSync, readFileSync, rmSync } from "node:fs"
import type { AddressInfo } from "node:net"
import { tmpdir } from "node:os"
import { join, resolve } from "node:path"
import { promisify } from "node:util"
import { DynamoDBClient, ScanCommand } from "@aws-sdk/client-dynamodb"
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { AllTables, ConversationStateTable } from "../../src/domain/Tables.js"
import { layerEndpoint } from "../../src/layers/DynamoClient.js"
import { ensureTables } from "../../src/layers/DynamoTables.js"
import type { EmbeddedDynamo } from "../../src/local/EmbeddedDynamo.js"
import { startDynalite } from "../support/dynalite.js"
import { FAKE_AWS_ENV, type FakeAwsJson, startFakeAwsJson } from "../support/fakeAwsJson.js"
import { FAKE_API_KEY, type FakeRichpanelServer, sampleTicket, startFakeRichpanel } from "../support/fakeRichpanel.js"
import { actionsOf, type CfnResource, resourceWith, statementsOfRole, type Synthesized, synth, targetOf } from "./synth.js"

/**
 * The bundles `cdk synth` produces, run in a child Node 22 process with the environment the template gives each
 * function (resource references resolved to fakes on 127.0.0.1) plus what the Lambda service sets. Proves that
 * each bundle imports, that its production layers initialise from exactly the stack's variables (secrets read
 * from a fake Secrets Manager, SDK clients, tracing), and that the `config/` copied into the asset is what the
 * code reads. The synth writes to a temporary directory outside the repository, so nothing in the asset can
 * resolve the repo's own `config/` or `node_modules/`.
 */

const REPO = resolve(import.meta.dirname, "..", "..")
const NODE = join(REPO, "node_modules", ".bin", "node")
const RUNNER = join(import.meta.dirname, "invoke-handler.mjs")
const ACCOUNT = "123456789012"
const TRACE_ROOT = "1-5759e988-bd862e3fe1be46a994272793"
const WEBHOOK_TOKEN = "bundle-test-webhook-token"
const DLQ_VISIBLE = 3

let built: Synthesized
let dynamo: EmbeddedDynamo
let sqs: FakeAwsJson
let secrets: FakeAwsJson
let richpanel: FakeRichpanelServer
let daemon: Socket
const segments: Array<Record<string, unknown>> = []
const sent: Array<Record<string, unknown>> = []
let scratch: string

const secretArn = (name: string) => `arn:aws:secretsmanager:us-east-2:${ACCOUNT}:secret:${name}-AbCdEf`
const queueUrl = (name: string) => `${sqs.url}/${ACCOUNT}/${name}`
const md5 = (text: string) => createHash("md5").update(text, "utf8").digest("hex")

/** Values by secret name; " " and "" are how an unconfigured vendor key looks (the stack's placeholder is " "). */
const SECRET_VALUES: Record<string, string> = {
  "rp-mw/webhook-token": WEBHOOK_TOKEN,
  "rp-mw/richpanel-api-key": FAKE_API_KEY,
  "rp-mw/openai-api-key": " ",
  "rp-mw/shopify-access-token": ""
}

beforeAll(async () => {
  built = synth({ env: "dev", bundle: true })
  scratch = mkdtempSync(join(tmpdir(), "rp-mw-bundle-"))
  dynamo = await startDynalite()
  await Effect.runPromise(ensureTables(AllTables).pipe(Effect.provide(layerEndpoint(dynamo.endpoint))))
  sqs = await startFakeAwsJson("application/x-amz-json-1.0", {
    SendMessage: (body) => {
      sent.push(body)
      const text = String(body["MessageBody"])
      return { body: { MessageId: `msg-${sent.length}`, MD5OfMessageBody: md5(text), SequenceNumber: String(sent.length) } }
    },
    GetQueueAttributes: (body) => {
      const visible = String(body["QueueUrl"]).endsWith("/rp-mw-events-dlq.fifo") ? DLQ_VISIBLE : 0
      return { body: { Attributes: { ApproximateNumberOfMessages: String(visible), ApproximateNumberOfMessagesNotVisible: "0" } } }
    }
  })
  secrets = await startFakeAwsJson("application/x-amz-json-1.1", {
    GetSecretValue: (body) => {
      const name = Object.keys(SECRET_VALUES).find((secret) => body["SecretId"] === secretArn(secret))!
      return { body: { ARN: body["SecretId"], Name: name, SecretString: SECRET_VALUES[name], VersionId: "v1" } }
    }
  })
  richpanel = await startFakeRichpanel({ tags: ["mw-routed", "route-returns"] })
  daemon = createSocket("udp4")
  // The daemon's protocol: a JSON header line, then one segment document.
  daemon.on("message", (message) => {
    const text = message.toString("utf8")
    const newline = text.indexOf("\n")
    const header: unknown = JSON.parse(text.slice(0, newline))
    if (JSON.stringify(header) === '{"format":"json","version":1}') segments.push(JSON.parse(text.slice(newline + 1)) as Record<string, unknown>)
  })
  await new Promise<void>((done) => daemon.bind(0, "127.0.0.1", done))
}, 120_000)

afterAll(async () => {
  built?.cleanup()
  if (scratch !== undefined) rmSync(scratch, { recursive: true, force: true })
  daemon?.close()
  await Promise.all([dynamo?.close(), sqs?.close(), secrets?.close(), richpanel?.close()])
})

const fn = (name: string): CfnResource => resourceWith(built.json, "AWS::Lambda::Function", "FunctionName", name)[1]
const assetDir = (name: string) => join(built.outdir, String(fn(name).Metadata?.["aws:asset:path"]))

/** A template value as the deployed function would see it, with this stack's resources replaced by fakes. */
const resolveValue = (value: unknown): string => {
  if (typeof value === "string") return value
  const target = built.json.Resources[targetOf(value) ?? ""]
  const p = target?.Properties ?? {}
  switch (target?.Type) {
    case "AWS::SQS::Queue":
      return queueUrl(String(p["QueueName"]))
    case "AWS::DynamoDB::GlobalTable":
      return String(p["TableName"])
    case "AWS::SecretsManager::Secret":
      return secretArn(String(p["Name"]))
    default:
      throw new Error(`no fake for ${JSON.stringify(value)}: teach resolveValue this resource type`)
  }
}

/**
 * Only these reach the child: the template's variables, what Lambda itself sets, and the endpoint overrides that
 * point the SDK and Richpanel clients at the fakes (the one thing that differs from AWS).
 */
const lambdaEnvironment = (name: string): Record<string, string> => {
  const variables = (fn(name).Properties?.["Environment"] as { Variables: Record<string, unknown> }).Variables
  const port = (daemon.address() as AddressInfo).port
  return {
    ...Object.fromEntries(Object.entries(variables).map(([key, value]) => [key, resolveValue(value)])),
    ...FAKE_AWS_ENV,
    AWS_SESSION_TOKEN: "fake-session-token",
    AWS_DEFAULT_REGION: "us-east-2",
    AWS_LAMBDA_FUNCTION_NAME: name,
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(fn(name).Properties?.["MemorySize"]),
    AWS_XRAY_DAEMON_ADDRESS: `127.0.0.1:${port}`,
    _X_AMZN_TRACE_ID: `Root=${TRACE_ROOT};Parent=53995c3f42cd8ad8;Sampled=1`,
    LAMBDA_TASK_ROOT: assetDir(name),
    TZ: ":UTC",
    HOME: scratch,
    PATH: process.env["PATH"] ?? "",
    SQS_ENDPOINT: sqs.url,
    DYNAMODB_ENDPOINT: dynamo.endpoint,
    AWS_ENDPOINT_URL_SECRETS_MANAGER: secrets.url,
    RICHPANEL_BASE_URL: richpanel.baseUrl
  }
}

interface Outcome {
  readonly node: string
  readonly importError?: string
  readonly results: ReadonlyArray<{ readonly ok?: unknown; readonly error?: string }>
  /** Everything else the process wrote to stdout: JSON log lines and EMF metric lines. */
  readonly lines: ReadonlyArray<string>
}

const invoke = async (name: string, events: ReadonlyArray<unknown>, dir = assetDir(name)): Promise<Outcome> => {
  const { stdout } = await promisify(execFile)(NODE, [RUNNER, join(dir, "index.mjs"), JSON.stringify(events)], {
    cwd: dir,
    env: { ...lambdaEnvironment(name), LAMBDA_TASK_ROOT: dir },
    timeout: 20_000,
    maxBuffer: 16 * 1024 * 1024
  })
  const [before, after] = stdout.split("\n@@OUTCOME@@")
  if (after === undefined) throw new Error(`no outcome from ${name}:\n${stdout}`)
  return { ...(JSON.parse(after) as Omit<Outcome, "lines">), lines: (before ?? "").split("\n").filter((line) => line !== "") }
}

const secretsRead = () => secrets.requests.map((request) => String(request.body["SecretId"])).sort()
const emf = (outcome: Outcome, metric: string) =>
  outcome.lines
    .filter((line) => line.includes('"CloudWatchMetrics"'))
    .map((line) => JSON.parse(line) as Record<string, unknown> & { _aws: { CloudWatchMetrics: Array<{ Namespace: string }> } })
    .filter((doc) => metric in doc)

const apiEvent = (body: unknown, headers: Record<string, string> = {}) => ({
  version: "2.0",
  routeKey: "POST /webhooks/richpanel",
  rawPath: "/webhooks/richpanel",
  rawQueryString: "",
  headers: { "content-type": "application/json", ...headers },
  requestContext: { http: { method: "POST", path: "/webhooks/richpanel", sourceIp: "198.51.100.7" }, requestId: "req-1" },
  body: JSON.stringify(body),
  isBase64Encoded: false
})

describe("bundled assets", () => {
  it.each(["rp-mw-ingress", "rp-mw-worker", "rp-mw-ops"])("%s ships index.mjs, its source map and the repo's config/", (name) => {
    const dir = assetDir(name)
    expect(readFileSync(join(dir, "index.mjs"), "utf8").length).toBeGreaterThan(10_000)
    expect(readFileSync(join(dir, "index.mjs.map"), "utf8")).toContain('"mappings"')
    for (const file of ["routing.json", "templates.json"]) {
      expect(readFileSync(join(dir, "config", file), "utf8")).toBe(readFileSync(join(REPO, "config", file), "utf8"))
    }
  })
})

/** The AWS SDK operations compiled into a bundle: each SDK command is a class built from its operation name. */
const bundledOperations = (name: string): ReadonlyArray<string> => {
  const code = readFileSync(join(assetDir(name), "index.mjs"), "utf8")
  const found = [...code.matchAll(/class extends [\w$]+\([\w$]+,[\w$]+,"([A-Za-z]+)",[\w$]+\)\{\}/g)].map((m) => m[1]!)
  return [...new Set(found)].sort()
}

const SERVICE_OF: Record<string, string> = {
  GetItem: "dynamodb", PutItem: "dynamodb", UpdateItem: "dynamodb", DeleteItem: "dynamodb", Query: "dynamodb",
  SendMessage: "sqs", ChangeMessageVisibility: "sqs", GetQueueAttributes: "sqs", GetQueueUrl: "sqs", StartMessageMoveTask: "sqs",
  GetSecretValue: "secretsmanager"
}
/** In every bundle, never called on Lambda: the SDK's credential chain (Lambda gives env credentials) and endpoint discovery. */
const SDK_INTERNAL = ["AssumeRole", "AssumeRoleWithWebIdentity", "CreateToken", "GetRoleCredentials", "DescribeEndpoints"]
/** Compiled in through shared modules but never called by that function's wiring (checked by hand; see the reasons). */
const NOT_CALLED: Record<string, ReadonlyArray<string>> = {
  "rp-mw-ingress": [],
  "rp-mw-worker": [],
  // Integrations.ts also exports the DynamoDB rate limiter; SqsQueueStats' urlOf/startRedrive serve the CLI redrive.
  "rp-mw-ops": ["GetItem", "PutItem", "UpdateItem", "GetQueueUrl", "StartMessageMoveTask"]
}
/** Granted for the SQS event source mapping, which polls on the worker's behalf. */
const EVENT_SOURCE = ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes", "sqs:GetQueueUrl", "sqs:ChangeMessageVisibility"]

describe("IAM against the bundled code", () => {
  it.each(["rp-mw-ingress", "rp-mw-worker", "rp-mw-ops"])("%s: every AWS operation its code can call is granted, and nothing else", (name) => {
    const operations = bundledOperations(name).filter((op) => !SDK_INTERNAL.includes(op))
    expect(operations.length).toBeGreaterThan(0)
    const called = operations.filter((op) => !NOT_CALLED[name]!.includes(op)).map((op) => {
      expect(SERVICE_OF[op], `${op} is a new operation in the ${name} bundle: grant it or list why not`).toBeDefined()
      return `${SERVICE_OF[op]}:${op}`
    })
    const roleId = targetOf(fn(name).Properties?.["Role"])!
    const granted = new Set(statementsOfRole(built.json, roleId).flatMap(actionsOf).filter((a) => /^(sqs|dynamodb|secretsmanager):/.test(a)))
    for (const action of called) expect(granted.has(action), `${name} calls ${action} but is not granted it`).toBe(true)
    const extra = [...granted].filter((action) => !called.includes(action) && !(name === "rp-mw-worker" && EVENT_SOURCE.includes(action)))
    expect(extra, `${name} is granted actions its code never calls`).toEqual([])
  })
})

describe("bundled handlers under the production layers (child Node 22, fakes on loopback)", () => {
  it("ingress: rejects an unauthenticated webhook, queues an authenticated one, traces and measures both", async () => {
    secrets.requests.length = 0
    // The message the fake Richpanel's sample ticket 4242 holds, as the rule would announce it.
    const payload = { ticket_id: 4242, message_id: "4242-c1", text: "Hi, where is my order #1001?" }
    const outcome = await invoke("rp-mw-ingress", [apiEvent(payload), apiEvent(payload, { "x-webhook-token": WEBHOOK_TOKEN })])
    expect(outcome.importError).toBeUndefined()
    expect(outcome.node).toMatch(/^v22\./)
    expect(outcome.results.map((r) => (r.ok as { statusCode?: number } | undefined)?.statusCode ?? r.error)).toEqual([401, 200])
    // The token came from Secrets Manager through WEBHOOK_TOKEN_SECRET_ARN, read once for the container.
    expect(secretsRead()).toEqual([secretArn("rp-mw/webhook-token")])
    expect(sent).toHaveLength(1)
    expect(sent[0]).toMatchObject({
      QueueUrl: queueUrl("rp-mw-events.fifo"),
      MessageGroupId: expect.any(String),
      MessageDeduplicationId: expect.any(String)
    })
    expect(emf(outcome, "AckLatency").map((doc) => doc._aws.CloudWatchMetrics[0]?.Namespace)).toEqual(["rp-mw/dev", "rp-mw/dev"])
    await expect.poll(() => segments.filter((s) => s["trace_id"] === TRACE_ROOT).length).toBeGreaterThan(0)
  })

  it("worker: initialises (routing config, secrets, DynamoDB, SQS clients) and answers an empty batch", async () => {
    secrets.requests.length = 0
    const outcome = await invoke("rp-mw-worker", [{ Records: [] }])
    expect(outcome.importError).toBeUndefined()
    expect(outcome.results).toEqual([{ ok: { batchItemFailures: [] } }])
    expect(secretsRead()).toEqual(
      ["rp-mw/richpanel-api-key", "rp-mw/openai-api-key", "rp-mw/shopify-access-token"].map(secretArn).sort()
    )
  })

  it("worker: processes the message the bundled ingress queued, end to end through the production layers", async () => {
    expect(sent, "needs the message the ingress test queued").toHaveLength(1)
    const message = sent[0]!
    const body = String(message["MessageBody"])
    richpanel.seedTicket(sampleTicket("4242"))
    const record = {
      messageId: "msg-1",
      receiptHandle: "receipt-1",
      body,
      attributes: {
        ApproximateReceiveCount: "1",
        MessageGroupId: String(message["MessageGroupId"]),
        MessageDeduplicationId: String(message["MessageDeduplicationId"]),
        SentTimestamp: "1736499600000",
        SenderId: "AROAEXAMPLE",
        ApproximateFirstReceiveTimestamp: "1736499600000"
      },
      messageAttributes: {},
      md5OfBody: md5(body),
      eventSource: "aws:sqs",
      eventSourceARN: `arn:aws:sqs:us-east-2:${ACCOUNT}:rp-mw-events.fifo`,
      awsRegion: "us-east-2"
    }
    const outcome = await invoke("rp-mw-worker", [{ Records: [record] }])
    expect(outcome.results).toEqual([{ ok: { batchItemFailures: [] } }])
    // Shadow mode (the stack's default): the ticket is read, nothing is written to Richpanel.
    expect(richpanel.requests().map((request) => `${request.method} ${request.path} ${request.status}`)).toEqual([
      "GET /v1/tickets/4242 200"
    ])
    expect(emf(outcome, "Decisions")).toEqual([
      expect.objectContaining({ Intent: expect.any(String), Outcome: expect.any(String), Decisions: 1 })
    ])
    expect(emf(outcome, "ProcessingLatency")).toHaveLength(1)
    // The outcome is recorded in the conversation-state table the stack named in CONVERSATION_STATE_TABLE.
    const client = new DynamoDBClient({ endpoint: dynamo.endpoint, region: "us-east-2", credentials: { accessKeyId: "x", secretAccessKey: "x" } })
    try {
      const scan = await client.send(new ScanCommand({ TableName: ConversationStateTable.name }))
      expect(JSON.stringify(scan.Items)).toContain("evt:rp:4242:4242-c1")
    } finally {
      client.destroy()
    }
  })

  it("ops: reports the DLQ depth from SQS and checks routing tags against Richpanel with config/routing.json", async () => {
    secrets.requests.length = 0
    const outcome = await invoke("rp-mw-ops", [{ source: "aws.events", "detail-type": "Scheduled Event", detail: {} }])
    expect(outcome.importError).toBeUndefined()
    const summary = outcome.results[0]?.ok as { ok: boolean; dlq: { visible?: number }; tags: { status: string; checked?: number; missing?: Array<string> } }
    expect(summary).toMatchObject({ ok: true, dlq: { status: "ok", dlq: { visible: DLQ_VISIBLE } }, tags: { status: "ok" } })
    expect(summary.tags.checked).toBeGreaterThan(2)
    expect(summary.tags.missing).not.toContain("mw-routed")
    expect(secretsRead()).toEqual([secretArn("rp-mw/richpanel-api-key")])
    expect(emf(outcome, "DlqDepth").map((doc) => doc["DlqDepth"])).toEqual([DLQ_VISIBLE])
    expect(emf(outcome, "MissingRoutingTags")).toHaveLength(1)
  })

  it("without config/ in the asset the worker fails to start and the ops tag check fails (so the tests above can fail)", async () => {
    const copy = (name: string) => {
      const dir = join(scratch, name)
      cpSync(assetDir(name), dir, { recursive: true })
      rmSync(join(dir, "config"), { recursive: true })
      return dir
    }
    const worker = await invoke("rp-mw-worker", [{ Records: [] }], copy("rp-mw-worker"))
    expect(worker.results[0]?.error).toMatch(/routing\.json/)
    const ops = await invoke("rp-mw-ops", [{}], copy("rp-mw-ops"))
    expect(ops.results[0]?.ok).toMatchObject({ ok: false, tags: { status: "failed", error: expect.stringMatching(/routing\.json/) } })
  })
})
