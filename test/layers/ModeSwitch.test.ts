import { describe, expect, it } from "@effect/vitest"
import { Clock, Context, Effect, Layer, Logger, Option, Ref, type Scope, TestClock } from "effect"
import { ConversationStateTable } from "../../src/domain/Tables.js"
import { layerEndpoint } from "../../src/layers/DynamoClient.js"
import { ensureTables } from "../../src/layers/DynamoTables.js"
import * as ModeSwitchDynamo from "../../src/layers/ModeSwitchDynamo.js"
import * as ModeSwitchMemory from "../../src/layers/ModeSwitchMemory.js"
import type { Mode } from "../../src/services/AppConfig.js"
import { MODE_CACHE_MS, type ModeOverride, ModeSwitch } from "../../src/services/ModeSwitch.js"
import { appConfig } from "../support/fakes.js"
import { startDynalite } from "../support/dynalite.js"

type Switch = Context.Tag.Service<ModeSwitch>

/** A fresh override store, the switches of two workers on it, and a way to make it unreachable. */
interface Backend {
  readonly workers: (configured: Mode) => Effect.Effect<readonly [Switch, Switch]>
  readonly takeDown: Effect.Effect<void>
}

const memory: Effect.Effect<Backend, never, Scope.Scope> = Effect.gen(function*() {
  const tableContext = yield* Layer.build(ModeSwitchMemory.layerOverrideTable)
  const table = Context.get(tableContext, ModeSwitchMemory.OverrideTable)
  const worker = (configured: Mode) =>
    ModeSwitch.pipe(Effect.provide(ModeSwitchMemory.layerShared), Effect.provide(appConfig({ mode: configured })))
  return {
    workers: (configured) => Effect.all([worker(configured), worker(configured)]).pipe(Effect.provide(tableContext)),
    takeDown: Ref.set(table.available, false)
  }
})

const dynalite: Effect.Effect<Backend, never, Scope.Scope> = Effect.gen(function*() {
  const server = yield* Effect.acquireRelease(
    Effect.promise(startDynalite),
    // `takeDown` may have closed it already.
    (s) => Effect.promise(() => s.close().catch(() => undefined))
  )
  const client = yield* Layer.build(layerEndpoint(server.endpoint))
  // Table polling needs the real clock; tests run under the TestClock.
  yield* ensureTables([ConversationStateTable]).pipe(Effect.provide(client), Effect.withClock(Clock.make()), Effect.orDie)
  // Two layer builds on one client: two workers with caches of their own on the same table.
  const worker = (configured: Mode) =>
    ModeSwitch.pipe(
      Effect.provide(ModeSwitchDynamo.layer),
      Effect.provide(appConfig({ mode: configured })),
      Effect.provide(client),
      Effect.orDie
    )
  return {
    workers: (configured) => Effect.all([worker(configured), worker(configured)]),
    takeDown: Effect.promise(server.close)
  }
})

const kill: ModeOverride = {
  mode: "route-only",
  reason: "bad replies",
  set_by: "ops@example.com",
  set_at: "2025-01-01T00:00:00Z"
}

/** Collects the warnings logged while `self` runs. */
const withWarnings = <A, E, R>(self: Effect.Effect<A, E, R>) =>
  Effect.gen(function*() {
    const warnings: Array<string> = []
    const logger = Logger.make(({ logLevel, message }) => {
      if (logLevel._tag === "Warning") warnings.push(String(Array.isArray(message) ? message[0] : message))
    })
    const result = yield* self.pipe(Effect.provide(Logger.replace(Logger.defaultLogger, logger)))
    return [result, warnings] as const
  })

for (const [name, backend] of [["memory", memory], ["dynalite", dynalite]] as const) {
  describe(`ModeSwitch (${name})`, () => {
    it.scoped("without an override the configured mode applies", () =>
      Effect.gen(function*() {
        const [worker] = yield* (yield* backend).workers("live")
        expect(yield* worker.effectiveMode).toBe("live")
        expect(yield* worker.getOverride).toEqual(Option.none())
      }))

    it.scoped("an override reaches another worker once its cache expires, not before", () =>
      Effect.gen(function*() {
        const [a, b] = yield* (yield* backend).workers("live")
        expect(yield* a.effectiveMode).toBe("live")
        yield* TestClock.adjust("1 second")
        yield* b.setOverride(kill)
        // The writer acts on it at once; the other worker still trusts its cache, read at 0.
        expect(yield* b.effectiveMode).toBe("route-only")
        expect(yield* a.effectiveMode).toBe("live")
        yield* TestClock.adjust(MODE_CACHE_MS - 1_001)
        expect(yield* a.effectiveMode).toBe("live")
        yield* TestClock.adjust("1 millis")
        expect(yield* a.effectiveMode).toBe("route-only")
        expect(yield* a.getOverride).toEqual(Option.some(kill))
      }))

    it.scoped("clearing the override restores the configured mode", () =>
      Effect.gen(function*() {
        const [a, b] = yield* (yield* backend).workers("live")
        yield* a.setOverride({ ...kill, mode: "shadow" })
        expect(yield* b.effectiveMode).toBe("shadow")
        yield* a.clearOverride
        expect(yield* a.effectiveMode).toBe("live")
        expect(yield* b.effectiveMode).toBe("shadow")
        yield* TestClock.adjust(MODE_CACHE_MS)
        expect(yield* b.effectiveMode).toBe("live")
        expect(yield* b.getOverride).toEqual(Option.none())
      }))

    it.scoped("when the store cannot be read, the last mode seen stays in force, with a warning", () =>
      Effect.gen(function*() {
        const store = yield* backend
        const [a, b] = yield* store.workers("live")
        yield* a.setOverride({ ...kill, mode: "shadow" })
        expect(yield* b.effectiveMode).toBe("shadow")
        yield* store.takeDown
        yield* TestClock.adjust(MODE_CACHE_MS)
        const [modes, warnings] = yield* withWarnings(Effect.all([a.effectiveMode, b.effectiveMode, b.effectiveMode]))
        expect(modes).toEqual(["shadow", "shadow", "shadow"])
        // One failed read per worker per cache period, not one per message.
        expect(warnings).toHaveLength(2)
        expect(yield* Effect.flip(b.getOverride)).toMatchObject({ _tag: "StoreUnavailable" })
        expect(yield* Effect.flip(b.setOverride(kill))).toMatchObject({ _tag: "StoreUnavailable" })
      }))

    it.scoped("with nothing ever read, an unreachable store means route-only", () =>
      Effect.gen(function*() {
        const store = yield* backend
        const [worker] = yield* store.workers("live")
        yield* store.takeDown
        const [mode, warnings] = yield* withWarnings(worker.effectiveMode)
        expect(mode).toBe("route-only")
        expect(warnings).toHaveLength(1)
      }))
  })
}

describe("ModeSwitch (memory layer)", () => {
  it.effect("sees an override set behind its back only after the cache period", () =>
    Effect.gen(function*() {
      const modeSwitch = yield* ModeSwitch
      const table = yield* ModeSwitchMemory.OverrideTable
      expect(yield* modeSwitch.effectiveMode).toBe("shadow")
      yield* Ref.set(table.override, Option.some({ ...kill, mode: "live" }))
      yield* TestClock.adjust(MODE_CACHE_MS - 1)
      expect(yield* modeSwitch.effectiveMode).toBe("shadow")
      yield* TestClock.adjust("1 millis")
      expect(yield* modeSwitch.effectiveMode).toBe("live")
    }).pipe(Effect.provide(ModeSwitchMemory.layer), Effect.provide(appConfig({ mode: "shadow" }))))
})
