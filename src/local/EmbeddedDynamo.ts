import dynalite from "dynalite"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type { AddressInfo } from "node:net"
import { AllTables } from "../domain/Tables.js"
import { layerEndpoint } from "../layers/DynamoClient.js"
import { ensureTables } from "../layers/DynamoTables.js"

export interface EmbeddedDynamo {
  readonly endpoint: string
  readonly close: () => Promise<void>
}

/**
 * dynalite (the DynamoDB wire protocol on LevelDB) on a free loopback port. With `path` the data survives
 * restarts; without it everything is in memory. Tables become ACTIVE at once.
 */
export const startEmbeddedDynamo = (options: { readonly path?: string } = {}): Promise<EmbeddedDynamo> =>
  new Promise((resolve, reject) => {
    const server = dynalite({
      createTableMs: 0,
      deleteTableMs: 0,
      updateTableMs: 0,
      ...(options.path === undefined ? {} : { path: options.path })
    })
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

/** Starts an embedded dynalite for the enclosing scope and returns its endpoint (the CLI connects to it too). */
export const acquire = (options: { readonly path?: string } = {}) =>
  Effect.acquireRelease(
    Effect.promise(() => startEmbeddedDynamo(options)),
    (server) => Effect.promise(server.close)
  )

/** A `DynamoClient` on `endpoint` with every table of `Tables.ts` created. */
export const clientLayer = (endpoint: string) =>
  Layer.tap(layerEndpoint(endpoint), (context) => ensureTables(AllTables).pipe(Effect.provide(context)))

/** A `DynamoClient` on an embedded dynalite, closed with the layer. */
export const layer = (options: { readonly path?: string } = {}) =>
  Layer.unwrapScoped(Effect.map(acquire(options), ({ endpoint }) => clientLayer(endpoint)))
