import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from "aws-lambda"
import * as Layer from "effect/Layer"
import * as AppConfigLive from "../layers/AppConfig.js"
import * as DynamoClientLive from "../layers/DynamoClient.js"
import * as EmfMetrics from "../layers/EmfMetrics.js"
import * as IdempotencyStoreDynamo from "../layers/IdempotencyStoreDynamo.js"
import * as Logging from "../layers/Logging.js"
import * as SecretsConfig from "../layers/SecretsConfig.js"
import * as SqsEventQueue from "../layers/SqsEventQueue.js"
import * as Tracing from "../layers/Tracing.js"
import { recoveringRuntime } from "./Runner.js"
import { ingressHandler } from "./ingressHandler.js"

/** Production wiring: SQS FIFO producer + DynamoDB idempotency store; the webhook token is mandatory. */
export const IngressLive = Layer.mergeAll(
  SqsEventQueue.layer,
  IdempotencyStoreDynamo.layer.pipe(Layer.provide(DynamoClientLive.layer)),
  AppConfigLive.layerRequireToken,
  Tracing.layer("rp-mw-ingress"),
  EmfMetrics.layer
).pipe(Layer.provide(SecretsConfig.layer), Layer.provide(Logging.layer))

// One runtime per Lambda container, built on the first invocation and reused; rebuilt if that start-up failed.
const runtime = recoveringRuntime(IngressLive)

export const handler: (event: APIGatewayProxyEventV2) => Promise<APIGatewayProxyStructuredResultV2> =
  ingressHandler(runtime)
