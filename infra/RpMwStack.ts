import { CfnOutput, Stack, type StackProps, Tags } from "aws-cdk-lib"
import type { Construct } from "constructs"
import { Alarms } from "./constructs/Alarms.js"
import { Api } from "./constructs/Api.js"
import { Dashboard } from "./constructs/Dashboard.js"
import { Functions } from "./constructs/Functions.js"
import { Ops } from "./constructs/Ops.js"
import { Queues } from "./constructs/Queues.js"
import { type SecretName, Secrets } from "./constructs/Secrets.js"
import { Tables } from "./constructs/Tables.js"
import { type EnvironmentSettings, visibilityTimeoutSeconds } from "./environments.js"

export interface RpMwStackProps extends StackProps {
  readonly settings: EnvironmentSettings
}

/**
 * API Gateway → ingress → SQS FIFO → worker, DynamoDB, DLQ, Secrets Manager, the scheduled ops Lambda,
 * alarms and a dashboard (DESIGN.md §2). Env-agnostic unless CDK_DEFAULT_ACCOUNT is known, so `cdk synth`
 * needs no credentials; nothing is looked up.
 */
export class RpMwStack extends Stack {
  readonly settings: EnvironmentSettings
  readonly queues: Queues
  readonly tables: Tables
  readonly secrets: Secrets
  readonly functions: Functions
  readonly api: Api
  readonly ops: Ops
  readonly alarms: Alarms
  readonly dashboard: Dashboard

  constructor(scope: Construct, id: string, props: RpMwStackProps) {
    const { settings } = props
    const account = process.env["CDK_DEFAULT_ACCOUNT"]
    super(scope, id, {
      ...props,
      env: { region: settings.region, ...(account === undefined ? {} : { account }) },
      description: `rp-mw (${settings.name}): Richpanel AI middleware`
    })
    this.settings = settings
    Tags.of(this).add("project", "rp-mw")
    Tags.of(this).add("environment", settings.name)

    const metricsNamespace = `rp-mw/${settings.name}`
    const commonEnvironment = { MW_ENV: settings.name, MW_MODE: settings.mode, MW_METRICS_NAMESPACE: metricsNamespace }

    this.queues = new Queues(this, "Queues", {
      visibilityTimeoutSeconds: visibilityTimeoutSeconds(settings),
      ...settings.queue
    })
    this.tables = new Tables(this, "Tables", { retainData: settings.retainData })
    this.secrets = new Secrets(this, "Secrets", { retainData: settings.retainData })
    this.functions = new Functions(this, "Functions", {
      settings,
      queues: this.queues,
      tables: this.tables,
      secrets: this.secrets,
      commonEnvironment
    })
    this.api = new Api(this, "Api", {
      ingress: this.functions.ingress.fn,
      rateLimit: settings.api.rateLimit,
      burstLimit: settings.api.burstLimit,
      logRetentionDays: settings.logRetentionDays,
      retainData: settings.retainData
    })
    this.ops = new Ops(this, "Ops", { settings, queues: this.queues, secrets: this.secrets, commonEnvironment })
    this.alarms = new Alarms(this, "Alarms", {
      settings,
      queues: this.queues,
      worker: this.functions.worker.fn,
      metricsNamespace
    })
    this.dashboard = new Dashboard(this, "Dashboard", {
      dashboardName: `rp-mw-${settings.name}`,
      metricsNamespace,
      ingress: this.functions.ingress.fn,
      worker: this.functions.worker.fn,
      queues: this.queues
    })
    this.outputs()
  }

  private outputs() {
    const output = (id: string, value: string, description: string) => new CfnOutput(this, id, { value, description })
    output("WebhookUrl", this.api.webhookUrl, "Richpanel HTTP target URL (send the token as x-webhook-token)")
    output("EventsQueueUrl", this.queues.events.queueUrl, "FIFO event queue")
    output("DeadLetterQueueUrl", this.queues.deadLetters.queueUrl, "FIFO dead-letter queue")
    output("IdempotencyTableName", this.tables.idempotency.tableName, "Idempotency table")
    output("ConversationStateTableName", this.tables.conversationState.tableName, "Conversation state table")
    const secretOutputs: Record<SecretName, string> = {
      WEBHOOK_TOKEN: "WebhookTokenSecretArn",
      RICHPANEL_API_KEY: "RichpanelApiKeySecretArn",
      OPENAI_API_KEY: "OpenAiApiKeySecretArn",
      SHOPIFY_ACCESS_TOKEN: "ShopifyAccessTokenSecretArn"
    }
    for (const [name, outputId] of Object.entries(secretOutputs) as Array<[SecretName, string]>) {
      output(outputId, this.secrets.byName[name].secretArn, `Secrets Manager secret for ${name}`)
    }
    output("DashboardName", this.dashboard.dashboard.dashboardName, "CloudWatch dashboard")
    output("AlarmTopicArn", this.alarms.topic.topicArn, "SNS topic the alarms notify")
  }
}
