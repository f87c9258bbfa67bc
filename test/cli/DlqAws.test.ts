import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "@effect/vitest"
import { parseArgs, UsageError } from "../../src/cli/Args.js"
import { dlqCommand } from "../../src/cli/DlqCommand.js"
import { FAKE_AWS_ENV } from "../support/fakeAwsJson.js"
import { type FakeSqs, queueArn, queueUrl, startFakeSqs } from "../ops/fakeSqs.js"

const DLQ = "rp-mw-events-dlq.fifo"
const EVENTS = "rp-mw-events.fifo"

let sqs: FakeSqs

beforeAll(async () => {
  sqs = await startFakeSqs([DLQ, EVENTS, "other-dlq.fifo"])
})
afterAll(() => sqs.close())

beforeEach(() => {
  sqs.requests.length = 0
  sqs.moveTasks.length = 0
  sqs.denied.clear()
  for (const queue of sqs.queues.values()) Object.assign(queue, { visible: 0, inFlight: 0 })
  // What an operator's shell has: credentials, a region, and (from the stack outputs) DLQ_URL.
  for (const [name, value] of Object.entries({ ...FAKE_AWS_ENV, SQS_ENDPOINT: sqs.url, DLQ_URL: queueUrl(DLQ) })) vi.stubEnv(name, value)
})
afterEach(() => vi.unstubAllEnvs())

/** Runs `rp-mw dlq …` in-process and returns its exit code and what it printed. */
const cli = async (...argv: Array<string>) => {
  const printed: Array<string> = []
  const spy = vi.spyOn(console, "log").mockImplementation((line: unknown) => void printed.push(String(line)))
  try {
    const code = await dlqCommand(parseArgs(argv))
    return { code, output: printed.join("\n") }
  } finally {
    spy.mockRestore()
  }
}

const dlq = () => sqs.queues.get(queueUrl(DLQ))!
const operations = () => sqs.requests.map((r) => r.target)

describe("rp-mw dlq --aws (SQS JSON protocol on a fake)", () => {
  it("show reports the depth of the DLQ named by DLQ_URL", async () => {
    Object.assign(dlq(), { visible: 3, inFlight: 1 })
    const { code, output } = await cli("show", "--aws")
    expect(code).toBe(0)
    expect(output).toBe(`${queueUrl(DLQ)}: 3 message(s) waiting, 1 in flight (being received or moved)`)
    expect(sqs.requests).toEqual([expect.objectContaining({
      target: "AmazonSQS.GetQueueAttributes",
      body: expect.objectContaining({ QueueUrl: queueUrl(DLQ) })
    })])
  })

  it("redrive starts a message move task from the DLQ's ARN back to its source queue", async () => {
    Object.assign(dlq(), { visible: 2 })
    const { code, output } = await cli("redrive", "--aws")
    expect(code).toBe(0)
    expect(operations()).toEqual(["AmazonSQS.GetQueueAttributes", "AmazonSQS.GetQueueAttributes", "AmazonSQS.StartMessageMoveTask"])
    expect(sqs.requests[1]?.body["AttributeNames"]).toEqual(["QueueArn"])
    // No DestinationArn: SQS sends each message back to the queue it was dead-lettered from.
    expect(sqs.moveTasks).toEqual([{ source: queueArn(DLQ), destination: undefined }])
    expect(output).toContain(`started moving 2 message(s) from ${queueArn(DLQ)} back to their source queue (task task-1)`)
    expect((await cli("show", "--aws")).output).toContain("0 message(s) waiting")
  })

  it("--dlq-url wins over DLQ_URL; without either the seed's DLQ name is looked up", async () => {
    Object.assign(sqs.queues.get(queueUrl("other-dlq.fifo"))!, { visible: 5 })
    expect((await cli("show", "--aws", "--dlq-url", queueUrl("other-dlq.fifo"))).output).toContain("5 message(s) waiting")

    vi.stubEnv("DLQ_URL", undefined)
    sqs.requests.length = 0
    Object.assign(dlq(), { visible: 1 })
    const { output } = await cli("redrive", "--aws")
    expect(sqs.requests[0]).toMatchObject({ target: "AmazonSQS.GetQueueUrl", body: { QueueName: DLQ } })
    expect(sqs.moveTasks).toEqual([{ source: queueArn(DLQ), destination: undefined }])
    expect(output).toContain("started moving 1 message(s)")
  })

  it("an empty DLQ is not redriven: no move task is started", async () => {
    const { code, output } = await cli("redrive", "--aws")
    expect(code).toBe(0)
    expect(output).toContain("nothing to redrive")
    expect(operations()).not.toContain("AmazonSQS.StartMessageMoveTask")
  })

  it("a refused or wrong call fails with what to do, and nothing is started", async () => {
    Object.assign(dlq(), { visible: 2 })
    sqs.denied.add("StartMessageMoveTask")
    await expect(cli("redrive", "--aws")).rejects.toThrow(
      new RegExp(`StartMessageMoveTask on ${queueArn(DLQ)} failed .*your credentials need sqs:StartMessageMoveTask`)
    )
    expect(sqs.moveTasks).toEqual([])
    await expect(cli("show", "--aws", "--dlq-url", queueUrl("gone.fifo"))).rejects.toThrow(/QueueDoesNotExist.*check --dlq-url \/ DLQ_URL/)
    await expect(cli("purge", "--aws")).rejects.toThrow(UsageError)
  })
})
