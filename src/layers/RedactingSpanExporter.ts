import type { Attributes } from "@opentelemetry/api"
import type { ReadableSpan, SpanExporter } from "@opentelemetry/sdk-trace-base"
import { redact, redactValue } from "../domain/redact.js"

/**
 * Every span passes through `redact` on its way out, whatever put text into it: an exception message echoing an
 * email, a log line recorded as a span event, a request header on the local HTTP server's span. Spans are copied,
 * never modified, so other processors see them as they were.
 */
const attributes = (value: Attributes): Attributes => redactValue(value) as Attributes

export const redactSpan = (span: ReadableSpan): ReadableSpan => ({
  name: redact(span.name),
  kind: span.kind,
  spanContext: () => span.spanContext(),
  ...(span.parentSpanContext === undefined ? {} : { parentSpanContext: span.parentSpanContext }),
  startTime: span.startTime,
  endTime: span.endTime,
  duration: span.duration,
  ended: span.ended,
  status: span.status.message === undefined ? span.status : { ...span.status, message: redact(span.status.message) },
  attributes: attributes(span.attributes),
  links: span.links.map((link) => (link.attributes === undefined ? link : { ...link, attributes: attributes(link.attributes) })),
  events: span.events.map((event) => ({
    ...event,
    name: redact(event.name),
    ...(event.attributes === undefined ? {} : { attributes: attributes(event.attributes) })
  })),
  resource: span.resource,
  instrumentationScope: span.instrumentationScope,
  droppedAttributesCount: span.droppedAttributesCount,
  droppedEventsCount: span.droppedEventsCount,
  droppedLinksCount: span.droppedLinksCount
})

export const make = (inner: SpanExporter): SpanExporter => ({
  export: (spans, done) => inner.export(spans.map(redactSpan), done),
  shutdown: () => inner.shutdown(),
  forceFlush: () => inner.forceFlush?.() ?? Promise.resolve()
})
