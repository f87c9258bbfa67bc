import { NodeRuntime } from "@effect/platform-node"
import { Effect, Layer, Logger, Option, Redacted } from "effect"
import * as EventLogMemory from "../src/layers/EventLogMemory.js"
import * as IdempotencyStoreMemory from "../src/layers/IdempotencyStoreMemory.js"
import * as LocalEventQueue from "../src/layers/LocalEventQueue.js"
import * as Logging from "../src/layers/Logging.js"
import { LocalFifoQueue } from "../src/local/LocalFifoQueue.js"
import { startLocalRuntime } from "../src/local/LocalRuntime.js"
import { AppConfig } from "../src/services/AppConfig.js"
import { WEBHOOK_TOKEN } from "./webhook.js"

/**
 * The local runtime as `npm start` runs it (HTTP server + one queue consumer draining into the worker handler,
 * JSON logging on), but with in-memory queue and stores so the measure is the code, not the disk.
 * Started by `http.ts` in its own process; reports its URL over IPC. `BENCH_LOG=off` is a diagnostic only.
 */
const config = Layer.succeed(AppConfig, {
  mode: "shadow",
  webhookToken: Option.some(Redacted.make(WEBHOOK_TOKEN)),
  richpanelApiKey: Option.none(),
  openaiApiKey: Option.none(),
  shopifyAccessToken: Option.none()
})

const logging = process.env["BENCH_LOG"] === "off" ? Logger.remove(Logger.defaultLogger) : Logging.layer

const main = Effect.gen(function* () {
  const queue = yield* LocalFifoQueue.make({ name: "bench.fifo" })
  const url = yield* startLocalRuntime({
    port: 0,
    host: "127.0.0.1",
    queue,
    services: Layer.mergeAll(LocalEventQueue.layer(queue), IdempotencyStoreMemory.layer, EventLogMemory.layer, config),
    workerConcurrency: 1
  })
  yield* Effect.sync(() => process.send?.({ type: "ready", url }))
  return yield* Effect.never
})

// The parent died without stopping us: shut down like on SIGTERM instead of lingering as an orphan.
process.once("disconnect", () => process.kill(process.pid, "SIGTERM"))

main.pipe(
  Effect.scoped,
  Effect.provide(logging),
  NodeRuntime.runMain({ disablePrettyLogger: true })
)
