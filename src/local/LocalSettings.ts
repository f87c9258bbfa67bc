import * as Config from "effect/Config"
/** Settings only the laptop runtime has (DESIGN.md §3): where to listen and where to keep its data. */
export const LocalSettings = Config.all({
  port: Config.port("PORT").pipe(Config.withDefault(3000)),
  host: Config.string("HOST").pipe(Config.withDefault("127.0.0.1")),
  dataDir: Config.string("MW_DATA_DIR").pipe(Config.withDefault(".data")),
  /** As in AWS (product spec §10): a failed message is retried after this long. */
  visibilityTimeoutSeconds: Config.integer("MW_VISIBILITY_TIMEOUT_SECONDS").pipe(Config.withDefault(180)),
  /** The same variable the worker reads: the local queue dead-letters a message when the worker has given up on it. */
  maxReceiveCount: Config.integer("MW_MAX_RECEIVE_COUNT").pipe(Config.withDefault(5)),
  /** Pollers running the worker at once, like Lambda's concurrency on distinct conversations. */
  workerConcurrency: Config.integer("MW_WORKER_CONCURRENCY").pipe(Config.withDefault(2))
})
export type LocalSettings = Config.Config.Success<typeof LocalSettings>
