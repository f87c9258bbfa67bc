import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as HashMap from "effect/HashMap"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Ref from "effect/Ref"
import {
  type ClaimOptions,
  ClaimOutcome,
  type IdempotencyRecord,
  IdempotencyStore
} from "../services/IdempotencyStore.js"

// The rules below are the executable statement of the store's semantics; the DynamoDB layer's condition
// expression mirrors them and uses them to classify a failed condition, so the two stores cannot disagree.

/** Expired records count as absent; `expiresAt` is whole seconds, so a record lives through its last second. */
export const isExpired = (record: IdempotencyRecord, nowMs: number): boolean =>
  record.expiresAt < Math.floor(nowMs / 1000)

/** A claim may replace the record: it is expired, or it is an in-progress claim whose lease ran out. */
export const isClaimable = (record: IdempotencyRecord, nowMs: number): boolean =>
  isExpired(record, nowMs) || (record.status === "IN_PROGRESS" && record.leaseExpiresAt < nowMs)

/** What a caller that could not claim is told. */
export const outcomeOf = (record: IdempotencyRecord): ClaimOutcome =>
  record.status === "COMPLETED"
    ? ClaimOutcome.Completed({ data: record.data, completedAt: record.completedAt ?? 0 })
    : ClaimOutcome.InProgress({ leaseExpiresAt: record.leaseExpiresAt })

export const inProgress = (key: string, options: ClaimOptions, nowMs: number): IdempotencyRecord => ({
  key,
  status: "IN_PROGRESS",
  leaseExpiresAt: nowMs + options.leaseMs,
  expiresAt: Math.floor(nowMs / 1000) + options.ttlSeconds
})

// The DynamoDB store keeps `data` as JSON; round-tripping here makes the memory store fail the same way
// (a defect) on data that is not JSON, and hand back the same shapes (no Dates, no undefined fields).
const viaJson = (data: unknown): unknown => {
  const json = JSON.stringify(data)
  return json === undefined ? undefined : JSON.parse(json)
}

/** Ref-backed store with the DynamoDB store's semantics; each claim is one atomic `Ref.modify`. */
export const layer = Layer.effect(
  IdempotencyStore,
  Effect.gen(function*() {
    const records = yield* Ref.make(HashMap.empty<string, IdempotencyRecord>())
    return {
      claim: (key, options) =>
        Effect.flatMap(Clock.currentTimeMillis, (now) =>
          Ref.modify(records, (map): [ClaimOutcome, HashMap.HashMap<string, IdempotencyRecord>] => {
            const existing = HashMap.get(map, key)
            if (Option.isSome(existing) && !isClaimable(existing.value, now)) return [outcomeOf(existing.value), map]
            return [
              ClaimOutcome.Acquired({ takeover: Option.isSome(existing) }),
              HashMap.set(map, key, inProgress(key, options, now))
            ]
          })),
      complete: (key, { data, ttlSeconds }) =>
        Effect.flatMap(Clock.currentTimeMillis, (now) => {
          const stored = viaJson(data)
          return Ref.update(records, (map) =>
            HashMap.set(map, key, {
              key,
              status: "COMPLETED",
              // Like DynamoDB's UpdateItem, completing an unknown key creates the record (no lease).
              leaseExpiresAt: Option.match(HashMap.get(map, key), { onNone: () => 0, onSome: (r) => r.leaseExpiresAt }),
              expiresAt: Math.floor(now / 1000) + ttlSeconds,
              completedAt: now,
              ...(stored === undefined ? {} : { data: stored })
            }))
        }),
      release: (key) => Ref.update(records, HashMap.remove(key)),
      get: (key) =>
        Effect.flatMap(Clock.currentTimeMillis, (now) =>
          Effect.map(Ref.get(records), (map) => Option.filter(HashMap.get(map, key), (r) => !isExpired(r, now))))
    }
  })
)
