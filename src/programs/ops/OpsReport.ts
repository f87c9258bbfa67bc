import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import { describeFailure } from "./describeFailure.js"
import { dlqReport, type DlqReportResult } from "./DlqReport.js"
import { tagDrift, type TagDriftResult } from "./TagDrift.js"

export interface CheckFailed {
  readonly status: "failed"
  readonly error: string
}

export interface OpsSummary {
  /** False when a check could not run to the end (not when it found something: that is what the metrics say). */
  readonly ok: boolean
  readonly dlq: DlqReportResult | CheckFailed
  readonly tags: TagDriftResult | CheckFailed
}

/** A check's failure, even a defect, becomes its own result, so it cannot hide the other check's. */
const settle = <A, E, R>(check: Effect.Effect<A, E, R>): Effect.Effect<A | CheckFailed, never, R> =>
  check.pipe(
    Effect.catchAllCause((cause) =>
      Effect.succeed<CheckFailed>({
        status: "failed",
        error: Cause.failureOption(cause).pipe((failure) =>
          failure._tag === "Some" ? describeFailure(failure.value) : `defect: ${Cause.pretty(cause).split("\n")[0] ?? "unknown"}`
        )
      })
    )
  )

/**
 * The scheduled ops run: DLQ depth and routing-tag drift, side by side. Logs one JSON summary (an error line
 * when a check failed) and returns it; the numbers an alarm needs go out as the `DlqDepth` and
 * `MissingRoutingTags` metrics from inside the checks.
 */
export const runOpsChecks = Effect.fn("Ops.run")(function* () {
  const [dlq, tags] = yield* Effect.all([settle(dlqReport()), settle(tagDrift())], { concurrency: 2 })
  const summary: OpsSummary = { ok: dlq.status !== "failed" && tags.status !== "failed", dlq, tags }
  const log = summary.ok ? Effect.logInfo("ops report") : Effect.logError("ops report: a check failed")
  yield* log.pipe(Effect.annotateLogs({ dlq, tags }))
  return summary
})
