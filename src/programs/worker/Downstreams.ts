import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import type { ClassifierInput } from "../../domain/Classification.js"
import type { Mode } from "../../services/AppConfig.js"
import { Classifier, type ClassifierError } from "../../services/Classifier.js"
import { ModeSwitch } from "../../services/ModeSwitch.js"
import type { RichpanelError, RichpanelTransient, RichpanelUnauthorized } from "../../services/Richpanel.js"
import { callDownstream, openaiRetry, richpanelReplyRetry, richpanelRetry } from "../RetryPolicies.js"
import { WaitForDependency } from "./WorkerErrors.js"

/** Only outages open a breaker: a 404 or a 400 is Richpanel answering, not Richpanel being down. */
const isRichpanelOutage = (error: { readonly _tag: string }) =>
  error._tag === "RichpanelTransient" || error._tag === "RichpanelRateLimited"

/** The mode no longer allows this write (the kill switch was pulled while the message was being decided). */
export class WriteCancelled extends Data.TaggedError("WriteCancelled")<{ readonly mode: Mode }> {}

const isOpenAiOutage = (error: ClassifierError) =>
  error._tag === "ClassifierTransient" || error._tag === "ClassifierRateLimited"

/** What is left of a Richpanel call after retries that means "wait and try later", as the worker's failure. */
const outages = {
  RichpanelTransient: (error: RichpanelTransient) =>
    Effect.fail(new WaitForDependency({ dependency: "richpanel", reason: `transient: ${error.reason}` })),
  RichpanelRateLimited: () => Effect.fail(new WaitForDependency({ dependency: "richpanel", reason: "rate limited" })),
  RichpanelUnauthorized: (error: RichpanelUnauthorized) =>
    Effect.fail(new WaitForDependency({ dependency: "richpanel", reason: `unauthorized (${error.status}): check RICHPANEL_API_KEY` })),
  CircuitOpen: () => Effect.fail(new WaitForDependency({ dependency: "richpanel", reason: "circuit open" })),
  RateLimiterUnavailable: () => Effect.fail(new WaitForDependency({ dependency: "store", reason: "rate limiter state unavailable" }))
}

/**
 * A Richpanel call through the limiter, the breaker and `richpanelRetry`. What is left after retries —
 * an outage, an open breaker, a bad key — means the message must wait; `RichpanelNotFound` and
 * `RichpanelInvalid` stay visible so the caller can decide.
 */
export const richpanel = <A>(call: Effect.Effect<A, RichpanelError>, retry = richpanelRetry) =>
  callDownstream("richpanel", call, { retry, isBreakerFailure: isRichpanelOutage }).pipe(Effect.catchTags(outages))

/**
 * The kill switch, asked again as the request leaves — after any wait for the rate limiter, so a write queued
 * before an operator pulled the switch does not go out long after it (the mode is cached ≤ MODE_CACHE_MS).
 */
const requireMode = (allows: (mode: Mode) => boolean) =>
  Effect.flatMap(ModeSwitch, (modes) => modes.effectiveMode).pipe(
    Effect.flatMap((mode) => (allows(mode) ? Effect.void : Effect.fail(new WriteCancelled({ mode }))))
  )

/** A tag or note write: any mode but shadow. `WriteCancelled` says the mode no longer allows it. */
export const richpanelWrite = <A>(call: Effect.Effect<A, RichpanelError>) =>
  callDownstream("richpanel", Effect.zipRight(requireMode((mode) => mode !== "shadow"), call), {
    retry: richpanelRetry,
    isBreakerFailure: isRichpanelOutage
  }).pipe(Effect.catchTags(outages))

/**
 * The customer reply: live mode only, and never retried in place after an unknown outcome (see
 * `richpanelReplyRetry`). A transient failure surfaces as `WaitForDependency`; the reply's claim stays, and the
 * retry re-reads the ticket first.
 */
export const richpanelReply = <A>(call: Effect.Effect<A, RichpanelError>) =>
  callDownstream("richpanel", Effect.zipRight(requireMode((mode) => mode === "live"), call), {
    retry: richpanelReplyRetry,
    isBreakerFailure: isRichpanelOutage
  }).pipe(Effect.catchTags(outages))

/** One classification through the limiter, the breaker and `openaiRetry`; every failure stays typed for the fallback. */
export const classify = (input: ClassifierInput) =>
  Effect.flatMap(Classifier, (classifier) =>
    callDownstream("openai", classifier.classify(input), { retry: openaiRetry, isBreakerFailure: isOpenAiOutage })
  )
