import dynalite from "dynalite"
import { Clock, Effect, Layer } from "effect"
import { createServer } from "node:net"
import type { AddressInfo } from "node:net"
import { AllTables } from "../../src/domain/Tables.js"
import { layerEndpoint } from "../../src/layers/DynamoClient.js"
import { ensureTables } from "../../src/layers/DynamoTables.js"

export interface Dynalite {
  readonly endpoint: string
  readonly close: () => Promise<void>
}

/** An in-memory dynalite on a free loopback port; tables become ACTIVE at once. */
export const startDynalite = (): Promise<Dynalite> =>
  new Promise((resolve, reject) => {
    const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 })
    server.once("error", reject)
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as AddressInfo
      resolve({
        endpoint: `http://127.0.0.1:${port}`,
        close: () =>
          new Promise<void>((done, fail) => {
            // Keep-alive sockets would otherwise hold `close` open.
            server.closeAllConnections()
            server.close((error) => (error ? fail(error) : done()))
          })
      })
    })
  })

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
