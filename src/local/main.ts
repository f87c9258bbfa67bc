import { NodeRuntime } from "@effect/platform-node"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { mkdirSync, rmSync, writeFileSync } from "node:fs"
import * as nodePath from "node:path"
import * as AppConfigLive from "../layers/AppConfig.js"
import * as EventLogDynamo from "../layers/EventLogDynamo.js"
import * as IdempotencyStoreDynamo from "../layers/IdempotencyStoreDynamo.js"
import * as ConversationStoreDynamo from "../layers/ConversationStoreDynamo.js"
import * as LocalEventQueue from "../layers/LocalEventQueue.js"
import * as LocalQueueControl from "../layers/LocalQueueControl.js"
import * as ModeSwitchDynamo from "../layers/ModeSwitchDynamo.js"
import * as Integrations from "../layers/Integrations.js"
import * as WorkerServices from "../layers/WorkerServices.js"
import * as Logging from "../layers/Logging.js"
import { type RuntimeInfo, runtimeInfoPath } from "../cli/Target.js"
import { AppConfig } from "../services/AppConfig.js"
import { banner } from "./Banner.js"
import { makeDurableQueues } from "./DurableQueues.js"
import * as EmbeddedDynamo from "./EmbeddedDynamo.js"
import { startLocalRuntime } from "./LocalRuntime.js"
import { LocalSettings } from "./LocalSettings.js"
import { describeStartupFailure } from "./StartupError.js"

/** Tells the CLI (`rp-mw mode …`, `rp-mw demo`) where this runtime listens; removed again on a clean stop. */
const writeRuntimeInfo = (dataDir: string, info: RuntimeInfo) =>
  Effect.acquireRelease(
    Effect.sync(() => writeFileSync(runtimeInfoPath(dataDir), JSON.stringify(info))),
    () => Effect.sync(() => rmSync(runtimeInfoPath(dataDir), { force: true }))
  )

/**
 * `npm start`: the same ingress and worker programs as in AWS, on a laptop. SQS becomes a journaled in-process
 * FIFO queue, DynamoDB an embedded dynalite; both persist under MW_DATA_DIR.
 */
const main = Effect.gen(function* () {
  const settings = yield* LocalSettings
  const config = yield* AppConfig
  const dataDir = nodePath.resolve(settings.dataDir)
  mkdirSync(dataDir, { recursive: true })

  const { queue, deadLetterQueue } = yield* makeDurableQueues({
    dir: nodePath.join(dataDir, "queues"),
    name: "rp-mw-events.fifo",
    visibilityTimeoutMs: settings.visibilityTimeoutSeconds * 1000,
    maxReceiveCount: settings.maxReceiveCount
  })
  const dynamo = yield* EmbeddedDynamo.acquire({ path: nodePath.join(dataDir, "dynamodb") })
  // As in AWS, but SQS is the journaled local queue and DynamoDB the embedded dynalite; one process, one limiter.
  const stores = Layer.mergeAll(
    IdempotencyStoreDynamo.layer,
    EventLogDynamo.layer,
    ConversationStoreDynamo.layer,
    ModeSwitchDynamo.layer
  ).pipe(Layer.provide(EmbeddedDynamo.clientLayer(dynamo.endpoint)))
  const services = Layer.mergeAll(
    LocalEventQueue.layer(queue),
    LocalQueueControl.layer(queue),
    WorkerServices.local.pipe(Layer.provideMerge(Integrations.rateLimiterMemory)),
    stores
  ).pipe(Layer.provideMerge(Layer.succeed(AppConfig, config)))
  const url = yield* startLocalRuntime({
    port: settings.port,
    host: settings.host,
    queue,
    deadLetterQueue,
    services,
    workerConcurrency: settings.workerConcurrency
  })
  yield* writeRuntimeInfo(dataDir, { url, dynamo_endpoint: dynamo.endpoint, pid: process.pid })
  yield* Console.log(banner(url, settings, config))
  return yield* Effect.never
})

main.pipe(
  Effect.scoped,
  Effect.provide(AppConfigLive.layer),
  Effect.provide(Logging.layer),
  Effect.tapErrorCause((cause) => Console.error(`rp-mw could not start: ${describeStartupFailure(cause)}`)),
  NodeRuntime.runMain({ disableErrorReporting: true, disablePrettyLogger: true })
)
