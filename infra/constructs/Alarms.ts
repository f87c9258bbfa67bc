import { Duration } from "aws-cdk-lib"
import * as cloudwatch from "aws-cdk-lib/aws-cloudwatch"
import * as actions from "aws-cdk-lib/aws-cloudwatch-actions"
import type * as lambda from "aws-cdk-lib/aws-lambda"
import * as sns from "aws-cdk-lib/aws-sns"
import * as subscriptions from "aws-cdk-lib/aws-sns-subscriptions"
import { Construct } from "constructs"
import type { EnvironmentSettings } from "../environments.js"
import { DOWNSTREAMS, FIVE_MINUTES, throttledPercent } from "./Metrics.js"
import type { Queues } from "./Queues.js"

export interface AlarmsProps {
  readonly settings: EnvironmentSettings
  readonly queues: Queues
  readonly worker: lambda.IFunction
  readonly metricsNamespace: string
}

/**
 * Seed 000 §1.5 / DESIGN §5 alarms: DLQ depth > 0, oldest message age, worker errors, 429 rate per downstream.
 * All notify one SNS topic; the e-mail subscription is optional (`-c alarmEmail=…`), others can subscribe later.
 */
export class Alarms extends Construct {
  readonly topic: sns.Topic
  readonly dlqDepth: cloudwatch.Alarm
  readonly oldestMessageAge: cloudwatch.Alarm
  readonly workerErrors: cloudwatch.Alarm
  readonly throttled: ReadonlyArray<cloudwatch.Alarm>

  constructor(scope: Construct, id: string, props: AlarmsProps) {
    super(scope, id)
    const { alarms } = props.settings
    this.topic = new sns.Topic(this, "Topic", { displayName: `rp-mw ${props.settings.name} alarms`, enforceSSL: true })
    if (alarms.email !== undefined) this.topic.addSubscription(new subscriptions.EmailSubscription(alarms.email))
    const notify = new actions.SnsAction(this.topic)
    // The environment in the name: alarm e-mails from three accounts land in one inbox.
    const prefix = `rp-mw-${props.settings.name}`
    const alarm = (alarmId: string, options: cloudwatch.AlarmProps) => {
      const created = new cloudwatch.Alarm(this, alarmId, options)
      created.addAlarmAction(notify)
      created.addOkAction(notify)
      return created
    }

    // Every DLQ message is an event that reached no terminal outcome by itself (invariant 1).
    this.dlqDepth = alarm("DlqDepth", {
      alarmName: `${prefix}-dlq-not-empty`,
      alarmDescription: "Messages in rp-mw-events-dlq.fifo: inspect with the CLI, fix, redrive",
      metric: props.queues.deadLetters.metricApproximateNumberOfMessagesVisible({
        period: Duration.minutes(1),
        statistic: cloudwatch.Stats.MAXIMUM
      }),
      threshold: 0,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING
    })
    this.oldestMessageAge = alarm("OldestMessageAge", {
      alarmName: `${prefix}-queue-oldest-message-age`,
      alarmDescription: "The FIFO queue is not draining (outage back-off, a stuck group, or too little concurrency)",
      metric: props.queues.events.metricApproximateAgeOfOldestMessage({
        period: FIVE_MINUTES,
        statistic: cloudwatch.Stats.MAXIMUM
      }),
      threshold: alarms.oldestMessageAgeSeconds,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING
    })
    this.workerErrors = alarm("WorkerErrors", {
      alarmName: `${prefix}-worker-errors`,
      alarmDescription: "Worker invocations failed as a whole (crash, init failure, timeout), not single records",
      metric: props.worker.metricErrors({ period: FIVE_MINUTES, statistic: cloudwatch.Stats.SUM }),
      threshold: alarms.workerErrors,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING
    })
    this.throttled = DOWNSTREAMS.map((downstream) =>
      alarm(`Throttled-${downstream}`, {
        alarmName: `${prefix}-${downstream}-throttled-rate`,
        alarmDescription: `More than ${alarms.throttledPercent}% of ${downstream} calls answered 429 / THROTTLED`,
        metric: throttledPercent(props.metricsNamespace, downstream),
        threshold: alarms.throttledPercent,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING
      })
    )
  }
}
