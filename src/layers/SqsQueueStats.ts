import {
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  type SQSClient,
  StartMessageMoveTaskCommand
} from "@aws-sdk/client-sqs"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { QueueStats, QueueStatsFailed } from "../services/QueueStats.js"
import { sqsClient } from "./SqsClient.js"

type Operation = QueueStatsFailed["operation"]

const call = <A>(operation: Operation, queue: string, send: (signal: AbortSignal) => Promise<A>) =>
  Effect.tryPromise({
    try: send,
    catch: (cause) =>
      new QueueStatsFailed({
        operation,
        queue,
        code: cause instanceof Error ? cause.name : "Error",
        reason: cause instanceof Error ? cause.message : String(cause)
      })
  }).pipe(Effect.withSpan(`QueueStats.${operation}`))

const count = (value: string | undefined) => {
  const n = Number(value ?? "0")
  return Number.isFinite(n) ? n : 0
}

export const make = (client: SQSClient) =>
  QueueStats.of({
    depth: (queueUrl) =>
      call("GetQueueAttributes", queueUrl, (abortSignal) =>
        client.send(
          new GetQueueAttributesCommand({
            QueueUrl: queueUrl,
            AttributeNames: ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"]
          }),
          { abortSignal }
        )).pipe(Effect.map(({ Attributes: a = {} }) => ({
          visible: count(a.ApproximateNumberOfMessages),
          inFlight: count(a.ApproximateNumberOfMessagesNotVisible)
        }))),
    arn: (queueUrl) =>
      call("GetQueueAttributes", queueUrl, (abortSignal) =>
        client.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ["QueueArn"] }), { abortSignal })).pipe(
          Effect.flatMap(({ Attributes }) =>
            Attributes?.QueueArn === undefined
              ? new QueueStatsFailed({ operation: "GetQueueAttributes", queue: queueUrl, code: "NoQueueArn", reason: "the answer has no QueueArn" })
              : Effect.succeed(Attributes.QueueArn)
          )
        ),
    urlOf: (queueName) =>
      call("GetQueueUrl", queueName, (abortSignal) => client.send(new GetQueueUrlCommand({ QueueName: queueName }), { abortSignal })).pipe(
        Effect.flatMap(({ QueueUrl }) =>
          QueueUrl === undefined
            ? new QueueStatsFailed({ operation: "GetQueueUrl", queue: queueName, code: "NoQueueUrl", reason: "the answer has no QueueUrl" })
            : Effect.succeed(QueueUrl)
        )
      ),
    startRedrive: (sourceArn, destinationArn) =>
      call("StartMessageMoveTask", sourceArn, (abortSignal) =>
        client.send(
          new StartMessageMoveTaskCommand({
            SourceArn: sourceArn,
            ...(destinationArn === undefined ? {} : { DestinationArn: destinationArn })
          }),
          { abortSignal }
        )).pipe(Effect.map(({ TaskHandle }) => TaskHandle ?? ""))
  })

/** On the shared scoped SQS client (`AWS_REGION`, `SQS_ENDPOINT` for tests). */
export const layer = Layer.scoped(QueueStats, Effect.map(sqsClient, make))
