import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "@effect/vitest"
import { Clock, Effect, Layer } from "effect"
import { parseArgs } from "../../src/cli/Args.js"
import { events } from "../../src/cli/commands.js"
import { AllTables } from "../../src/domain/Tables.js"
import { layerEndpoint } from "../../src/layers/DynamoClient.js"
import { ensureTables } from "../../src/layers/DynamoTables.js"
import * as EventLogDynamo from "../../src/layers/EventLogDynamo.js"
import { EventLog } from "../../src/services/EventLog.js"
import { FAKE_AWS_ENV } from "../support/fakeAwsJson.js"
import { startDynalite } from "../support/dynalite.js"

let dynamo: Awaited<ReturnType<typeof startDynalite>>

beforeAll(async () => {
  dynamo = await startDynalite()
  const client = layerEndpoint(dynamo.endpoint)
  await Effect.runPromise(
    Effect.gen(function*() {
      yield* ensureTables(AllTables)
      const log = yield* EventLog
      yield* log.record({
        event_id: "evt:rp:c-1:m-1",
        conversation_id: "c-1",
        received_at: new Date().toISOString(),
        processed_at: new Date().toISOString(),
        status: "done",
        outcome: "automated",
        decision: { mode: "live", intent: "order_status_tracking", confidence: 0.95, team: "Email Support Team", reasons: ["order:tracking"], reply: "t_order_status_verified" },
        actions: []
      } as never)
    }).pipe(Effect.provide(EventLogDynamo.layer.pipe(Layer.provideMerge(client))), Effect.withClock(Clock.make()))
  )
})
afterAll(() => dynamo.close())
afterEach(() => vi.unstubAllEnvs())

describe("rp-mw events --aws", () => {
  it("lists the deployed stack's recent decisions from its DynamoDB event log", async () => {
    for (const [name, value] of Object.entries({ ...FAKE_AWS_ENV, DYNAMODB_ENDPOINT: dynamo.endpoint })) vi.stubEnv(name, value)
    const printed: Array<string> = []
    const spy = vi.spyOn(console, "log").mockImplementation((line: unknown) => void printed.push(String(line)))
    try {
      expect(await events(parseArgs(["--aws", "--limit", "5"]))).toBe(0)
    } finally {
      spy.mockRestore()
    }
    const output = printed.join("\n")
    expect(output).toContain("c-1")
    expect(output).toContain("t_order_status_verified")
    expect(output).toContain("order:tracking")
  })
})
