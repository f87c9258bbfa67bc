import * as Context from "effect/Context"
import * as Data from "effect/Data"
import type * as Effect from "effect/Effect"
import type { Classification, ClassifierInput } from "../domain/Classification.js"

/** The model declined to answer (a `refusal`): final, route to a human. */
export class ClassifierRefused extends Data.TaggedError("ClassifierRefused")<{ readonly refusal: string }> {}
/** The answer was cut off (`length` / `incomplete`) or filtered: final, route to a human. */
export class ClassifierTruncated extends Data.TaggedError("ClassifierTruncated")<{ readonly reason: string }> {}
/** The answer did not decode through the decision Schema: final, route to a human. */
export class ClassifierInvalidOutput extends Data.TaggedError("ClassifierInvalidOutput")<{ readonly reason: string }> {}
/** 429: retry after `retryAfterMs` (from `retry-after-ms` / `retry-after`) when known. */
export class ClassifierRateLimited extends Data.TaggedError("ClassifierRateLimited")<{ readonly retryAfterMs?: number }> {}
/** 5xx, 408, 409, connection errors and timeouts: retryable. */
export class ClassifierTransient extends Data.TaggedError("ClassifierTransient")<{ readonly reason: string; readonly status?: number }> {}
/** 400/401/403/404/422: configuration or request bug, not retryable. */
export class ClassifierRejected extends Data.TaggedError("ClassifierRejected")<{ readonly reason: string; readonly status?: number }> {}

export type ClassifierError =
  | ClassifierRefused
  | ClassifierTruncated
  | ClassifierInvalidOutput
  | ClassifierRateLimited
  | ClassifierTransient
  | ClassifierRejected

/** Classifies one customer message into the taxonomy. One call, no retries inside: the worker owns retries. */
export class Classifier extends Context.Tag("rp-mw/Classifier")<Classifier, {
  readonly classify: (input: ClassifierInput) => Effect.Effect<Classification, ClassifierError>
}>() {}
