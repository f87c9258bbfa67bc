import { type AttributeValue, type HrTime, isSpanContextValid, SpanStatusCode } from "@opentelemetry/api"
import type { ReadableSpan } from "@opentelemetry/sdk-trace-base"
import { randomBytes } from "node:crypto"

/**
 * One ended OpenTelemetry span as an X-Ray segment document (docs: "AWS X-Ray segment documents"), sent on its own
 * to the daemon: a span with a parent — local, or remote from a trace header — is an independent subsegment
 * (`type`, `parent_id`, `trace_id`), a span without one is a segment named after the service.
 */

/** The daemon's header line; a document must stay under 64 KB, header included. */
export const DAEMON_HEADER = '{"format":"json","version":1}\n'
const MAX_DATAGRAM_BYTES = 64_000
const MAX_ANNOTATIONS = 20

/** OTel's 32-hex trace id → `1-<8 hex epoch seconds>-<24 hex>` (the X-Ray id generator makes the first 8 a time). */
export const xrayTraceId = (traceId: string) => `1-${traceId.slice(0, 8)}-${traceId.slice(8)}`

const seconds = ([s, ns]: HrTime) => s + ns / 1e9

// Names allow letters, numbers, white space and `_ . : / % & # = + \ - @`, up to 200 characters.
const segmentName = (name: string) => name.replace(/[^\p{L}\p{N}\s_.:/%&#=+\\@-]/gu, "_").slice(0, 200) || "span"
// Annotation keys: alphanumerics and underscore only, or X-Ray drops them.
const annotationKey = (key: string) => key.replace(/[^A-Za-z0-9_]/g, "_").slice(0, 250)

const isPrimitive = (value: AttributeValue | undefined): value is string | number | boolean =>
  typeof value === "string" || typeof value === "number" || typeof value === "boolean"

const exceptions = (span: ReadableSpan) => {
  const recorded = span.events
    .filter((event) => event.name === "exception")
    .map((event) => ({
      id: randomBytes(8).toString("hex"),
      type: String(event.attributes?.["exception.type"] ?? "Error").slice(0, 250),
      message: String(event.attributes?.["exception.message"] ?? span.status.message ?? "").slice(0, 1_000)
    }))
  return recorded.length > 0
    ? recorded
    : [{ id: randomBytes(8).toString("hex"), type: "Error", message: (span.status.message ?? "").slice(0, 1_000) }]
}

export const toSegment = (span: ReadableSpan): Record<string, unknown> => {
  const context = span.spanContext()
  const parent = span.parentSpanContext !== undefined && isSpanContextValid(span.parentSpanContext)
    ? span.parentSpanContext
    : undefined
  const service = String(span.resource.attributes["service.name"] ?? "rp-mw")
  const annotations: Record<string, string | number | boolean> = {}
  const other: Record<string, AttributeValue> = {}
  for (const [key, value] of Object.entries(span.attributes)) {
    if (value === undefined) continue
    if (isPrimitive(value) && Object.keys(annotations).length < MAX_ANNOTATIONS) {
      annotations[annotationKey(key)] = typeof value === "string" ? value.slice(0, 250) : value
    } else other[key] = value
  }
  const failed = span.status.code === SpanStatusCode.ERROR
  return {
    name: segmentName(parent === undefined ? service : span.name),
    id: context.spanId,
    trace_id: xrayTraceId(context.traceId),
    start_time: seconds(span.startTime),
    end_time: seconds(span.endTime),
    ...(parent === undefined ? {} : { type: "subsegment", parent_id: parent.spanId }),
    ...(Object.keys(annotations).length === 0 ? {} : { annotations }),
    metadata: {
      otel: {
        span_name: span.name,
        service,
        attributes: other,
        events: span.events.map((event) => ({ name: event.name, time: seconds(event.time), attributes: event.attributes ?? {} }))
      }
    },
    ...(failed ? { fault: true, cause: { exceptions: exceptions(span) } } : {})
  }
}

/** The datagram for one span: header + document, shedding metadata (events first) until it fits. */
export const toDatagram = (span: ReadableSpan): string => {
  const segment = toSegment(span)
  const fits = (doc: Record<string, unknown>) => Buffer.byteLength(DAEMON_HEADER + JSON.stringify(doc)) < MAX_DATAGRAM_BYTES
  if (fits(segment)) return DAEMON_HEADER + JSON.stringify(segment)
  const otel = (segment["metadata"] as { otel: Record<string, unknown> }).otel
  const lighter = { ...segment, metadata: { otel: { ...otel, events: [], truncated: true } } }
  if (fits(lighter)) return DAEMON_HEADER + JSON.stringify(lighter)
  const { metadata: _dropped, ...bare } = segment
  return DAEMON_HEADER + JSON.stringify(bare)
}
