import * as Clock from "effect/Clock"
import type * as Context from "effect/Context"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as HashMap from "effect/HashMap"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Ref from "effect/Ref"
import * as Schedule from "effect/Schedule"
import {
  CONVERSATION_STATE_TTL_SECONDS,
  type ConversationState,
  ConversationStore,
  emptyConversationState
} from "../services/ConversationStore.js"
import { StoreUnavailable } from "../services/IdempotencyStore.js"

// The rules below are the store's semantics, shared with the DynamoDB layer so the two cannot disagree.

/** The widest auto-reply limit window (product spec §6: ≤ 3 per 24 h); older timestamps count for nothing. */
export const AUTO_REPLY_WINDOW_MS = 24 * 60 * 60 * 1000

/** One stored conversation: its state and when it lapses (epoch seconds, also the TTL attribute). */
export interface StoredState {
  readonly state: ConversationState
  readonly expiresAt: number
}

/** TTL deletion is lazy (up to days late), so expiry is judged here; a record lives through its last second. */
export const isExpired = (stored: StoredState, nowMs: number): boolean => stored.expiresAt < Math.floor(nowMs / 1000)

/** What readers see: absent and expired both read as a conversation never stored (version 0). */
export const visible = (conversationId: string, stored: Option.Option<StoredState>, nowMs: number): ConversationState =>
  Option.match(Option.filter(stored, (s) => !isExpired(s, nowMs)), {
    onNone: () => emptyConversationState(conversationId),
    onSome: (s) => s.state
  })

/**
 * The record a write stores. Fields are copied one by one so both stores hand back the same shape; the id,
 * version and timestamps are the store's, whatever `change` returned.
 */
export const nextStored = (
  conversationId: string,
  changed: ConversationState,
  previousVersion: number,
  nowMs: number
): StoredState => ({
  state: {
    conversation_id: conversationId,
    // Trimmed on every write so the list stays a handful of numbers however long the conversation runs.
    auto_replies: changed.auto_replies.filter((t) => nowMs - t <= AUTO_REPLY_WINDOW_MS).toSorted((a, b) => a - b),
    human_replied: changed.human_replied,
    ...(changed.awaiting === undefined ? {} : { awaiting: changed.awaiting }),
    ...(changed.last_comment_id === undefined ? {} : { last_comment_id: changed.last_comment_id }),
    updated_at: nowMs,
    version: previousVersion + 1
  },
  expiresAt: Math.floor(nowMs / 1000) + CONVERSATION_STATE_TTL_SECONDS
})

/** The primitives a backend provides; `makeConversationStore` builds the contract on them. */
export interface StateCells {
  readonly read: (conversationId: string) => Effect.Effect<Option.Option<StoredState>, StoreUnavailable>
  /**
   * Stores `next` only if the stored version is still `expected` (0 = absent or expired at `nowMs`);
   * `false` when someone else wrote first.
   */
  readonly write: (
    conversationId: string,
    next: StoredState,
    expected: number,
    nowMs: number
  ) => Effect.Effect<boolean, StoreUnavailable>
}

class VersionConflict extends Data.TaggedError("VersionConflict")<{}> {}

// One FIFO group per conversation makes concurrent writers rare (a redelivery overlapping its original), so a
// few short re-runs settle any race; a conflict on every try means something is wrong. The jitter spans the
// whole window (0–2× the step), not ±20 %: writers that collided together must not come back together.
// Worst case ≈ 3 s of backoff, well inside the worker's 30 s.
const conflictRetry = Schedule.exponential("25 millis").pipe(
  Schedule.jitteredWith({ min: 0, max: 2 }),
  Schedule.intersect(Schedule.recurs(6)),
  Schedule.whileInput((error: VersionConflict | StoreUnavailable) => error._tag === "VersionConflict")
)

export const makeConversationStore = (cells: StateCells): Context.Tag.Service<ConversationStore> => {
  const get = (conversationId: string) =>
    Effect.flatMap(Clock.currentTimeMillis, (now) =>
      Effect.map(cells.read(conversationId), (stored) => visible(conversationId, stored, now))).pipe(
        Effect.withSpan("ConversationStore.get")
      )

  const attemptOnce = (conversationId: string, change: (current: ConversationState) => ConversationState) =>
    Effect.gen(function*() {
      const now = yield* Clock.currentTimeMillis
      const current = visible(conversationId, yield* cells.read(conversationId), now)
      const next = nextStored(conversationId, change(current), current.version, now)
      const written = yield* cells.write(conversationId, next, current.version, now)
      if (!written) return yield* new VersionConflict()
      return next.state
    })

  const update = (conversationId: string, change: (current: ConversationState) => ConversationState) =>
    attemptOnce(conversationId, change).pipe(
      Effect.retry(conflictRetry),
      Effect.catchTag("VersionConflict", () =>
        new StoreUnavailable({ operation: "ConversationStore.update", cause: "version changed on every attempt" })),
      Effect.withSpan("ConversationStore.update")
    )

  return { get, update }
}

/** Ref-backed store with the DynamoDB store's semantics; the conditional write is one atomic `Ref.modify`. */
export const layer = Layer.effect(
  ConversationStore,
  Effect.map(Ref.make(HashMap.empty<string, StoredState>()), (cells) =>
    makeConversationStore({
      read: (conversationId) => Effect.map(Ref.get(cells), HashMap.get(conversationId)),
      write: (conversationId, next, expected, nowMs) =>
        Ref.modify(cells, (map): [boolean, HashMap.HashMap<string, StoredState>] => {
          const stored = HashMap.get(map, conversationId)
          // Mirrors the DynamoDB condition: `attribute_not_exists(pk) OR expires_at < :now` / `version = :v`.
          const matches = expected === 0
            ? Option.match(stored, { onNone: () => true, onSome: (s) => isExpired(s, nowMs) })
            : Option.exists(stored, (s) => s.state.version === expected)
          return matches ? [true, HashMap.set(map, conversationId, next)] : [false, map]
        })
    }))
)
