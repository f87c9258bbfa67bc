import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from "aws-lambda"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as ManagedRuntime from "effect/ManagedRuntime"
import * as AppConfigLive from "../layers/AppConfig.js"
import * as DynamoClientLive from "../layers/DynamoClient.js"
import * as IdempotencyStoreDynamo from "../layers/IdempotencyStoreDynamo.js"
import * as Logging from "../layers/Logging.js"
import * as SqsEventQueue from "../layers/SqsEventQueue.js"
import { ingressHandler } from "./ingressHandler.js"

/** Production wiring: SQS FIFO producer + DynamoDB idempotency store; the webhook token is mandatory. */
export const IngressLive = Layer.mergeAll(
  SqsEventQueue.layer,
  IdempotencyStoreDynamo.layer.pipe(Layer.provide(DynamoClientLive.layer)),
  AppConfigLive.layerRequireToken
).pipe(Layer.provide(Logging.layer))

// One runtime per Lambda container: clients and config are built on the first invocation and reused.
const runtime = ManagedRuntime.make(IngressLive)
process.once("SIGTERM", () => void Effect.runPromise(runtime.disposeEffect))

export const handler: (event: APIGatewayProxyEventV2) => Promise<APIGatewayProxyStructuredResultV2> =
  ingressHandler(runtime)
