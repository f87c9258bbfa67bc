import * as OtelTracer from "@effect/opentelemetry/Tracer"
import * as OtelApi from "@opentelemetry/api"
import { AWSXRAY_TRACE_ID_HEADER, AWSXRayPropagator } from "@opentelemetry/propagator-aws-xray"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"

/**
 * The X-Ray trace header (`Root=1-…;Parent=…;Sampled=1`) in both directions, through the OpenTelemetry X-Ray
 * propagator: read from Lambda's `_X_AMZN_TRACE_ID` or a record's `AWSTraceHeader`, written from the current span
 * for the SQS message. Works with Effect's own tracer too (the local runtime), since only ids are involved.
 */
const propagator = new AWSXRayPropagator()

export const parseTraceHeader = (header: string): Option.Option<OtelApi.SpanContext> => {
  const context = propagator.extract(OtelApi.ROOT_CONTEXT, { [AWSXRAY_TRACE_ID_HEADER]: header }, OtelApi.defaultTextMapGetter)
  return Option.fromNullable(OtelApi.trace.getSpanContext(context)).pipe(Option.filter(OtelApi.isSpanContextValid))
}

export const formatTraceHeader = (span: { readonly traceId: string; readonly spanId: string; readonly sampled: boolean }) => {
  const carrier: Record<string, string> = {}
  const spanContext = {
    traceId: span.traceId,
    spanId: span.spanId,
    traceFlags: span.sampled ? OtelApi.TraceFlags.SAMPLED : OtelApi.TraceFlags.NONE
  }
  propagator.inject(OtelApi.trace.setSpanContext(OtelApi.ROOT_CONTEXT, spanContext), carrier, OtelApi.defaultTextMapSetter)
  return Option.fromNullable(carrier[AWSXRAY_TRACE_ID_HEADER])
}

/** The header naming the current span as the parent: what the worker continues the trace from. */
export const currentTraceHeader: Effect.Effect<Option.Option<string>> = Effect.currentSpan.pipe(
  Effect.map(formatTraceHeader),
  Effect.orElseSucceed(() => Option.none())
)

/** Runs `self` as a child of the span a trace header names; unchanged without a (valid) header. */
export const withParentFromHeader = (header: string | undefined) => <A, E, R>(self: Effect.Effect<A, E, R>) =>
  Option.match(header === undefined ? Option.none() : parseTraceHeader(header), {
    onNone: () => self,
    onSome: (spanContext) => OtelTracer.withSpanContext(self, spanContext) as Effect.Effect<A, E, R>
  })
