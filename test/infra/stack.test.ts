import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { Match, Template } from "aws-cdk-lib/assertions"
import { ConversationStateTable, IdempotencyTable, type TableDefinition } from "../../src/domain/Tables.js"
import { SECRETS } from "../../src/layers/SecretsConfig.js"
import { CATALOGUE } from "../../src/services/Metrics.js"
import {
  actionsOf,
  type CfnResource,
  type CfnTemplate,
  resourcesOf,
  resourcesOfStatement,
  resourceWith,
  statementsOfRole,
  type Synthesized,
  synth,
  targetOf
} from "./synth.js"

// The production stack, synthesised once for the whole file (no bundling: see synth.ts). A cdk-nag finding
// would make this throw, so every test below also stands on a clean AwsSolutions + Serverless run.
let prod: Synthesized
let template: Template
let json: CfnTemplate
beforeAll(() => {
  prod = synth({ env: "prod" })
  template = prod.template
  json = prod.json
})
afterAll(() => prod.cleanup())

const fn = (name: string) => resourceWith(json, "AWS::Lambda::Function", "FunctionName", name)
const props = (resource: CfnResource) => resource.Properties ?? {}
const env = (name: string) => (props(fn(name)[1])["Environment"] as { Variables: Record<string, unknown> }).Variables
const logicalId = (type: string, key: string, value: unknown) => resourceWith(json, type, key, value)[0]
const queueId = (name: string) => logicalId("AWS::SQS::Queue", "QueueName", name)
const tableId = (name: string) => logicalId("AWS::DynamoDB::GlobalTable", "TableName", name)
const secretId = (name: string) => logicalId("AWS::SecretsManager::Secret", "Name", name)
const roleOf = (name: string) => targetOf(props(fn(name)[1])["Role"])!
const FUNCTIONS = ["rp-mw-ingress", "rp-mw-worker", "rp-mw-ops"] as const

