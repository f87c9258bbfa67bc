import { type App, Validations } from "aws-cdk-lib"
import { AwsSolutionsChecks, ServerlessChecks } from "cdk-nag"
import type { IConstruct } from "constructs"
import type { LambdaFunction } from "./constructs/LambdaFunction.js"
import type { RpMwStack } from "./RpMwStack.js"

/** cdk-nag 3.x as a policy-validation plugin: any unacknowledged finding makes synth throw. */
export const addNagChecks = (app: App): void => {
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new ServerlessChecks(app))
}

const acknowledge = (scope: IConstruct, id: string, reason: string) => Validations.of(scope).acknowledge({ id, reason })

/** What every function of this stack shares: the pinned runtime and the X-Ray write grant. */
const acknowledgeFunction = (lambda: LambdaFunction) => {
  const runtime =
    "nodejs22.x is pinned on purpose: it is the Node the code is built (esbuild target node22) and tested with " +
    "(the node@22 devDependency); moving to a newer runtime is a deliberate change of toolchain and tests together."
  acknowledge(lambda.fn, "AwsSolutions::AwsSolutions-L1", runtime)
  acknowledge(lambda.fn, "Serverless::Serverless-LambdaLatestVersion", runtime)
  // Narrowed to the role: the only `Resource: *` statement there is X-Ray's (the tests assert that no
  // sqs/dynamodb/secretsmanager statement has a wildcard action or resource).
  acknowledge(
    lambda.role,
    "AwsSolutions::AwsSolutions-IAM5[Resource::*]",
    "Only xray:PutTraceSegments and xray:PutTelemetryRecords (added by active tracing) use Resource '*': X-Ray has " +
      "no resource-level permissions for them. Every data-service grant names its queue, table or secret ARN."
  )
}

/** Findings we accept, each on the narrowest construct, each with the reason it is right for this system. */
export const acknowledgeFindings = (stack: RpMwStack): void => {
  const { ingress, worker } = stack.functions
  const ops = stack.ops.ops
  for (const lambda of [ingress, worker, ops]) acknowledgeFunction(lambda)

  acknowledge(
    ingress.fn,
    "Serverless::Serverless-LambdaDLQ",
    "API Gateway invokes ingress synchronously; a function DLQ only receives failed asynchronous invocations. " +
      "A failed webhook is answered 5xx and Richpanel's HTTP target delivers it again."
  )
  acknowledge(
    worker.fn,
    "Serverless::Serverless-LambdaDLQ",
    "The SQS event source mapping invokes the worker synchronously; failed records go to the queue's own FIFO DLQ " +
      "(rp-mw-events-dlq.fifo after maxReceiveCount receives), which is alarmed."
  )
  acknowledge(
    worker.fn,
    "Serverless::Serverless-LambdaEventSourceMappingDestination",
    "On-failure destinations exist for stream and Kafka event sources only; for SQS the failure destination is the " +
      "source queue's redrive policy (FIFO DLQ, maxReceiveCount 5), which this stack sets and alarms on."
  )
  acknowledge(
    ops.fn,
    "Serverless::Serverless-LambdaDLQ",
    "The ops run is an empty scheduled tick with nothing to replay: a failed run is logged, counted in the " +
      "function's Errors metric and superseded by the next run a few minutes later."
  )
  acknowledge(
    stack.ops.schedule,
    "Serverless::Serverless-EventBusDLQ",
    "The schedule's events carry no data; an undelivered tick is superseded by the next one, so a DLQ would only " +
      "collect empty events nobody needs to replay (retries are off for the same reason)."
  )
  acknowledge(
    stack.queues.deadLetters,
    "Serverless::Serverless-SQSRedrivePolicy",
    "This is the terminal dead-letter queue of rp-mw-events.fifo: messages wait here (14 days, alarmed when > 0) " +
      "for an operator to inspect and redrive them; a DLQ of the DLQ would only hide them further."
  )
  acknowledge(
    stack.api.httpApi,
    "AwsSolutions::AwsSolutions-APIG4",
    "Richpanel's HTTP target can only send a static shared token (x-webhook-token header or ?token=); it cannot " +
      "sign requests or obtain JWTs. Ingress compares the token (from Secrets Manager) in constant time before any " +
      "other work and answers 401 otherwise; stage throttling bounds abuse. A Lambda authorizer would add a second " +
      "invocation to the acknowledgement path for the same check. (WAF is not available on HTTP APIs.)"
  )
  // Only present with `-c alarmEmail=…`; acknowledged on the topic, which owns the subscription.
  acknowledge(
    stack.alarms.topic,
    "Serverless::Serverless-SNSRedrivePolicy",
    "The e-mail subscription only notifies: the alarm's state and history stay in CloudWatch whether or not the " +
      "e-mail is delivered, so a DLQ of undelivered notifications would hold nothing that is not already there."
  )
  for (const secret of Object.values(stack.secrets.byName)) {
    acknowledge(
      secret,
      "AwsSolutions::AwsSolutions-SMG4",
      "Values issued outside AWS: vendor API keys are created and revoked in the Richpanel, OpenAI and Shopify " +
        "consoles, and the webhook token must change in the Richpanel rule at the same moment. Rotation is a manual " +
        "runbook step (put-secret-value, then update the function configuration so containers re-read it)."
    )
  }
}
