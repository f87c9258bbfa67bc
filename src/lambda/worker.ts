import type { SQSBatchResponse, SQSEvent } from "aws-lambda"
import { Effect, Layer, ManagedRuntime } from "effect"
import * as DynamoClientLive from "../layers/DynamoClient.js"
import * as EventLogDynamo from "../layers/EventLogDynamo.js"
import { workerHandler } from "./workerHandler.js"

export const WorkerLive = Layer.mergeAll(EventLogDynamo.layer).pipe(Layer.provide(DynamoClientLive.layer))

const runtime = ManagedRuntime.make(WorkerLive)
process.once("SIGTERM", () => void Effect.runPromise(runtime.disposeEffect))

export const handler: (event: SQSEvent) => Promise<SQSBatchResponse> = workerHandler(runtime)
