import * as Resource from "@effect/opentelemetry/Resource"
import * as OtelTracer from "@effect/opentelemetry/Tracer"
import { AWSXRayIdGenerator } from "@opentelemetry/id-generator-aws-xray"
import { BasicTracerProvider, BatchSpanProcessor, type SpanExporter } from "@opentelemetry/sdk-trace-base"
import * as Config from "effect/Config"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as RedactingSpanExporter from "./RedactingSpanExporter.js"
import * as XRayUdpExporter from "./XRayUdpExporter.js"

export type ServiceName = "rp-mw-ingress" | "rp-mw-worker" | "rp-mw-ops"

// The SDK's basic provider, not NodeSdk's: no global registration, and the Lambda bundle carries neither the
// Node context manager nor the logs and metrics SDKs NodeSdk imports. Closing the runtime flushes and shuts down.
const tracerProvider = (exporter: SpanExporter) =>
  Layer.scoped(
    OtelTracer.OtelTracerProvider,
    Effect.flatMap(Resource.Resource, (resource) =>
      Effect.acquireRelease(
        Effect.sync(() =>
          new BasicTracerProvider({
            resource,
            idGenerator: new AWSXRayIdGenerator(),
            spanProcessors: [
              new BatchSpanProcessor(RedactingSpanExporter.make(exporter), {
                maxQueueSize: 4_096,
                maxExportBatchSize: 256,
                exportTimeoutMillis: 2_000
              })
            ]
          })
        ),
        (provider) =>
          Effect.promise(() => provider.forceFlush().then(() => provider.shutdown())).pipe(
            Effect.timeoutOption("2 seconds"),
            Effect.ignore
          )
      )
    )
  )

/**
 * Effect's spans as OpenTelemetry spans with X-Ray ids (the first 8 hex of a trace id are its start time, which
 * X-Ray requires), batched and exported through the redacting wrapper — no span leaves the process unredacted.
 * The batch is sent when the handler calls `flush` at the end of each invocation: Lambda freezes the sandbox
 * once the handler returns, and a timer-driven export would wait for the next invocation, or never run.
 */
export const layerExporter = (serviceName: ServiceName, exporter: SpanExporter) =>
  OtelTracer.layer.pipe(
    Layer.provideMerge(tracerProvider(exporter)),
    Layer.provideMerge(Resource.layer({ serviceName }))
  )

/**
 * Spans go to the X-Ray daemon when `AWS_XRAY_DAEMON_ADDRESS` is set (Lambda sets it under active tracing).
 * Without it there is no tracer provider at all: Effect's own tracer keeps span ids for logs and the queue's trace
 * header, and nothing is exported — the local runtime and the tests pay nothing.
 */
export const layer = (serviceName: ServiceName) =>
  Layer.unwrapEffect(
    Effect.gen(function* () {
      const address = yield* Config.option(Config.string("AWS_XRAY_DAEMON_ADDRESS"))
      if (Option.isNone(address)) return Layer.empty
      const parsed = XRayUdpExporter.parseDaemonAddress(address.value)
      if (Option.isNone(parsed)) {
        yield* Effect.logWarning("AWS_XRAY_DAEMON_ADDRESS is not host:port; spans are not exported", address.value)
        return Layer.empty
      }
      return layerExporter(serviceName, XRayUdpExporter.make(parsed.value))
    })
  )

interface Flushable {
  readonly forceFlush: () => Promise<void>
}
const isFlushable = (provider: object): provider is Flushable =>
  "forceFlush" in provider && typeof provider.forceFlush === "function"

/**
 * Exports every ended span now; a no-op without a tracer provider. Never fails: losing spans must not fail an
 * invocation, and a daemon that does not answer must not hold it past a second.
 */
export const flush: Effect.Effect<void> = Effect.serviceOption(OtelTracer.OtelTracerProvider).pipe(
  Effect.flatMap((provider) => {
    const target = Option.getOrUndefined(provider)
    return target !== undefined && isFlushable(target)
      ? Effect.tryPromise(() => target.forceFlush()).pipe(
        Effect.timeout("1 second"),
        Effect.catchAll((error) => Effect.logWarning("spans could not be flushed", error))
      )
      : Effect.void
  })
)
