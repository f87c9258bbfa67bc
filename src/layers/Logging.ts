import * as Cause from "effect/Cause"
import * as Context from "effect/Context"
import * as FiberRef from "effect/FiberRef"
import * as FiberRefs from "effect/FiberRefs"
import * as HashMap from "effect/HashMap"
import * as List from "effect/List"
import * as Logger from "effect/Logger"
import * as Option from "effect/Option"
import * as Tracer from "effect/Tracer"
import { redact, redactValue } from "../domain/redact.js"

const messageText = (message: unknown): string => {
  const parts = Array.isArray(message) ? message : [message]
  return parts.map((part) => (typeof part === "string" ? part : safeStringify(part))).join(" ")
}

const safeStringify = (value: unknown): string => {
  try {
    return JSON.stringify(redactValue(value)) ?? String(value)
  } catch {
    return "[unserialisable]"
  }
}

/**
 * The trace a log line belongs to, in X-Ray's form (`1-<8 hex>-<24 hex>`) when the id is a 32-hex OpenTelemetry one,
 * so CloudWatch Logs Insights can go from a line to its trace and back.
 */
const traceIdOf = (context: FiberRefs.FiberRefs): string | undefined => {
  const span = Context.getOption(FiberRefs.getOrDefault(context, FiberRef.currentContext), Tracer.ParentSpan)
  if (Option.isNone(span)) return undefined
  const id = span.value.traceId
  return /^[0-9a-f]{32}$/.test(id) ? `1-${id.slice(0, 8)}-${id.slice(8)}` : id
}

/**
 * One JSON object per line, every string passed through `redact` and every annotation through `redactValue`,
 * so neither a careless message nor an annotated object can put PII or a secret into CloudWatch.
 */
export const makeJsonLogger = (write: (line: string) => void) =>
  Logger.make(({ annotations, cause, context, date, logLevel, message, spans }) => {
    const entry: Record<string, unknown> = {
      time: date.toISOString(),
      level: logLevel.label,
      message: redact(messageText(message))
    }
    for (const [key, value] of HashMap.toEntries(annotations)) entry[key] = redactValue(value)
    const spanNames = List.toArray(spans).map((span) => span.label)
    if (spanNames.length > 0) entry["spans"] = spanNames
    const traceId = traceIdOf(context)
    if (traceId !== undefined) entry["trace_id"] = traceId
    if (!Cause.isEmpty(cause)) entry["cause"] = redact(Cause.pretty(cause, { renderErrorCause: true }))
    write(JSON.stringify(entry))
  })

/** Replaces Effect's default logger with the redacting JSON logger writing to stdout. */
export const layer = Logger.replace(Logger.defaultLogger, makeJsonLogger((line) => process.stdout.write(line + "\n")))
