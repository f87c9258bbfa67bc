import { Duration } from "aws-cdk-lib"
import * as cloudwatch from "aws-cdk-lib/aws-cloudwatch"
import type { Downstream } from "../../src/services/Downstream.js"
import type { MetricName } from "../../src/services/Metrics.js"

/**
 * Downstream dimension values of the EMF catalogue. Typed against the code's own types (src/services), so a renamed
 * metric or downstream breaks `tsc` here instead of leaving an alarm watching a metric nobody emits.
 */
const downstreamSet: Record<Downstream, true> = { richpanel: true, openai: true, shopify: true }
export const DOWNSTREAMS = Object.keys(downstreamSet) as ReadonlyArray<Downstream>
export type DownstreamName = Downstream

export const FIVE_MINUTES = Duration.minutes(5)

/** A metric the code emits through EMF into `namespace` (names and dimensions are the shared contract). */
export const emfMetric = (
  namespace: string,
  metricName: MetricName,
  options: { readonly dimensions?: Record<string, string>; readonly statistic?: string; readonly label?: string } = {}
) =>
  new cloudwatch.Metric({
    namespace,
    metricName,
    ...(options.dimensions === undefined ? {} : { dimensionsMap: options.dimensions }),
    statistic: options.statistic ?? cloudwatch.Stats.SUM,
    period: FIVE_MINUTES,
    ...(options.label === undefined ? {} : { label: options.label })
  })

/** Share of a downstream's calls that came back 429 / THROTTLED, percent; 0 when there were no calls. */
export const throttledPercent = (namespace: string, downstream: DownstreamName) =>
  new cloudwatch.MathExpression({
    expression: "IF(calls > 0, 100 * FILL(throttled, 0) / calls, 0)",
    usingMetrics: {
      throttled: emfMetric(namespace, "DownstreamThrottled", { dimensions: { Downstream: downstream } }),
      calls: emfMetric(namespace, "DownstreamCalls", { dimensions: { Downstream: downstream } })
    },
    label: `${downstream} throttled %`,
    period: FIVE_MINUTES
  })

/** Every series of `metricName` in the namespace, whatever its dimension values (e.g. all intents). */
export const searchAll = (namespace: string, metricName: MetricName, dimensions: ReadonlyArray<string>, statistic = "Sum") =>
  new cloudwatch.MathExpression({
    expression: `SEARCH('{"${namespace}",${dimensions.join(",")}} MetricName="${metricName}"', '${statistic}', 300)`,
    usingMetrics: {},
    label: metricName,
    period: FIVE_MINUTES
  })
