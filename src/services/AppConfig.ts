import * as Context from "effect/Context"
import * as Schema from "effect/Schema"
import type * as Option from "effect/Option"
import type * as Redacted from "effect/Redacted"
/** How far the worker may act (DESIGN.md §3). An operator override in DynamoDB (the kill switch) replaces it at run time. */
export const Mode = Schema.Literal("shadow", "route-only", "live")
export type Mode = typeof Mode.Type

/**
 * Settings shared by every program, read once per runtime from the environment (see `layers/AppConfig.ts`).
 * Secrets stay `Redacted` until the call site that needs them.
 */
export class AppConfig extends Context.Tag("rp-mw/AppConfig")<AppConfig, {
  readonly mode: Mode
  /** Ingress shared secret. None = open ingress (allowed only in the local runtime, with a warning). */
  readonly webhookToken: Option.Option<Redacted.Redacted<string>>
  readonly richpanelApiKey: Option.Option<Redacted.Redacted<string>>
  readonly openaiApiKey: Option.Option<Redacted.Redacted<string>>
  readonly shopifyAccessToken: Option.Option<Redacted.Redacted<string>>
}>() {}
