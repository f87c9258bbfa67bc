import { Duration, Stack } from "aws-cdk-lib"
import * as sqs from "aws-cdk-lib/aws-sqs"
import { Construct } from "constructs"

export interface QueuesProps {
  readonly visibilityTimeoutSeconds: number
  readonly maxReceiveCount: number
  readonly retentionDays: number
  readonly dlqRetentionDays: number
}

/**
 * The FIFO event queue (group = conversation id, dedup = event id set explicitly by ingress) and its FIFO DLQ.
 * Content-based dedup is off: it hashes the body only, and a re-serialised retry must still dedup on the id.
 */
export class Queues extends Construct {
  readonly events: sqs.Queue
  readonly deadLetters: sqs.Queue

  constructor(scope: Construct, id: string, props: QueuesProps) {
    super(scope, id)
    const eventsQueueName = "rp-mw-events.fifo"
    // The ARN from the name, not from the queue: the queue's redrive policy already depends on the DLQ.
    const eventsQueueArn = Stack.of(this).formatArn({ service: "sqs", resource: eventsQueueName })
    this.deadLetters = new sqs.Queue(this, "DeadLetters", {
      queueName: "rp-mw-events-dlq.fifo",
      fifo: true,
      contentBasedDeduplication: false,
      retentionPeriod: Duration.days(props.dlqRetentionDays),
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      // Only the event queue may dead-letter into it.
      redriveAllowPolicy: {
        redrivePermission: sqs.RedrivePermission.BY_QUEUE,
        sourceQueues: [sqs.Queue.fromQueueArn(this, "EventsByArn", eventsQueueArn)]
      }
    })
    this.events = new sqs.Queue(this, "Events", {
      queueName: eventsQueueName,
      fifo: true,
      contentBasedDeduplication: false,
      visibilityTimeout: Duration.seconds(props.visibilityTimeoutSeconds),
      retentionPeriod: Duration.days(props.retentionDays),
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      deadLetterQueue: { queue: this.deadLetters, maxReceiveCount: props.maxReceiveCount }
    })
  }
}
