import { Clock, Effect, Layer } from "effect"
import { createServer } from "node:net"
import type { AddressInfo } from "node:net"
import { AllTables } from "../../src/domain/Tables.js"
import { layerEndpoint } from "../../src/layers/DynamoClient.js"
import { ensureTables } from "../../src/layers/DynamoTables.js"
import { startEmbeddedDynamo } from "../../src/local/EmbeddedDynamo.js"

/** An in-memory dynalite on a free loopback port (the local runtime's own embedded server). */
export const startDynalite = () => startEmbeddedDynamo()

/** An endpoint nothing listens on: a port that was free a moment ago. */
export const closedEndpoint = (): Promise<string> =>
  new Promise((resolve, reject) => {
    const probe = createServer()
    probe.once("error", reject)
    probe.listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as AddressInfo
      probe.close(() => resolve(`http://127.0.0.1:${port}`))
    })
  })

/**
 * A `DynamoClient` on a dynalite of its own (one per test file, so files run in parallel) with all tables
 * created. Table polling runs on the live clock: `@effect/vitest` layers are built under the TestClock,
 * which would never let a wait elapse.
 */
export const DynaliteClient = Layer.unwrapScoped(
  Effect.map(
    Effect.acquireRelease(Effect.promise(startDynalite), (server) => Effect.promise(server.close)),
    ({ endpoint }) =>
      Layer.tap(layerEndpoint(endpoint), (context) =>
        ensureTables(AllTables).pipe(Effect.provide(context), Effect.withClock(Clock.make())))
  )
)
