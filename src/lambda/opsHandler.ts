import * as Effect from "effect/Effect"
import * as Tracing from "../layers/Tracing.js"
import { withParentFromHeader } from "../layers/XRayTraceHeader.js"
import { type OpsSummary, runOpsChecks } from "../programs/ops/OpsReport.js"
import type { Runner } from "./Runner.js"

/** Every service the ops checks need; a runtime must provide all of them. */
export type OpsServices = Effect.Effect.Context<ReturnType<typeof runOpsChecks>>

/**
 * The thin EventBridge adapter: the scheduled event carries nothing the checks need. A failed check is in the
 * summary (and logged as an error), not thrown: a retry of the whole run would not fix it, and the other
 * check's result must still be reported. The invocation's spans are flushed before it answers.
 */
export const opsHandler =
  (runtime: Runner<OpsServices>) =>
  (_event?: unknown): Promise<OpsSummary> =>
    runtime.runPromise(
      runOpsChecks().pipe(withParentFromHeader(process.env["_X_AMZN_TRACE_ID"]), Effect.ensuring(Tracing.flush))
    )
