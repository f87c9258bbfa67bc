import { NodeRuntime } from "@effect/platform-node"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Runtime from "effect/Runtime"
import * as Logging from "../src/layers/Logging.js"
import { inMemoryServices } from "../src/local/InMemoryServices.js"
import { LocalFifoQueue } from "../src/local/LocalFifoQueue.js"
import { startLocalRuntime } from "../src/local/LocalRuntime.js"
import { AppConfig } from "../src/services/AppConfig.js"
import { WEBHOOK_TOKEN } from "./webhook.js"

/**
 * The local runtime's ingress as `npm start` serves it (the same HTTP app and ingress program, JSON logging on),
 * with in-memory queue and stores so the measure is the code, not the disk, and no consumer: in AWS the worker is
 * a separate Lambda and does not share the ingress CPU.
 * Started by `http.ts` in its own process: reports its URL over IPC, and answers `stats` with the queue's stats
 * so the parent can wait for the consumer to drain before loading the other server.
 * `BENCH_LOG=off` and `BENCH_WORKERS=<n>` exist to diagnose a miss; reported figures use the defaults.
 */
const config = Layer.succeed(AppConfig, {
  mode: "shadow",
  webhookToken: Option.some(Redacted.make(WEBHOOK_TOKEN)),
  richpanelApiKey: Option.none(),
  openaiApiKey: Option.none(),
  shopifyAccessToken: Option.none()
})

// The measure is ingress: in AWS the worker is another Lambda, so here the queue only fills (BENCH_WORKERS=n to diagnose).
const workerConcurrency = Number(process.env["BENCH_WORKERS"] ?? 0)
const logging = process.env["BENCH_LOG"] === "off" ? Logger.remove(Logger.defaultLogger) : Logging.layer

const main = Effect.gen(function* () {
  const queue = yield* LocalFifoQueue.make({ name: "bench.fifo" })
  const url = yield* startLocalRuntime({
    port: 0,
    host: "127.0.0.1",
    queue,
    services: inMemoryServices(queue, config),
    workerConcurrency
  })
  const runPromise = Runtime.runPromise(yield* Effect.runtime<never>())
  process.on("message", (message: { readonly type?: string }) => {
    if (message.type === "stats") void runPromise(queue.stats).then((stats) => process.send?.({ type: "stats", stats }))
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