describe("Lambda functions", () => {
  it("run Node 22 on arm64 with active tracing, source maps and the ESM bundle's handler", () => {
    for (const name of FUNCTIONS) {
      expect(props(fn(name)[1])).toMatchObject({
        Runtime: "nodejs22.x",
        Architectures: ["arm64"],
        TracingConfig: { Mode: "Active" },
        Handler: "index.handler",
        Environment: { Variables: { NODE_OPTIONS: "--enable-source-maps", MW_ENV: "prod", MW_MODE: "shadow", MW_METRICS_NAMESPACE: "rp-mw/prod" } }
      })
    }
  })

  it("size ingress and worker per the product spec (§10) and make reserved concurrency the worker's knob", () => {
    const ingress = props(fn("rp-mw-ingress")[1])
    const worker = props(fn("rp-mw-worker")[1])
    expect(ingress["Timeout"]).toBeGreaterThanOrEqual(3)
    expect(ingress["Timeout"]).toBeLessThanOrEqual(6)
    expect(ingress["MemorySize"]).toBeGreaterThanOrEqual(256)
    expect(ingress["MemorySize"]).toBeLessThanOrEqual(512)
    expect(worker["Timeout"]).toBe(30)
    expect(worker["MemorySize"]).toBeGreaterThanOrEqual(512)
    expect(worker["MemorySize"]).toBeLessThanOrEqual(1024)
    expect(worker["ReservedConcurrentExecutions"]).toBe(10)
    // Ingress must scale with webhook traffic; ops runs one at a time.
    expect(ingress["ReservedConcurrentExecutions"]).toBeUndefined()
    expect(props(fn("rp-mw-ops")[1])["ReservedConcurrentExecutions"]).toBe(1)
  })

  it("set exactly the environment each function's code reads, pointing at this stack's resources", () => {
    const ref = (id: string) => ({ Ref: id })
    const common = ["MW_ENV", "MW_MODE", "MW_METRICS_NAMESPACE", "NODE_OPTIONS"]
    expect(Object.keys(env("rp-mw-ingress")).sort()).toEqual(
      [...common, "EVENTS_QUEUE_URL", "IDEMPOTENCY_TABLE", "WEBHOOK_TOKEN_SECRET_ARN"].sort()
    )
    expect(env("rp-mw-ingress")).toMatchObject({
      EVENTS_QUEUE_URL: ref(queueId("rp-mw-events.fifo")),
      IDEMPOTENCY_TABLE: ref(tableId(IdempotencyTable.name)),
      WEBHOOK_TOKEN_SECRET_ARN: ref(secretId("rp-mw/webhook-token"))
    })
    expect(Object.keys(env("rp-mw-worker")).sort()).toEqual(
      [
        ...common,
        "EVENTS_QUEUE_URL",
        "IDEMPOTENCY_TABLE",
        "CONVERSATION_STATE_TABLE",
        "MW_MAX_RECEIVE_COUNT",
        "RICHPANEL_API_KEY_SECRET_ARN",
        "OPENAI_API_KEY_SECRET_ARN",
        "SHOPIFY_ACCESS_TOKEN_SECRET_ARN"
      ].sort()
    )
    expect(env("rp-mw-worker")).toMatchObject({
      CONVERSATION_STATE_TABLE: ref(tableId(ConversationStateTable.name)),
      MW_MAX_RECEIVE_COUNT: "5"
    })
    expect(Object.keys(env("rp-mw-ops")).sort()).toEqual(
      [...common, "DLQ_URL", "EVENTS_QUEUE_URL", "RICHPANEL_API_KEY_SECRET_ARN"].sort()
    )
    expect(env("rp-mw-ops")["DLQ_URL"]).toEqual(ref(queueId("rp-mw-events-dlq.fifo")))
  })

  it("write to log groups of their own with the configured retention (30 days in prod)", () => {
    for (const name of FUNCTIONS) {
      const { LogGroup } = props(fn(name)[1])["LoggingConfig"] as { LogGroup: unknown }
      const logGroup = targetOf(LogGroup)!
      expect(props(json.Resources[logGroup]!)).toMatchObject({ LogGroupName: `/aws/lambda/${name}`, RetentionInDays: 30 })
    }
    const groups = resourcesOf(json, "AWS::Logs::LogGroup")
    expect(groups).toHaveLength(4) // three functions + API access logs
    for (const [, group] of groups) expect(props(group)["RetentionInDays"]).toBe(30)
  })
})

describe("SQS", () => {
  it("has a FIFO event queue with explicit dedup, 4-day retention and a FIFO DLQ after 5 receives", () => {
    const dlq = queueId("rp-mw-events-dlq.fifo")
    template.hasResourceProperties("AWS::SQS::Queue", {
      QueueName: "rp-mw-events.fifo",
      FifoQueue: true,
      ContentBasedDeduplication: false,
      MessageRetentionPeriod: 4 * 24 * 3600,
      SqsManagedSseEnabled: true,
      RedrivePolicy: { deadLetterTargetArn: { "Fn::GetAtt": [dlq, "Arn"] }, maxReceiveCount: 5 }
    })
    template.hasResourceProperties("AWS::SQS::Queue", {
      QueueName: "rp-mw-events-dlq.fifo",
      FifoQueue: true,
      MessageRetentionPeriod: 14 * 24 * 3600,
      SqsManagedSseEnabled: true,
      RedriveAllowPolicy: { redrivePermission: "byQueue", sourceQueueArns: [Match.anyValue()] }
    })
  })

  it("keeps the visibility timeout at least six times the worker timeout (read from the template)", () => {
    const visibility = props(json.Resources[queueId("rp-mw-events.fifo")]!)["VisibilityTimeout"] as number
    const workerTimeout = props(fn("rp-mw-worker")[1])["Timeout"] as number
    expect(visibility).toBe(180)
    expect(visibility).toBeGreaterThanOrEqual(6 * workerTimeout)
  })

  it("denies non-TLS access to both queues", () => {
    for (const name of ["rp-mw-events.fifo", "rp-mw-events-dlq.fifo"]) {
      template.hasResourceProperties("AWS::SQS::QueuePolicy", {
        Queues: [{ Ref: queueId(name) }],
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({ Effect: "Deny", Condition: { Bool: { "aws:SecureTransport": "false" } } })
          ])
        }
      })
    }
  })

  it("feeds the worker one record per batch with partial batch responses and a concurrency ceiling", () => {
    template.resourceCountIs("AWS::Lambda::EventSourceMapping", 1)
    template.hasResourceProperties("AWS::Lambda::EventSourceMapping", {
      EventSourceArn: { "Fn::GetAtt": [queueId("rp-mw-events.fifo"), "Arn"] },
      FunctionName: { Ref: fn("rp-mw-worker")[0] },
      BatchSize: 1,
      FunctionResponseTypes: ["ReportBatchItemFailures"],
      ScalingConfig: { MaximumConcurrency: 10 }
    })
  })
})

