import { HttpServer } from "@effect/platform"
import { NodeHttpServer } from "@effect/platform-node"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Runtime from "effect/Runtime"
import { createServer } from "node:http"
import { workerHandler, type WorkerServices } from "../lambda/workerHandler.js"
import type { AppConfig } from "../services/AppConfig.js"
import type { EventLog } from "../services/EventLog.js"
import type { EventQueue } from "../services/EventQueue.js"
import type { IdempotencyStore } from "../services/IdempotencyStore.js"
import { fromPromiseHandler, runConsumer } from "./Consumer.js"
import { LocalDeadLetters } from "./DeadLetters.js"
import { httpApp } from "./HttpApp.js"
import type { LocalFifoQueue } from "./LocalFifoQueue.js"

export type LocalServices = AppConfig | EventQueue | IdempotencyStore | EventLog | WorkerServices

export interface LocalRuntimeOptions<E> {
  readonly port: number
  readonly host: string
  /** The queue the `EventQueue` in `services` sends to; the local consumer drains it into the worker handler. */
  readonly queue: LocalFifoQueue
  /** `queue`'s DLQ, for `GET /dlq` and `POST /dlq/redrive`; without it those answer 404. */
  readonly deadLetterQueue?: LocalFifoQueue
  readonly services: Layer.Layer<LocalServices, E>
  readonly workerConcurrency: number
}

/**
 * Serves the HTTP surface and runs the queue consumer until the scope closes. Returns the URL it listens on.
 * `npm start` passes durable layers (journaled queue, dynalite on disk); the benchmark passes in-memory ones.
 */
export const startLocalRuntime = <E>(options: LocalRuntimeOptions<E>) =>
  Effect.gen(function* () {
    const runtime = yield* Layer.toRuntime(options.services)
    const runner = { runPromise: Runtime.runPromise(runtime) }
    if (options.workerConcurrency > 0) {
      // One message per poll, as the deployed stack takes them: a batch would hand records behind a failing
      // group-mate back to the queue, burning their receive count unprocessed.
      yield* Effect.forkScoped(
        runConsumer(options.queue, fromPromiseHandler(workerHandler(runner)), { concurrency: options.workerConcurrency, batchSize: 1 })
      )
    }
    const server = yield* Layer.build(NodeHttpServer.layer(createServer, { port: options.port, host: options.host }))
    const deadLetters = options.deadLetterQueue === undefined
      ? Context.empty()
      : Context.make(LocalDeadLetters, { queue: options.queue, deadLetterQueue: options.deadLetterQueue })
    yield* HttpServer.serveEffect(httpApp).pipe(
      Effect.provide(server),
      Effect.provide(Context.merge(runtime.context, deadLetters))
    )
    return HttpServer.formatAddress(Context.get(server, HttpServer.HttpServer).address)
  })
