import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Ref from "effect/Ref"
import { EventLog, type EventRecord } from "../services/EventLog.js"

/**
 * Position of an entry in the log: `<processed_at as UTC ISO>#<event_id>`, so string order is time order
 * (also the DynamoDB sort key). A `processed_at` that is not a date is a caller bug and throws (a defect).
 */
export const logKey = (entry: EventRecord): string =>
  `${new Date(entry.processed_at).toISOString()}#${entry.event_id}`

/** One entry per event id: a record replaces the entry for its event unless that one is newer. */
export const supersedes = (newKey: string, oldKey: string): boolean => newKey >= oldKey

interface Entry {
  readonly key: string
  readonly entry: EventRecord
}

/** Ref-backed log keeping the `capacity` newest entries, newest first. */
export const layerWithCapacity = (capacity: number) =>
  Layer.effect(
    EventLog,
    Effect.gen(function*() {
      const log = yield* Ref.make<ReadonlyArray<Entry>>([])
      return {
        record: (entry) =>
          Effect.flatMap(Effect.sync(() => logKey(entry)), (key) =>
            Ref.update(log, (entries) => {
              const previous = entries.find((e) => e.entry.event_id === entry.event_id)
              if (previous !== undefined && !supersedes(key, previous.key)) return entries
              const rest = previous === undefined ? entries : entries.filter((e) => e !== previous)
              const at = rest.findIndex((e) => e.key < key)
              const next = at === -1 ? [...rest, { key, entry }] : [...rest.slice(0, at), { key, entry }, ...rest.slice(at)]
              return next.slice(0, capacity)
            })),
        recent: (limit) => Effect.map(Ref.get(log), (entries) => entries.slice(0, Math.max(0, limit)).map((e) => e.entry))
      }
    })
  )

export const layer = layerWithCapacity(1_000)
