import type { Context, SQSBatchResponse, SQSEvent } from "aws-lambda"
import * as Layer from "effect/Layer"
import * as AppConfigLive from "../layers/AppConfig.js"
import * as ConversationStoreDynamo from "../layers/ConversationStoreDynamo.js"
import * as DynamoClientLive from "../layers/DynamoClient.js"
import * as EmfMetrics from "../layers/EmfMetrics.js"
import * as EventLogDynamo from "../layers/EventLogDynamo.js"
import * as IdempotencyStoreDynamo from "../layers/IdempotencyStoreDynamo.js"
import * as Logging from "../layers/Logging.js"
import * as ModeSwitchDynamo from "../layers/ModeSwitchDynamo.js"
import * as Integrations from "../layers/Integrations.js"
import * as SecretsConfig from "../layers/SecretsConfig.js"
import * as SqsQueueControl from "../layers/SqsQueueControl.js"
import * as Tracing from "../layers/Tracing.js"
import * as WorkerServices from "../layers/WorkerServices.js"
import { recoveringRuntime } from "./Runner.js"
import { workerHandler } from "./workerHandler.js"

/** Production wiring: DynamoDB for every store and for the one global rate limit shared by all worker Lambdas. */
const stores = Layer.mergeAll(
  IdempotencyStoreDynamo.layer,
  EventLogDynamo.layer,
  ConversationStoreDynamo.layer,
  ModeSwitchDynamo.layer,
  Integrations.rateLimiterDynamo
).pipe(Layer.provide(DynamoClientLive.layer))

export const WorkerLive = Layer.mergeAll(
  WorkerServices.lambda.pipe(Layer.provideMerge(stores)),
  SqsQueueControl.layer,
  Tracing.layer("rp-mw-worker"),
  EmfMetrics.layer
).pipe(Layer.provideMerge(AppConfigLive.layer), Layer.provide(SecretsConfig.layer), Layer.provide(Logging.layer))

// One runtime per Lambda container, built on the first invocation and reused; rebuilt if that start-up failed.
const runtime = recoveringRuntime(WorkerLive)

export const handler: (event: SQSEvent, context: Context) => Promise<SQSBatchResponse> = workerHandler(runtime)
