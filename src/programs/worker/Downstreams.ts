import * as Effect from "effect/Effect"
import type { ClassifierInput } from "../../domain/Classification.js"
import { Classifier, type ClassifierError } from "../../services/Classifier.js"
import { type RichpanelError } from "../../services/Richpanel.js"
import { callDownstream, openaiRetry, richpanelReplyRetry, richpanelRetry } from "../RetryPolicies.js"
import { WaitForDependency } from "./WorkerErrors.js"

/** Only outages open a breaker: a 404 or a 400 is Richpanel answering, not Richpanel being down. */
const isRichpanelOutage = (error: RichpanelError) =>
  error._tag === "RichpanelTransient" || error._tag === "RichpanelRateLimited"

const isOpenAiOutage = (error: ClassifierError) =>
  error._tag === "ClassifierTransient" || error._tag === "ClassifierRateLimited"

/**
 * A Richpanel call through the limiter, the breaker and `richpanelRetry`. What is left after retries —
 * an outage, an open breaker, a bad key — means the message must wait; `RichpanelNotFound` and
 * `RichpanelInvalid` stay visible so the caller can decide.
 */
export const richpanel = <A>(call: Effect.Effect<A, RichpanelError>, retry = richpanelRetry) =>
  callDownstream("richpanel", call, { retry, isBreakerFailure: isRichpanelOutage }).pipe(
    Effect.catchTags({
      RichpanelTransient: (error) => new WaitForDependency({ dependency: "richpanel", reason: `transient: ${error.reason}` }),
      RichpanelRateLimited: () => new WaitForDependency({ dependency: "richpanel", reason: "rate limited" }),
      RichpanelUnauthorized: (error) =>
        new WaitForDependency({ dependency: "richpanel", reason: `unauthorized (${error.status}): check RICHPANEL_API_KEY` }),
      CircuitOpen: () => new WaitForDependency({ dependency: "richpanel", reason: "circuit open" }),
      RateLimiterUnavailable: () => new WaitForDependency({ dependency: "store", reason: "rate limiter state unavailable" })
    })
  )

/**
 * The customer reply: never retried in place after an unknown outcome (see `richpanelReplyRetry`). A transient
 * failure surfaces as `WaitForDependency`; the reply's claim stays, and the retry re-reads the ticket first.
 */
export const richpanelReply = <A>(call: Effect.Effect<A, RichpanelError>) => richpanel(call, richpanelReplyRetry)

/** One classification through the limiter, the breaker and `openaiRetry`; every failure stays typed for the fallback. */
export const classify = (input: ClassifierInput) =>
  Effect.flatMap(Classifier, (classifier) =>
    callDownstream("openai", classifier.classify(input), { retry: openaiRetry, isBreakerFailure: isOpenAiOutage })
  )