describe("DynamoDB", () => {
  const tableProps = (definition: TableDefinition) => props(json.Resources[tableId(definition.name)]!)

  it.each([IdempotencyTable, ConversationStateTable])("$name: keys and TTL from src/domain/Tables.ts", (definition) => {
    const keys = [definition.partitionKey, ...(definition.sortKey === undefined ? [] : [definition.sortKey])]
    expect(tableProps(definition)).toMatchObject({
      KeySchema: keys.map((AttributeName, i) => ({ AttributeName, KeyType: i === 0 ? "HASH" : "RANGE" })),
      AttributeDefinitions: keys.map((AttributeName) => ({ AttributeName, AttributeType: "S" })),
      TimeToLiveSpecification: { AttributeName: definition.ttlAttribute, Enabled: true },
      BillingMode: "PAY_PER_REQUEST",
      SSESpecification: { SSEEnabled: true }
    })
    expect((tableProps(definition)["KeySchema"] as Array<unknown>).length).toBe(keys.length)
  })

  it.each([IdempotencyTable, ConversationStateTable])("$name: point-in-time recovery, kept and protected in prod", (definition) => {
    expect(tableProps(definition)["Replicas"]).toEqual([
      expect.objectContaining({
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        DeletionProtectionEnabled: true
      })
    ])
    expect(json.Resources[tableId(definition.name)]!.DeletionPolicy).toBe("Retain")
  })
})

describe("HTTP API", () => {
  it("has one route, POST /webhooks/richpanel, proxied to ingress with payload v2", () => {
    template.resourceCountIs("AWS::ApiGatewayV2::Route", 1)
    template.hasResourceProperties("AWS::ApiGatewayV2::Route", { RouteKey: "POST /webhooks/richpanel" })
    template.hasResourceProperties("AWS::ApiGatewayV2::Integration", {
      IntegrationType: "AWS_PROXY",
      IntegrationUri: { "Fn::GetAtt": [fn("rp-mw-ingress")[0], "Arn"] },
      PayloadFormatVersion: "2.0"
    })
  })

  it("throttles the stage and writes access logs without the query string (Richpanel may send ?token=)", () => {
    template.resourceCountIs("AWS::ApiGatewayV2::Stage", 1)
    const [, stage] = resourcesOf(json, "AWS::ApiGatewayV2::Stage")[0]!
    expect(props(stage)).toMatchObject({
      StageName: "$default",
      AutoDeploy: true,
      DefaultRouteSettings: { ThrottlingRateLimit: 50, ThrottlingBurstLimit: 100 }
    })
    const format = (props(stage)["AccessLogSettings"] as { Format: string }).Format
    expect(JSON.parse(format)).toHaveProperty("routeKey")
    expect(format).not.toMatch(/\$context\.path|querystring|\$request\.querystring|\$context\.requestOverride/i)
  })
})

