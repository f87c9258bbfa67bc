import type * as Effect from "effect/Effect"
import type * as Layer from "effect/Layer"
import * as ManagedRuntime from "effect/ManagedRuntime"
/**
 * What a handler needs to run a program: a Lambda module passes its module-scope `ManagedRuntime`, the local
 * runtime passes the runtime it already built, so both paths run the very same handler code.
 */
export interface Runner<R> {
  readonly runPromise: <A, E>(effect: Effect.Effect<A, E, R>) => Promise<A>
}

/**
 * A container's runtime that recovers from a failed start-up. A `ManagedRuntime` whose layer failed to build (a
 * secret missing, Secrets Manager or DynamoDB unreachable for a moment on a cold start) answers every later run
 * with that same failure for the container's life; here the next run builds a fresh one, so a fixed secret or a
 * passing blip heals without waiting for Lambda to recycle the container. Program failures are left alone.
 */
export const recoveringRuntime = <R, E>(layer: Layer.Layer<R, E, never>): Runner<R> => {
  let current = ManagedRuntime.make(layer)
  process.once("SIGTERM", () => void current.dispose())
  return {
    runPromise: (effect) =>
      current.runPromise(effect).catch(async (error: unknown) => {
        const failed = current
        const startUpFailed = await failed.runtime().then(() => false, () => true)
        if (startUpFailed && current === failed) {
          current = ManagedRuntime.make(layer)
          await failed.dispose()
        }
        throw error
      })
  }
}
