import type { ReadableSpan, SpanExporter } from "@opentelemetry/sdk-trace-base"

/** A span exporter that keeps what it is given (after the redacting wrapper), for assertions. */
export const collectingExporter = () => {
  const spans: Array<ReadableSpan> = []
  let exports = 0
  const exporter: SpanExporter = {
    export: (batch, done) => {
      exports++
      spans.push(...batch)
      done({ code: 0 })
    },
    shutdown: () => Promise.resolve()
  }
  return { exporter, spans, exportCalls: () => exports }
}

export const byName = (spans: ReadonlyArray<ReadableSpan>, name: string) => spans.filter((span) => span.name === name)

export const one = (spans: ReadonlyArray<ReadableSpan>, name: string): ReadableSpan => {
  const found = byName(spans, name)
  if (found.length !== 1) throw new Error(`expected one span ${name}, got ${found.length}: ${spans.map((s) => s.name).join(", ")}`)
  return found[0] as ReadableSpan
}

/** `name` lines indented under their parent, for reading a trace in a failure message or a report. */
export const tree = (spans: ReadonlyArray<ReadableSpan>): string => {
  const ids = new Set(spans.map((span) => span.spanContext().spanId))
  const children = new Map<string | undefined, Array<ReadableSpan>>()
  for (const span of spans) {
    const parent = span.parentSpanContext?.spanId
    const key = parent !== undefined && ids.has(parent) ? parent : undefined
    children.set(key, [...(children.get(key) ?? []), span])
  }
  const lines: Array<string> = []
  const walk = (parent: string | undefined, depth: number) => {
    for (const span of (children.get(parent) ?? []).sort((a, b) => a.startTime[0] - b.startTime[0] || a.startTime[1] - b.startTime[1])) {
      const remote = depth === 0 && span.parentSpanContext !== undefined ? ` (parent ${span.parentSpanContext.spanId}, remote)` : ""
      lines.push(`${"  ".repeat(depth)}${span.name}${remote}`)
      walk(span.spanContext().spanId, depth + 1)
    }
  }
  walk(undefined, 0)
  return lines.join("\n")
}
