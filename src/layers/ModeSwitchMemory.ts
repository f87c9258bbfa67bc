import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Ref from "effect/Ref"
import { AppConfig, type Mode } from "../services/AppConfig.js"
import { StoreUnavailable } from "../services/IdempotencyStore.js"
import { MODE_CACHE_MS, type ModeOverride, ModeSwitch } from "../services/ModeSwitch.js"

/** Where an override is kept; `makeModeSwitch` adds the cache and the fallbacks on top. */
export interface OverrideCell {
  readonly read: Effect.Effect<Option.Option<ModeOverride>, StoreUnavailable>
  readonly write: (override: ModeOverride) => Effect.Effect<void, StoreUnavailable>
  readonly clear: Effect.Effect<void, StoreUnavailable>
}

interface Cached {
  readonly mode: Mode
  /** Epoch ms (Clock) of the last read attempt, successful or not. */
  readonly checkedAt: number
}

/** While nothing has ever been read, an unreadable store means no customer replies (see `ModeSwitch`). */
const fallbackMode: Mode = "route-only"

/** The kill-switch semantics shared by the memory and DynamoDB layers. */
export const makeModeSwitch = (configured: Mode, cell: OverrideCell) =>
  Effect.map(Ref.make(Option.none<Cached>()), (cache): Context.Tag.Service<ModeSwitch> => {
    const remember = (mode: Mode) =>
      Effect.flatMap(Clock.currentTimeMillis, (now) => Ref.set(cache, Option.some({ mode, checkedAt: now })))

    // A failed read is cached like a successful one: during an outage each worker tries (and warns) once per
    // MODE_CACHE_MS instead of on every message, and still picks up the switch within that once it is back.
    const refresh = (last: Option.Option<Cached>) =>
      cell.read.pipe(
        Effect.map(Option.match({ onNone: () => configured, onSome: (override) => override.mode })),
        Effect.catchAll((error) => {
          const mode = Option.match(last, { onNone: () => fallbackMode, onSome: (c) => c.mode })
          return Effect.logWarning("mode override unreadable; acting on the last mode known").pipe(
            Effect.annotateLogs({ mode, operation: error.operation }),
            Effect.as(mode)
          )
        }),
        Effect.tap(remember)
      )

    const effectiveMode = Effect.gen(function*() {
      const now = yield* Clock.currentTimeMillis
      const cached = yield* Ref.get(cache)
      if (Option.isSome(cached) && now - cached.value.checkedAt < MODE_CACHE_MS) return cached.value.mode
      return yield* refresh(cached)
    }).pipe(Effect.withSpan("ModeSwitch.effectiveMode"))

    return {
      effectiveMode,
      getOverride: cell.read,
      // Write-through: the worker that flips the switch acts on it at once; the others within MODE_CACHE_MS.
      setOverride: (override) => Effect.zipRight(cell.write(override), remember(override.mode)),
      clearOverride: Effect.zipRight(cell.clear, remember(configured))
    }
  })

/**
 * The in-memory stand-in for the override item. One table shared by several switch layers plays several
 * workers; `available: false` makes every read and write fail as an unreachable DynamoDB would.
 */
export class OverrideTable extends Context.Tag("rp-mw/ModeSwitchMemory/OverrideTable")<OverrideTable, {
  readonly override: Ref.Ref<Option.Option<ModeOverride>>
  readonly available: Ref.Ref<boolean>
}>() {}

export const layerOverrideTable = Layer.effect(
  OverrideTable,
  Effect.all({ override: Ref.make(Option.none<ModeOverride>()), available: Ref.make(true) })
)

/** A switch on a table provided from outside (tests: two of these on one table = two workers). */
export const layerShared = Layer.effect(
  ModeSwitch,
  Effect.gen(function*() {
    const { mode } = yield* AppConfig
    const table = yield* OverrideTable
    const guard = <A>(operation: string, self: Effect.Effect<A>) =>
      Effect.flatMap(Ref.get(table.available), (up) =>
        up ? self : new StoreUnavailable({ operation, cause: "memory override table marked unavailable" }))
    return yield* makeModeSwitch(mode, {
      read: guard("ModeSwitch.getOverride", Ref.get(table.override)),
      write: (override) => guard("ModeSwitch.setOverride", Ref.set(table.override, Option.some(override))),
      clear: guard("ModeSwitch.clearOverride", Ref.set(table.override, Option.none()))
    })
  })
)

/** A switch with a table of its own, which it also exposes so a test can set the override behind its back. */
export const layer = layerShared.pipe(Layer.provideMerge(layerOverrideTable))
