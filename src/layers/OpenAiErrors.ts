import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import {
  APIConnectionError,
  APIConnectionTimeoutError,
  APIError,
  ConflictError,
  InternalServerError,
  OpenAIError,
  RateLimitError
} from "openai"
import {
  type ClassifierError,
  ClassifierRateLimited,
  ClassifierRejected,
  ClassifierTransient
} from "../services/Classifier.js"

/**
 * Maps what the OpenAI SDK throws onto the Classifier's error union. Reasons carry the status, error code and
 * request id but never the error message: a 400 can quote the request, and the request holds customer text.
 */

/** `retry-after-ms` (OpenAI's own, fractional ms) wins over `retry-after` (seconds or an HTTP date). */
export const retryAfterMs = (headers: Headers | undefined, nowMs: number): number | undefined => {
  const ms = Number.parseFloat(headers?.get("retry-after-ms") ?? "")
  if (Number.isFinite(ms) && ms >= 0) return Math.ceil(ms)
  const raw = headers?.get("retry-after")?.trim()
  if (raw === undefined || raw === "") return undefined
  if (/^\d+(\.\d+)?$/.test(raw)) return Math.ceil(Number.parseFloat(raw) * 1000)
  const date = Date.parse(raw)
  return Number.isNaN(date) ? undefined : Math.max(0, date - nowMs)
}

const describe = (error: APIError): string =>
  [
    error.constructor.name,
    error.status,
    error.code ?? error.type,
    error.param ? `param ${error.param}` : undefined,
    error.requestID ? `request ${error.requestID}` : undefined
  ].filter((part) => part !== undefined && part !== null).join(" ")

const withStatus = (error: APIError) => (error.status === undefined ? {} : { status: error.status })

export const classifierError = (error: unknown): Effect.Effect<never, ClassifierError> => {
  if (error instanceof RateLimitError) {
    return Effect.flatMap(Clock.currentTimeMillis, (now) => {
      const after = retryAfterMs(error.headers, now)
      return Effect.fail(new ClassifierRateLimited(after === undefined ? {} : { retryAfterMs: after }))
    })
  }
  if (error instanceof APIConnectionTimeoutError) return Effect.fail(new ClassifierTransient({ reason: "request timed out" }))
  if (error instanceof APIConnectionError) return Effect.fail(new ClassifierTransient({ reason: "connection error" }))
  if (error instanceof InternalServerError || error instanceof ConflictError || (error instanceof APIError && error.status === 408)) {
    return Effect.fail(new ClassifierTransient({ reason: describe(error), ...withStatus(error) }))
  }
  if (error instanceof APIError && error.status !== undefined && error.status >= 400 && error.status < 500) {
    return Effect.fail(new ClassifierRejected({ reason: describe(error), ...withStatus(error) }))
  }
  // Aborts only reach here without interruption (which discards the result); other SDK errors are odd statuses.
  if (error instanceof APIError) return Effect.fail(new ClassifierTransient({ reason: describe(error), ...withStatus(error) }))
  // The SDK refusing to build a request (e.g. bad configuration) will not get better by retrying.
  if (error instanceof OpenAIError) return Effect.fail(new ClassifierRejected({ reason: error.constructor.name }))
  return Effect.die(error)
}
