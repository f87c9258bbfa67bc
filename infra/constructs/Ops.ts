import { Duration } from "aws-cdk-lib"
import * as events from "aws-cdk-lib/aws-events"
import * as targets from "aws-cdk-lib/aws-events-targets"
import { Construct } from "constructs"
import type { EnvironmentSettings } from "../environments.js"
import { grantSecretValues } from "./Functions.js"
import { LambdaFunction } from "./LambdaFunction.js"
import type { Queues } from "./Queues.js"
import type { SecretName, Secrets } from "./Secrets.js"

export interface OpsProps {
  readonly settings: EnvironmentSettings
  readonly queues: Queues
  readonly secrets: Secrets
  readonly commonEnvironment: Readonly<Record<string, string>>
}

const OPS_SECRETS: ReadonlyArray<SecretName> = ["RICHPANEL_API_KEY"]

/** The scheduled ops Lambda: DLQ depth report and the routing-tag drift check against Richpanel. */
export class Ops extends Construct {
  readonly ops: LambdaFunction
  readonly schedule: events.Rule

  constructor(scope: Construct, id: string, props: OpsProps) {
    super(scope, id)
    const { queues, secrets, settings } = props
    this.ops = new LambdaFunction(this, "Ops", {
      functionName: "rp-mw-ops",
      entry: "src/lambda/ops.ts",
      description: "Scheduled: DLQ depth metric, routing-tag drift check",
      memoryMb: 256,
      timeoutSeconds: 60,
      // One run at a time: a slow Richpanel must not stack overlapping scheduled runs.
      reservedConcurrency: 1,
      logRetentionDays: settings.logRetentionDays,
      retainData: settings.retainData,
      environment: {
        ...props.commonEnvironment,
        DLQ_URL: queues.deadLetters.queueUrl,
        EVENTS_QUEUE_URL: queues.events.queueUrl,
        ...secrets.arnEnvironment(OPS_SECRETS)
      }
    })
    queues.deadLetters.grant(this.ops.role, "sqs:GetQueueAttributes")
    queues.events.grant(this.ops.role, "sqs:GetQueueAttributes")
    grantSecretValues(this.ops.role, secrets, OPS_SECRETS)

    this.schedule = new events.Rule(this, "Schedule", {
      description: "Runs rp-mw-ops",
      schedule: events.Schedule.rate(Duration.minutes(settings.ops.scheduleMinutes)),
      // A missed run is replaced by the next one in minutes; retrying a stale run only adds load.
      targets: [new targets.LambdaFunction(this.ops.fn, { retryAttempts: 0 })]
    })
  }
}
