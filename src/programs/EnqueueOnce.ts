import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Schedule from "effect/Schedule"
import type { EventEnvelope } from "../domain/Envelope.js"
import { currentTraceHeader } from "../layers/XRayTraceHeader.js"
import { EventQueue } from "../services/EventQueue.js"
import { IDEMPOTENCY_TTL_SECONDS, IdempotencyStore } from "../services/IdempotencyStore.js"

export type EnqueueStatus = "accepted" | "duplicate"

/** Longer than one ingress invocation may take (Lambda timeout ≤ 6 s), shorter than the queue's dedup window. */
export const INGRESS_LEASE_MS = 30_000

/** A blip in the queue should not cost the sender a retry round-trip: two quick retries, then 503. */
export const queueSendRetry = Schedule.exponential("25 millis").pipe(Schedule.jittered, Schedule.intersect(Schedule.recurs(2)))

/**
 * Puts an event on the queue at most once and answers 2xx only once it is there.
 *
 * Order: claim `ingress#<event id>` → send → mark completed. A crash between any two steps is safe:
 * - after the claim, before the send: nothing was acknowledged; a redelivery finds the claim in progress and sends;
 * - after the send, before completing: a redelivery sends again with the same deduplication id, which the FIFO queue
 *   drops for 5 minutes (after that the worker's message-level idempotency is the backstop);
 * - completing fails after a successful send: the event is durably queued, so the 200 stands.
 * A send failure (the queue down, or the message too large for it) releases a fresh claim so a retry starts clean.
 * The message carries this span as its `AWSTraceHeader` parent, so the worker continues the same trace.
 */
export const enqueueOnce = Effect.fn("Ingress.enqueue")(function* (envelope: EventEnvelope) {
  const store = yield* IdempotencyStore
  const queue = yield* EventQueue
  const key = `ingress#${envelope.event_id}`

  const claim = yield* store.claim(key, { leaseMs: INGRESS_LEASE_MS, ttlSeconds: IDEMPOTENCY_TTL_SECONDS })
  if (claim._tag === "Completed") return "duplicate" as const

  const traceHeader = yield* currentTraceHeader
  const sent = yield* queue.send(envelope, Option.isSome(traceHeader) ? { traceHeader: traceHeader.value } : {}).pipe(
    // Blips only: a message refused as too large would be refused again however often it was sent.
    Effect.retry({ schedule: queueSendRetry, while: (error) => error._tag === "QueueUnavailable" }),
    Effect.tapError(() => (claim._tag === "Acquired" ? Effect.ignore(store.release(key)) : Effect.void))
  )

  yield* store.complete(key, { data: { message_id: sent.messageId }, ttlSeconds: IDEMPOTENCY_TTL_SECONDS }).pipe(
    Effect.catchTag("StoreUnavailable", (error) =>
      Effect.logWarning("event queued but its idempotency record could not be completed", error.operation)
    )
  )
  return claim._tag === "Acquired" ? ("accepted" as const) : ("duplicate" as const)
})