describe("Secrets Manager", () => {
  it("creates the four secrets under the names the code's start-up errors tell operators to fill", () => {
    for (const { secretName } of Object.values(SECRETS)) template.hasResourceProperties("AWS::SecretsManager::Secret", { Name: secretName })
    template.resourceCountIs("AWS::SecretsManager::Secret", 4)
    // Generated: ingress is closed from the first deploy.
    template.hasResourceProperties("AWS::SecretsManager::Secret", { Name: "rp-mw/webhook-token", GenerateSecretString: Match.anyValue() })
  })

  it("gives each function the ARNs of exactly the secrets it needs, and read access to those alone", () => {
    const expected: Record<(typeof FUNCTIONS)[number], ReadonlyArray<keyof typeof SECRETS>> = {
      "rp-mw-ingress": ["WEBHOOK_TOKEN"],
      "rp-mw-worker": ["RICHPANEL_API_KEY", "OPENAI_API_KEY", "SHOPIFY_ACCESS_TOKEN"],
      "rp-mw-ops": ["RICHPANEL_API_KEY"]
    }
    for (const name of FUNCTIONS) {
      const wanted = expected[name].map((secret) => secretId(SECRETS[secret].secretName)).sort()
      const variables = Object.entries(env(name)).filter(([key]) => key.endsWith("_SECRET_ARN"))
      // Every variable is one the secrets loader knows, and it points at that secret.
      for (const [key, value] of variables) {
        const secret = key.replace(/_SECRET_ARN$/, "") as keyof typeof SECRETS
        expect(SECRETS[secret], key).toBeDefined()
        expect(targetOf(value)).toBe(secretId(SECRETS[secret].secretName))
      }
      expect(variables.map(([, value]) => targetOf(value)).sort()).toEqual(wanted)
      const statements = statementsOfRole(json, roleOf(name)).filter((s) => actionsOf(s).some((a) => a.startsWith("secretsmanager:")))
      expect(statements.flatMap(actionsOf)).toEqual(statements.map(() => "secretsmanager:GetSecretValue"))
      expect(statements.flatMap(resourcesOfStatement).map(targetOf).sort()).toEqual(wanted)
    }
  })
})

