import * as Context from "effect/Context"
import type * as Effect from "effect/Effect"
import type * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import { Mode } from "./AppConfig.js"
import type { StoreUnavailable } from "./IdempotencyStore.js"

/** How long a worker may act on a stale override: the kill switch takes effect within this (DESIGN.md §3). */
export const MODE_CACHE_MS = 10_000

/** The runtime override set by an operator (`rp-mw mode set …`, `rp-mw kill`). */
export const ModeOverride = Schema.Struct({
  mode: Mode,
  reason: Schema.String,
  set_by: Schema.String,
  /** ISO time. */
  set_at: Schema.String
})
export type ModeOverride = typeof ModeOverride.Type

/**
 * The kill switch: a mode override in DynamoDB (`rp_mw_conversation_state`, pk `config#mode`) that replaces
 * `MW_MODE` without a deploy. Workers read it through a cache of at most MODE_CACHE_MS; when the store cannot be
 * read they keep the last value seen, and with none they fall back to `route-only` — no customer replies
 * while we cannot tell whether someone pulled the switch.
 */
export class ModeSwitch extends Context.Tag("rp-mw/ModeSwitch")<ModeSwitch, {
  readonly effectiveMode: Effect.Effect<Mode>
  readonly getOverride: Effect.Effect<Option.Option<ModeOverride>, StoreUnavailable>
  readonly setOverride: (override: ModeOverride) => Effect.Effect<void, StoreUnavailable>
  readonly clearOverride: Effect.Effect<void, StoreUnavailable>
}>() {}
