import { awsError, type FakeAwsJson, startFakeAwsJson } from "../support/fakeAwsJson.js"

/** A queue as the fake SQS knows it. */
export interface FakeQueue {
  readonly name: string
  visible: number
  inFlight: number
}

export const ACCOUNT = "123456789012"
export const queueUrl = (name: string) => `https://sqs.us-east-2.amazonaws.com/${ACCOUNT}/${name}`
export const queueArn = (name: string) => `arn:aws:sqs:us-east-2:${ACCOUNT}:${name}`

const notFound = () =>
  awsError("com.amazonaws.sqs#QueueDoesNotExist", "The specified queue does not exist.", {
    "x-amzn-query-error": "AWS.SimpleQueueService.NonExistentQueue;Sender"
  })

export interface FakeSqs extends FakeAwsJson {
  readonly queues: Map<string, FakeQueue>
  readonly moveTasks: Array<{ readonly source: string; readonly destination: string | undefined }>
  /** Operations answered with AccessDenied, as for a role that lacks the permission. */
  readonly denied: Set<string>
}

/**
 * SQS's JSON protocol (`X-Amz-Target: AmazonSQS.<Operation>`) for the operations the ops code uses:
 * GetQueueAttributes (depth, QueueArn), GetQueueUrl and StartMessageMoveTask (which empties the DLQ at once).
 */
export const startFakeSqs = async (names: ReadonlyArray<string>): Promise<FakeSqs> => {
  const queues = new Map(names.map((name) => [queueUrl(name), { name, visible: 0, inFlight: 0 }]))
  const moveTasks: FakeSqs["moveTasks"] = []
  const denied = new Set<string>()
  const byArn = (arn: unknown) => [...queues.values()].find((q) => queueArn(q.name) === arn)
  const guard = (operation: string) =>
    denied.has(operation)
      ? awsError("com.amazon.coral.service#AccessDeniedException", `not authorized to perform: sqs:${operation}`)
      : undefined
  const fake = await startFakeAwsJson("application/x-amz-json-1.0", {
    GetQueueAttributes: (body) => {
      const queue = queues.get(String(body["QueueUrl"]))
      if (queue === undefined) return notFound()
      const names = body["AttributeNames"] as ReadonlyArray<string>
      const all: Record<string, string> = {
        QueueArn: queueArn(queue.name),
        ApproximateNumberOfMessages: String(queue.visible),
        ApproximateNumberOfMessagesNotVisible: String(queue.inFlight)
      }
      return guard("GetQueueAttributes") ?? { body: { Attributes: Object.fromEntries(names.map((n) => [n, all[n]])) } }
    },
    GetQueueUrl: (body) => {
      const found = [...queues.entries()].find(([, q]) => q.name === body["QueueName"])
      return guard("GetQueueUrl") ?? (found === undefined ? notFound() : { body: { QueueUrl: found[0] } })
    },
    StartMessageMoveTask: (body) => {
      const source = byArn(body["SourceArn"])
      if (source === undefined) return awsError("com.amazonaws.sqs#ResourceNotFoundException", "The resource that you specified for the SourceArn parameter doesn't exist.")
      const denial = guard("StartMessageMoveTask")
      if (denial !== undefined) return denial
      const destination = typeof body["DestinationArn"] === "string" ? body["DestinationArn"] : undefined
      moveTasks.push({ source: String(body["SourceArn"]), destination })
      source.visible = 0
      return { body: { TaskHandle: `task-${moveTasks.length}` } }
    }
  })
  return { ...fake, queues, moveTasks, denied }
}