describe("IAM", () => {
  const DATA_SERVICES = /^(sqs|dynamodb|secretsmanager):/

  it("has no wildcard action or resource for SQS, DynamoDB or Secrets Manager, and no managed policies", () => {
    const roles = resourcesOf(json, "AWS::IAM::Role")
    expect(roles).toHaveLength(3)
    for (const [roleId, role] of roles) {
      expect(props(role)["ManagedPolicyArns"]).toBeUndefined()
      for (const statement of statementsOfRole(json, roleId)) {
        const actions = actionsOf(statement)
        expect(actions.filter((action) => action === "*" || action.endsWith(":*"))).toEqual([])
        if (!actions.some((action) => DATA_SERVICES.test(action))) continue
        for (const resource of resourcesOfStatement(statement)) {
          expect(resource, `${roleId} ${actions.join(",")}`).not.toBe("*")
          expect(targetOf(resource), `${roleId} ${actions.join(",")} must name a resource of this stack`).toBeDefined()
        }
      }
    }
  })

  /** `service:Action` → the logical ids it is granted on, for one role. */
  const grants = (name: string) => {
    const map = new Map<string, Array<string>>()
    for (const statement of statementsOfRole(json, roleOf(name))) {
      for (const action of actionsOf(statement).filter((a) => DATA_SERVICES.test(a))) {
        map.set(action, [...(map.get(action) ?? []), ...resourcesOfStatement(statement).map((r) => targetOf(r)!)].sort())
      }
    }
    return Object.fromEntries(map)
  }

  it("grants ingress SendMessage on the event queue and the idempotency store's four item operations", () => {
    const idem = [tableId(IdempotencyTable.name)]
    expect(grants("rp-mw-ingress")).toEqual({
      "sqs:SendMessage": [queueId("rp-mw-events.fifo")],
      "dynamodb:PutItem": idem,
      "dynamodb:GetItem": idem,
      "dynamodb:UpdateItem": idem,
      "dynamodb:DeleteItem": idem,
      "secretsmanager:GetSecretValue": [secretId("rp-mw/webhook-token")]
    })
  })

  it("grants the worker the stores' item operations, the event source's queue actions, and nothing on the DLQ", () => {
    const both = [tableId(IdempotencyTable.name), tableId(ConversationStateTable.name)].sort()
    const events = [queueId("rp-mw-events.fifo")]
    const worker = grants("rp-mw-worker")
    expect(worker).toMatchObject({
      "dynamodb:PutItem": both,
      "dynamodb:GetItem": both,
      "dynamodb:UpdateItem": both,
      "dynamodb:DeleteItem": both,
      "dynamodb:Query": [tableId(ConversationStateTable.name)],
      "sqs:ReceiveMessage": events,
      "sqs:DeleteMessage": events,
      "sqs:ChangeMessageVisibility": events,
      "sqs:GetQueueAttributes": events
    })
    const sqs = Object.keys(worker).filter((action) => action.startsWith("sqs:"))
    expect(sqs.sort()).toEqual(["sqs:ChangeMessageVisibility", "sqs:DeleteMessage", "sqs:GetQueueAttributes", "sqs:GetQueueUrl", "sqs:ReceiveMessage"])
    expect(Object.keys(worker).filter((action) => action.startsWith("dynamodb:"))).toHaveLength(5)
  })

  it("grants ops queue attributes on both queues and the Richpanel key, and no DynamoDB", () => {
    expect(grants("rp-mw-ops")).toEqual({
      "sqs:GetQueueAttributes": [queueId("rp-mw-events-dlq.fifo"), queueId("rp-mw-events.fifo")].sort(),
      "secretsmanager:GetSecretValue": [secretId("rp-mw/richpanel-api-key")]
    })
  })
})

describe("ops schedule", () => {
  it("runs the ops function every 15 minutes without retries", () => {
    template.resourceCountIs("AWS::Events::Rule", 1)
    template.hasResourceProperties("AWS::Events::Rule", {
      ScheduleExpression: "rate(15 minutes)",
      Targets: [Match.objectLike({ Arn: { "Fn::GetAtt": [fn("rp-mw-ops")[0], "Arn"] }, RetryPolicy: { MaximumRetryAttempts: 0 } })]
    })
    template.hasResourceProperties("AWS::Lambda::Permission", {
      Action: "lambda:InvokeFunction",
      Principal: "events.amazonaws.com",
      FunctionName: { "Fn::GetAtt": [fn("rp-mw-ops")[0], "Arn"] }
    })
  })
})

