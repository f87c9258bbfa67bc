import * as Cause from "effect/Cause"
import * as ConfigError from "effect/ConfigError"
import * as Option from "effect/Option"
/** A start-up failure as one sentence that says what to change, instead of a stack of Effect internals. */
export const describeStartupFailure = (cause: Cause.Cause<unknown>): string => {
  const failure = Cause.failureOption(cause)
  if (Option.isSome(failure) && ConfigError.isConfigError(failure.value)) {
    return `configuration error: ${String(failure.value)}. Fix the environment variable and start again.`
  }
  const fileProblem = Option.isSome(failure) ? describeFileProblem(failure.value) : undefined
  if (fileProblem !== undefined) return fileProblem
  if (Option.isSome(failure) && errorCode(failure.value) === "EADDRINUSE") {
    return "the port is already in use: stop the other process or set PORT to a free port."
  }
  return Cause.pretty(cause, { renderErrorCause: true })
}

/** Node's `code` on the error or on its `cause` (the platform wraps listen errors in a ServeError). */
const errorCode = (error: unknown): unknown => {
  if (typeof error !== "object" || error === null) return undefined
  const record = error as { readonly code?: unknown; readonly cause?: unknown }
  return record.code ?? errorCode(record.cause)
}

/** Routing-config and template errors carry the file and the key to fix: say exactly that. */
const describeFileProblem = (error: unknown): string | undefined => {
  if (typeof error !== "object" || error === null) return undefined
  const e = error as { readonly path?: unknown; readonly key?: unknown; readonly message?: unknown; readonly detail?: unknown; readonly template_id?: unknown }
  if (typeof e.path !== "string" || typeof e.key !== "string") return undefined
  const where = [e.template_id, e.key].filter((part) => typeof part === "string" && part !== "").join(".")
  const what = typeof e.detail === "string" ? e.detail : String(e.message)
  return `${e.path}: ${where}: ${what}. Fix the file and start again.`
}
