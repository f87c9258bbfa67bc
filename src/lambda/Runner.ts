import type * as Effect from "effect/Effect"
/**
 * What a handler needs to run a program: a Lambda module passes its module-scope `ManagedRuntime`, the local
 * runtime passes the runtime it already built, so both paths run the very same handler code.
 */
export interface Runner<R> {
  readonly runPromise: <A, E>(effect: Effect.Effect<A, E, R>) => Promise<A>
}
