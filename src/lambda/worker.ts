import type { Context, SQSBatchResponse, SQSEvent } from "aws-lambda"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as ManagedRuntime from "effect/ManagedRuntime"
import * as AppConfigLive from "../layers/AppConfig.js"
import * as ConversationStoreDynamo from "../layers/ConversationStoreDynamo.js"
import * as DynamoClientLive from "../layers/DynamoClient.js"
import * as EventLogDynamo from "../layers/EventLogDynamo.js"
import * as IdempotencyStoreDynamo from "../layers/IdempotencyStoreDynamo.js"
import * as Logging from "../layers/Logging.js"
import * as ModeSwitchDynamo from "../layers/ModeSwitchDynamo.js"
import * as Integrations from "../layers/Integrations.js"
import * as SqsQueueControl from "../layers/SqsQueueControl.js"
import * as WorkerServices from "../layers/WorkerServices.js"
import { workerHandler } from "./workerHandler.js"

/** Production wiring: DynamoDB for every store and for the one global rate limit shared by all worker Lambdas. */
export const WorkerLive = Layer.mergeAll(
  WorkerServices.layer,
  Layer.mergeAll(
    IdempotencyStoreDynamo.layer,
    EventLogDynamo.layer,
    ConversationStoreDynamo.layer,
    ModeSwitchDynamo.layer,
    Integrations.rateLimiterDynamo
  ).pipe(Layer.provide(DynamoClientLive.layer)),
  SqsQueueControl.layer
).pipe(Layer.provideMerge(AppConfigLive.layer), Layer.provide(Logging.layer))

const runtime = ManagedRuntime.make(WorkerLive)
process.once("SIGTERM", () => void Effect.runPromise(runtime.disposeEffect))

export const handler: (event: SQSEvent, context: Context) => Promise<SQSBatchResponse> = workerHandler(runtime)
