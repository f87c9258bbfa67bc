import * as Context from "effect/Context"
import * as Data from "effect/Data"
import type * as Effect from "effect/Effect"
import type * as Option from "effect/Option"
/** Product spec §10: idempotency records (ingress, message and reply claims) live 30 days. */
export const IDEMPOTENCY_TTL_SECONDS = 30 * 24 * 60 * 60

/** The store could not be read or written; callers fail closed (ingress answers 503). */
export class StoreUnavailable extends Data.TaggedError("StoreUnavailable")<{
  readonly operation: string
  readonly cause?: unknown
}> {}

/** What a claim found. Expiry is always judged from stored timestamps, never from TTL deletion. */
export type ClaimOutcome = Data.TaggedEnum<{
  /** The caller owns the key now. `takeover` = it replaced an expired lease or an expired record. */
  Acquired: { readonly takeover: boolean }
  /** Someone else holds a live lease; safe to retry later. */
  InProgress: { readonly leaseExpiresAt: number }
  /** Already done; `data` is what the owner stored when completing. */
  Completed: { readonly data: unknown; readonly completedAt: number }
}>
export const ClaimOutcome = Data.taggedEnum<ClaimOutcome>()

export interface ClaimOptions {
  /** How long an in-progress claim blocks others before it may be taken over (ms). */
  readonly leaseMs: number
  /** How long the record (in progress or completed) is kept (s); also written as the TTL attribute. */
  readonly ttlSeconds: number
}

export interface IdempotencyRecord {
  readonly key: string
  readonly status: "IN_PROGRESS" | "COMPLETED"
  /** Epoch ms. */
  readonly leaseExpiresAt: number
  /** Epoch seconds (the TTL attribute). */
  readonly expiresAt: number
  readonly completedAt?: number
  readonly data?: unknown
}

/**
 * Idempotency records keyed by caller-chosen strings (`ingress#<event id>`, later message and action keys).
 * Semantics follow Powertools' DynamoDB idempotency: one conditional put acquires; complete overwrites;
 * release deletes so a retry can run again.
 */
export class IdempotencyStore extends Context.Tag("rp-mw/IdempotencyStore")<IdempotencyStore, {
  readonly claim: (key: string, options: ClaimOptions) => Effect.Effect<ClaimOutcome, StoreUnavailable>
  readonly complete: (
    key: string,
    options: { readonly data?: unknown; readonly ttlSeconds: number }
  ) => Effect.Effect<void, StoreUnavailable>
  readonly release: (key: string) => Effect.Effect<void, StoreUnavailable>
  readonly get: (key: string) => Effect.Effect<Option.Option<IdempotencyRecord>, StoreUnavailable>
}>() {}
