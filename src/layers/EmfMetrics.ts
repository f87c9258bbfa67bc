import * as Clock from "effect/Clock"
import * as Config from "effect/Config"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { CATALOGUE, type MetricPoint, Metrics } from "../services/Metrics.js"

/**
 * CloudWatch Embedded Metric Format on stdout: CloudWatch Logs turns each line into metric data, no PutMetricData
 * call, no client, no flush. One line per point, written when it happens: a point never waits in a buffer that a
 * timed-out or frozen invocation would lose, and each point keeps its own dimension values (a blob's dimensions are
 * shared by all its metrics, so batching would mean one blob per dimension set anyway). A handful of lines per
 * message costs far less than the log lines already written for it.
 */

/** Dimension values are enums; anything else (an id, text) is replaced rather than turned into a metric dimension. */
const SAFE_VALUE = /^[A-Za-z0-9_.:-]{1,64}$/
const safe = (value: string) => (SAFE_VALUE.test(value) ? value : "other")

/** The EMF document for one point, or undefined for a value CloudWatch would reject. */
export const emfLine = (namespace: string, timestamp: number, point: MetricPoint): string | undefined => {
  if (!Number.isFinite(point.value)) return undefined
  const names: ReadonlyArray<string> = CATALOGUE[point.name].dimensions
  const dimensions = Object.fromEntries(
    names.map((name) => [name, safe(point.dimensions[name] ?? "none")] as const)
  )
  return JSON.stringify({
    _aws: {
      Timestamp: timestamp,
      CloudWatchMetrics: [{ Namespace: namespace, Dimensions: [names], Metrics: [{ Name: point.name, Unit: point.unit }] }]
    },
    ...dimensions,
    [point.name]: point.value
  })
}

export const make = (namespace: string, write: (line: string) => void) =>
  Metrics.of({
    emit: (point) =>
      Effect.flatMap(Clock.currentTimeMillis, (now) =>
        Effect.sync(() => {
          const line = emfLine(namespace, now, point)
          if (line !== undefined) write(line)
        })
      )
  })

/** `MW_METRICS_NAMESPACE` (the stack sets `rp-mw/<env>`), default `rp-mw`. */
export const layer = Layer.effect(
  Metrics,
  Effect.map(Config.string("MW_METRICS_NAMESPACE").pipe(Config.withDefault("rp-mw")), (namespace) =>
    make(namespace, (line) => process.stdout.write(line + "\n"))
  )
)
