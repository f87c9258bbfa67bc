import * as iam from "aws-cdk-lib/aws-iam"
import * as eventsources from "aws-cdk-lib/aws-lambda-event-sources"
import { Construct } from "constructs"
import type { EnvironmentSettings } from "../environments.js"
import { LambdaFunction } from "./LambdaFunction.js"
import type { Queues } from "./Queues.js"
import type { SecretName, Secrets } from "./Secrets.js"
import type { Tables } from "./Tables.js"

export interface FunctionsProps {
  readonly settings: EnvironmentSettings
  readonly queues: Queues
  readonly tables: Tables
  readonly secrets: Secrets
  /** MW_ENV, MW_MODE, MW_METRICS_NAMESPACE: the same for every function. */
  readonly commonEnvironment: Readonly<Record<string, string>>
}

const INGRESS_SECRETS: ReadonlyArray<SecretName> = ["WEBHOOK_TOKEN"]
const WORKER_SECRETS: ReadonlyArray<SecretName> = ["RICHPANEL_API_KEY", "OPENAI_API_KEY", "SHOPIFY_ACCESS_TOKEN"]

// Exact DynamoDB actions, from the commands src/layers/*Dynamo.ts send.
/** IdempotencyStoreDynamo: claim = conditional PutItem + GetItem, complete = UpdateItem, release = DeleteItem. */
const IDEMPOTENCY_ACTIONS = ["dynamodb:PutItem", "dynamodb:GetItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"]
/**
 * Conversation state table, shared by ConversationStoreDynamo (Get/Put), EventLogDynamo (Put/Get/Delete/Query),
 * ModeSwitchDynamo (Get; Put/Delete are the operator's) and RateLimiterDynamo (Get/Put/Update).
 */
const CONVERSATION_STATE_ACTIONS = [
  "dynamodb:GetItem",
  "dynamodb:PutItem",
  "dynamodb:UpdateItem",
  "dynamodb:DeleteItem",
  "dynamodb:Query"
]

/** Grants `secretsmanager:GetSecretValue` on exactly the named secrets (DescribeSecret is never called). */
export const grantSecretValues = (role: iam.IRole, secrets: Secrets, names: ReadonlyArray<SecretName>) =>
  role.addToPrincipalPolicy(
    new iam.PolicyStatement({
      actions: ["secretsmanager:GetSecretValue"],
      resources: names.map((name) => secrets.byName[name].secretArn)
    })
  )

/** The webhook ingress and the queue worker, with the grants their code needs and nothing else. */
export class Functions extends Construct {
  readonly ingress: LambdaFunction
  readonly worker: LambdaFunction

  constructor(scope: Construct, id: string, props: FunctionsProps) {
    super(scope, id)
    const { queues, secrets, settings, tables } = props
    const shared = { logRetentionDays: settings.logRetentionDays, retainData: settings.retainData }

    this.ingress = new LambdaFunction(this, "Ingress", {
      ...shared,
      functionName: "rp-mw-ingress",
      entry: "src/lambda/ingress.ts",
      description: "Richpanel webhook: authenticate, validate, claim idempotency, enqueue to the FIFO queue",
      memoryMb: settings.ingress.memoryMb,
      timeoutSeconds: settings.ingress.timeoutSeconds,
      environment: {
        ...props.commonEnvironment,
        EVENTS_QUEUE_URL: queues.events.queueUrl,
        IDEMPOTENCY_TABLE: tables.idempotency.tableName,
        ...secrets.arnEnvironment(INGRESS_SECRETS)
      }
    })
    queues.events.grant(this.ingress.role, "sqs:SendMessage")
    tables.idempotency.grant(this.ingress.role, ...IDEMPOTENCY_ACTIONS)
    grantSecretValues(this.ingress.role, secrets, INGRESS_SECRETS)

    this.worker = new LambdaFunction(this, "Worker", {
      ...shared,
      functionName: "rp-mw-worker",
      entry: "src/lambda/worker.ts",
      description: "FIFO consumer: classify, decide, route and reply through Richpanel / OpenAI / Shopify",
      memoryMb: settings.worker.memoryMb,
      timeoutSeconds: settings.worker.timeoutSeconds,
      reservedConcurrency: settings.worker.reservedConcurrency,
      environment: {
        ...props.commonEnvironment,
        EVENTS_QUEUE_URL: queues.events.queueUrl,
        IDEMPOTENCY_TABLE: tables.idempotency.tableName,
        CONVERSATION_STATE_TABLE: tables.conversationState.tableName,
        // The worker dead-letters at once on the last receive, so it must know the queue's figure.
        MW_MAX_RECEIVE_COUNT: String(settings.queue.maxReceiveCount),
        ...(settings.richpanelBotAuthorId === undefined ? {} : { RICHPANEL_BOT_AUTHOR_ID: settings.richpanelBotAuthorId }),
        ...(settings.shopifyShop === undefined ? {} : { SHOPIFY_SHOP: settings.shopifyShop }),
        ...secrets.arnEnvironment(WORKER_SECRETS)
      }
    })
    tables.idempotency.grant(this.worker.role, ...IDEMPOTENCY_ACTIONS)
    tables.conversationState.grant(this.worker.role, ...CONVERSATION_STATE_ACTIONS)
    // SqsQueueControl backs a message off with ChangeMessageVisibility; the event source grants the rest
    // (ReceiveMessage, DeleteMessage, GetQueueAttributes, GetQueueUrl, ChangeMessageVisibility).
    this.worker.fn.addEventSource(
      new eventsources.SqsEventSource(queues.events, {
        batchSize: settings.worker.batchSize,
        maxConcurrency: settings.worker.maxConcurrency,
        reportBatchItemFailures: true
      })
    )
    grantSecretValues(this.worker.role, secrets, WORKER_SECRETS)
  }
}
