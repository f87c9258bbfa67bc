import * as Cause from "effect/Cause"
import * as HashMap from "effect/HashMap"
import * as List from "effect/List"
import * as Logger from "effect/Logger"
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
 * One JSON object per line, every string passed through `redact` and every annotation through `redactValue`,
 * so neither a careless message nor an annotated object can put PII or a secret into CloudWatch.
 */
export const makeJsonLogger = (write: (line: string) => void) =>
  Logger.make(({ annotations, cause, date, logLevel, message, spans }) => {
    const entry: Record<string, unknown> = {
      time: date.toISOString(),
      level: logLevel.label,
      message: redact(messageText(message))
    }
    for (const [key, value] of HashMap.toEntries(annotations)) entry[key] = redactValue(value)
    const spanNames = List.toArray(spans).map((span) => span.label)
    if (spanNames.length > 0) entry["spans"] = spanNames
    if (!Cause.isEmpty(cause)) entry["cause"] = redact(Cause.pretty(cause, { renderErrorCause: true }))
    write(JSON.stringify(entry))
  })

/** Replaces Effect's default logger with the redacting JSON logger writing to stdout. */
export const layer = Logger.replace(Logger.defaultLogger, makeJsonLogger((line) => process.stdout.write(line + "\n")))
