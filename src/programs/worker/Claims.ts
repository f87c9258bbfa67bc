import * as Effect from "effect/Effect"
import { IDEMPOTENCY_TTL_SECONDS, IdempotencyStore } from "../../services/IdempotencyStore.js"
import { storeUnavailable } from "./WorkerErrors.js"

/** Longer than one worker invocation (≤ 30 s), shorter than the outage backoff, so a crashed claim is taken over. */
export const WORKER_LEASE_MS = 120_000

/** One customer message (conversation + latest customer comment): processed once, whatever delivered it. */
export const messageKey = (conversationId: string, commentId: string) => `msg#${conversationId}#${commentId}`
/**
 * An event whose payload named no message id is pinned to the message it claimed: its next delivery may find the
 * ticket moved on (a newer newest message) and must resume that one, not decide another under the same event id.
 */
export const eventKey = (eventId: string) => `evt#${eventId}`
/** The public reply to one customer message: claimed before sending, so there is never a second one. */
export const replyKey = (conversationId: string, commentId: string) => `reply#${conversationId}#${commentId}`

const storeDown = (operation: string) => storeUnavailable(`idempotency store (${operation})`)

export const claim = (key: string) =>
  Effect.flatMap(IdempotencyStore, (store) =>
    store.claim(key, { leaseMs: WORKER_LEASE_MS, ttlSeconds: IDEMPOTENCY_TTL_SECONDS })
  ).pipe(Effect.mapError(storeDown("claim")), Effect.withSpan("Worker.claim"))

export const complete = (key: string, data: unknown) =>
  Effect.flatMap(IdempotencyStore, (store) => store.complete(key, { data, ttlSeconds: IDEMPOTENCY_TTL_SECONDS })).pipe(
    Effect.mapError(storeDown("complete"))
  )

export const release = (key: string) =>
  Effect.flatMap(IdempotencyStore, (store) => store.release(key)).pipe(Effect.mapError(storeDown("release")))

/** What is recorded under `key`, without claiming it. */
export const lookup = (key: string) =>
  Effect.flatMap(IdempotencyStore, (store) => store.get(key)).pipe(Effect.mapError(storeDown("get")))

/** Whether anything was ever recorded under `key` (in progress or completed), without claiming it. */
export const exists = (key: string) => Effect.map(lookup(key), (record) => record._tag === "Some")
