import * as cloudwatch from "aws-cdk-lib/aws-cloudwatch"
import type * as lambda from "aws-cdk-lib/aws-lambda"
import { Construct } from "constructs"
import { DOWNSTREAMS, emfMetric, FIVE_MINUTES, searchAll } from "./Metrics.js"
import type { Queues } from "./Queues.js"

export interface DashboardProps {
  readonly dashboardName: string
  readonly metricsNamespace: string
  readonly ingress: lambda.IFunction
  readonly worker: lambda.IFunction
  readonly queues: Queues
}

const graph = (title: string, left: Array<cloudwatch.IMetric>, right: Array<cloudwatch.IMetric> = [], width = 8) =>
  new cloudwatch.GraphWidget({ title, left, right, width, height: 6 })

/** One page for the on-call: traffic, queue health, decisions, downstream health, latency and LLM cost. */
export class Dashboard extends Construct {
  readonly dashboard: cloudwatch.Dashboard

  constructor(scope: Construct, id: string, props: DashboardProps) {
    super(scope, id)
    const ns = props.metricsNamespace
    const lambdaWidgets = (name: string, fn: lambda.IFunction) => [
      graph(`${name} invocations / errors`, [fn.metricInvocations({ period: FIVE_MINUTES })], [
        fn.metricErrors({ period: FIVE_MINUTES }),
        fn.metricThrottles({ period: FIVE_MINUTES })
      ], 6),
      graph(`${name} duration`, [
        fn.metricDuration({ period: FIVE_MINUTES, statistic: cloudwatch.Stats.p(50) }),
        fn.metricDuration({ period: FIVE_MINUTES, statistic: cloudwatch.Stats.p(99) })
      ], [], 6)
    ]
    const perDownstream = (metricName: "DownstreamCalls" | "DownstreamErrors" | "DownstreamThrottled", suffix = "") =>
      DOWNSTREAMS.map((downstream) =>
        emfMetric(ns, metricName, { dimensions: { Downstream: downstream }, label: `${downstream}${suffix}` })
      )

    this.dashboard = new cloudwatch.Dashboard(this, "Dashboard", {
      dashboardName: props.dashboardName,
      widgets: [
        [...lambdaWidgets("Ingress", props.ingress), ...lambdaWidgets("Worker", props.worker)],
        [
          graph(
            "Queue depth / oldest message (s)",
            [
              props.queues.events.metricApproximateNumberOfMessagesVisible({ period: FIVE_MINUTES, statistic: "Maximum" }),
              props.queues.events.metricApproximateNumberOfMessagesNotVisible({ period: FIVE_MINUTES, statistic: "Maximum" })
            ],
            [props.queues.events.metricApproximateAgeOfOldestMessage({ period: FIVE_MINUTES, statistic: "Maximum" })]
          ),
          graph("DLQ depth", [
            props.queues.deadLetters.metricApproximateNumberOfMessagesVisible({ period: FIVE_MINUTES, statistic: "Maximum" })
          ]),
          graph("Downstream calls", perDownstream("DownstreamCalls"))
        ],
        [
          graph("Decisions by intent / outcome", [searchAll(ns, "Decisions", ["Intent", "Outcome"])]),
          graph("Fallbacks by reason", [searchAll(ns, "Fallbacks", ["Reason"])]),
          graph(
            "Downstream errors / throttled (right)",
            perDownstream("DownstreamErrors", " errors"),
            perDownstream("DownstreamThrottled", " throttled")
          )
        ],
        [
          graph("Ack / processing latency p99 (ms)", [emfMetric(ns, "AckLatency", { statistic: cloudwatch.Stats.p(99) })], [
            emfMetric(ns, "ProcessingLatency", { statistic: cloudwatch.Stats.p(99) })
          ]),
          graph(
            "LLM tokens",
            ["input", "output"].map((kind) => emfMetric(ns, "LlmTokens", { dimensions: { Kind: kind }, label: kind }))
          ),
          graph("Ops checks: DLQ depth / missing routing tags", [
            emfMetric(ns, "DlqDepth", { statistic: cloudwatch.Stats.MAXIMUM }),
            emfMetric(ns, "MissingRoutingTags", { statistic: cloudwatch.Stats.MAXIMUM })
          ])
        ]
      ]
    })
  }
}
