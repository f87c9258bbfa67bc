// dynalite ships no typings; only what the local runtime and tests use.
declare module "dynalite" {
  import type { Server } from "node:http"

  interface DynaliteOptions {
    /** How long tables stay CREATING / DELETING / UPDATING (default 500 ms). */
    readonly createTableMs?: number
    readonly deleteTableMs?: number
    readonly updateTableMs?: number
    readonly maxItemSizeKb?: number
    /** LevelDB directory; in memory when absent. */
    readonly path?: string
    readonly ssl?: boolean
    readonly verbose?: boolean
    readonly debug?: boolean
  }

  function dynalite(options?: DynaliteOptions): Server
  export = dynalite
}
