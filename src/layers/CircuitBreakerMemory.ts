import * as Cause from "effect/Cause"
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Ref from "effect/Ref"
import { BreakerState, CircuitBreaker, CircuitOpen } from "../services/CircuitBreaker.js"
import type { Downstream } from "../services/Downstream.js"

export interface CircuitBreakerOptions {
  /** Consecutive counted failures that open the breaker (default 5). */
  readonly failureThreshold?: number
  /** How long it stays open before a trial call (default 30 s). */
  readonly openMs?: number
  /** Trial calls allowed at once while half-open (default 1). */
  readonly halfOpenMaxCalls?: number
}

type Phase =
  | { readonly _tag: "Closed"; readonly failures: number }
  | { readonly _tag: "Open"; readonly until: number }
  | { readonly _tag: "HalfOpen"; readonly trials: number }

/** Every phase change bumps `generation`: a call admitted in an earlier phase cannot decide the current one. */
interface Cell {
  readonly phase: Phase
  readonly generation: number
}

/** A call that reached the downstream and got an answer (even a 404) shows it is up; interruption shows nothing. */
type Outcome = "success" | "failure" | "neutral"

const outcomeOf = <A, E>(exit: Exit.Exit<A, E>, isFailure: (error: E) => boolean): Outcome =>
  Exit.isSuccess(exit)
    ? "success"
    : Option.match(Cause.failureOption(exit.cause), {
      onNone: () => "neutral",
      onSome: (error) => (isFailure(error) ? "failure" : "success")
    })

const cell = (phase: Phase, generation: number): Cell => ({ phase, generation })

/** The phase after a call admitted in `phase` ends; `undefined` = unchanged. */
const afterCall = (phase: Phase, outcome: Outcome, opened: Phase, threshold: number): Phase | undefined => {
  switch (phase._tag) {
    case "Closed":
      if (outcome === "neutral") return undefined
      if (outcome === "success") return { _tag: "Closed", failures: 0 }
      return phase.failures + 1 >= threshold ? opened : { _tag: "Closed", failures: phase.failures + 1 }
    case "HalfOpen":
      if (outcome === "neutral") return { _tag: "HalfOpen", trials: phase.trials - 1 }
      return outcome === "success" ? { _tag: "Closed", failures: 0 } : opened
    case "Open":
      return undefined
  }
}

/**
 * A breaker per downstream in this process. In Lambda every container has its own: a container learns of an
 * outage from its own failures, which takes at most `failureThreshold` calls, and sharing the state through
 * DynamoDB would put a store call in front of every downstream call for little gain.
 */
export const layer = (options: CircuitBreakerOptions = {}) =>
  Layer.effect(
    CircuitBreaker,
    Effect.gen(function*() {
      const threshold = options.failureThreshold ?? 5
      const openMs = options.openMs ?? 30_000
      const maxTrials = options.halfOpenMaxCalls ?? 1
      const closed = cell({ _tag: "Closed", failures: 0 }, 0)
      const cells: Record<Downstream, Ref.Ref<Cell>> = yield* Effect.all({
        richpanel: Ref.make(closed),
        openai: Ref.make(closed),
        shopify: Ref.make(closed)
      })

      /** The generation the call runs in, or `CircuitOpen` without running it. */
      const admit = (downstream: Downstream, now: number) =>
        Ref.modify(cells[downstream], (c): [Either.Either<number, CircuitOpen>, Cell] => {
          const { generation, phase } = c
          switch (phase._tag) {
            case "Closed":
              return [Either.right(generation), c]
            case "Open":
              return now < phase.until
                ? [Either.left(new CircuitOpen({ downstream, retryAt: phase.until })), c]
                : [Either.right(generation + 1), cell({ _tag: "HalfOpen", trials: 1 }, generation + 1)]
            case "HalfOpen":
              // The trial in flight reopens the breaker for `openMs` if it fails: no earlier retry can help.
              return phase.trials < maxTrials
                ? [Either.right(generation), cell({ _tag: "HalfOpen", trials: phase.trials + 1 }, generation)]
                : [Either.left(new CircuitOpen({ downstream, retryAt: now + openMs })), c]
          }
        }).pipe(Effect.flatten)

      /** Logs phase changes: an opening breaker is what on-call looks for first. */
      const settle = (downstream: Downstream, ticket: number, outcome: Outcome, now: number) =>
        Ref.modify(cells[downstream], (c): [Phase | undefined, Cell] => {
          const opened: Phase = { _tag: "Open", until: now + openMs }
          const next = c.generation === ticket ? afterCall(c.phase, outcome, opened, threshold) : undefined
          if (next === undefined) return [undefined, c]
          const changed = next._tag !== c.phase._tag
          return [changed ? next : undefined, cell(next, changed ? c.generation + 1 : c.generation)]
        }).pipe(Effect.flatMap((changed) =>
          changed === undefined
            ? Effect.void
            : Effect.logWarning(`circuit breaker ${changed._tag}`).pipe(Effect.annotateLogs({ downstream }))
        ))

      const protect = <A, E, R>(downstream: Downstream, effect: Effect.Effect<A, E, R>, isFailure: (error: E) => boolean) =>
        Effect.uninterruptibleMask((restore) =>
          Effect.flatMap(Clock.currentTimeMillis, (now) => admit(downstream, now)).pipe(
            Effect.flatMap((ticket) =>
              restore(effect).pipe(Effect.onExit((exit) =>
                Effect.flatMap(Clock.currentTimeMillis, (now) =>
                  settle(downstream, ticket, outcomeOf(exit, isFailure), now))
              ))
            )
          )
        )

      const state = (downstream: Downstream) =>
        Effect.zipWith(Ref.get(cells[downstream]), Clock.currentTimeMillis, ({ phase }, now): BreakerState => {
          switch (phase._tag) {
            case "Closed":
              return BreakerState.Closed({ consecutiveFailures: phase.failures })
            case "Open":
              return now < phase.until ? BreakerState.Open({ until: phase.until }) : BreakerState.HalfOpen()
            case "HalfOpen":
              return BreakerState.HalfOpen()
          }
        })

      return { protect, state }
    })
  )