describe("alarms and dashboard", () => {
  const alarm = (name: string) => props(resourceWith(json, "AWS::CloudWatch::Alarm", "AlarmName", name)[1])
  const topic = () => ({ Ref: resourcesOf(json, "AWS::SNS::Topic")[0]![0] })

  it("alarms on any message in the DLQ", () => {
    expect(alarm("rp-mw-prod-dlq-not-empty")).toMatchObject({
      Namespace: "AWS/SQS",
      MetricName: "ApproximateNumberOfMessagesVisible",
      Dimensions: [{ Name: "QueueName", Value: { "Fn::GetAtt": [queueId("rp-mw-events-dlq.fifo"), "QueueName"] } }],
      ComparisonOperator: "GreaterThanThreshold",
      Threshold: 0,
      AlarmActions: [topic()]
    })
  })

  it("alarms on the age of the event queue's oldest message and on worker invocation errors", () => {
    expect(alarm("rp-mw-prod-queue-oldest-message-age")).toMatchObject({
      MetricName: "ApproximateAgeOfOldestMessage",
      Dimensions: [{ Name: "QueueName", Value: { "Fn::GetAtt": [queueId("rp-mw-events.fifo"), "QueueName"] } }],
      Threshold: 600,
      AlarmActions: [topic()]
    })
    expect(alarm("rp-mw-prod-worker-errors")).toMatchObject({
      Namespace: "AWS/Lambda",
      MetricName: "Errors",
      Dimensions: [{ Name: "FunctionName", Value: { Ref: fn("rp-mw-worker")[0] } }],
      ComparisonOperator: "GreaterThanOrEqualToThreshold",
      Threshold: 1
    })
  })

  it.each(["richpanel", "openai", "shopify"])("alarms on the %s 429 rate from the EMF metrics by metric math", (downstream) => {
    const metric = (id: string, metricName: keyof typeof CATALOGUE) =>
      expect.objectContaining({
        Id: id,
        ReturnData: false,
        MetricStat: expect.objectContaining({
          Metric: { Namespace: "rp-mw/prod", MetricName: metricName, Dimensions: [{ Name: "Downstream", Value: downstream }] },
          Stat: "Sum"
        })
      })
    const props = alarm(`rp-mw-prod-${downstream}-throttled-rate`)
    expect(props["Threshold"]).toBe(5)
    expect(props["Metrics"]).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ Expression: expect.stringContaining("throttled"), ReturnData: true }),
        metric("throttled", "DownstreamThrottled"),
        metric("calls", "DownstreamCalls")
      ])
    )
    // The metric's dimensions are the ones the code emits it with (src/services/Metrics.ts).
    expect(CATALOGUE.DownstreamThrottled.dimensions).toEqual(["Downstream"])
  })

  it("has a dashboard with every metric the on-call needs", () => {
    const [, dashboard] = resourceWith(json, "AWS::CloudWatch::Dashboard", "DashboardName", "rp-mw-prod")
    const body = JSON.stringify(props(dashboard)["DashboardBody"])
    for (const metric of ["Invocations", "Errors", "Duration", "ApproximateNumberOfMessagesVisible", "ApproximateAgeOfOldestMessage"]) {
      expect(body).toContain(`\\"${metric}\\"`)
    }
    for (const metric of ["Decisions", "Fallbacks", "DownstreamErrors", "DownstreamThrottled", "AckLatency", "ProcessingLatency", "LlmTokens"]) {
      expect(body, metric).toContain(metric)
    }
    expect(body).toContain("rp-mw/prod")
    expect(body).toContain(`\\"stat\\":\\"p99\\"`)
    // The DLQ's depth is on it, not only the event queue's.
    expect(body).toContain(queueId("rp-mw-events-dlq.fifo"))
  })

  it("sends alarms to an SNS topic that gets an e-mail subscription only when one is configured", () => {
    template.resourceCountIs("AWS::SNS::Subscription", 0)
  })
})

describe("stack", () => {
  it("is env-agnostic for the account (no credentials to synth) and defaults to us-east-2", () => {
    expect(prod.stack.region).toBe("us-east-2")
    expect(prod.stack.account).toMatch(/^\$\{Token\[/)
    expect(prod.stack.stackName).toBe("rp-mw-prod")
  })

  it("outputs the webhook URL, queue URLs, table names, secret ARNs and the dashboard name", () => {
    expect(Object.keys(json.Outputs ?? {}).sort()).toEqual(
      [
        "AlarmTopicArn",
        "ConversationStateTableName",
        "DashboardName",
        "DeadLetterQueueUrl",
        "EventsQueueUrl",
        "IdempotencyTableName",
        "OpenAiApiKeySecretArn",
        "RichpanelApiKeySecretArn",
        "ShopifyAccessTokenSecretArn",
        "WebhookTokenSecretArn",
        "WebhookUrl"
      ].sort()
    )
    expect(JSON.stringify(json.Outputs?.["WebhookUrl"]?.Value)).toContain("/webhooks/richpanel")
  })
})
