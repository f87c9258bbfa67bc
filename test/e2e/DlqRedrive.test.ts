import { describe, expect, it } from "@effect/vitest"
import { execFile } from "node:child_process"
import { mkdtempSync } from "node:fs"
import { tmpdir } from "node:os"
import * as nodePath from "node:path"
import { promisify } from "node:util"
import { Faults, sampleTicket, startFakeRichpanel } from "../support/fakeRichpanel.js"
import { eventsOf, eventually, freePort, type LocalProcess, startLocalProcess } from "../support/localProcess.js"

/**
 * `rp-mw dlq` against `npm start`: a message the worker gives up on (Richpanel refuses the key) is dead-lettered,
 * `rp-mw dlq` shows it, and after `rp-mw dlq redrive` the worker processes it once Richpanel answers again.
 */

const root = nodePath.resolve(import.meta.dirname, "../..")
const TOKEN = "dlq-token"
const CONVERSATION = "conv-dlq"
const EVENT_ID = `evt:rp:${CONVERSATION}:${CONVERSATION}-c1`

/** The operator CLI as a separate process, finding the runtime through MW_DATA_DIR/runtime.json. */
const rpMw = (dataDir: string, ...argv: Array<string>) =>
  promisify(execFile)(process.execPath, ["bin/rp-mw.mjs", ...argv], { cwd: root, env: { ...process.env, MW_DATA_DIR: dataDir } })
    .then(({ stdout }) => stdout)

const events = (runtime: LocalProcess) => eventsOf(runtime)

const outcomeOf = (list: ReadonlyArray<{ event_id: string; outcome: string }>) => list.find((e) => e.event_id === EVENT_ID)?.outcome

describe("rp-mw dlq against the local runtime", () => {
  it("a dead-lettered event is shown, redriven, and then processed", async () => {
    const richpanel = await startFakeRichpanel({ apiKey: "rp_local_key" })
    const ticket = sampleTicket(CONVERSATION)
    richpanel.seedTicket(ticket)
    richpanel.inject(Faults.unauthorized(), 1_000)
    const dataDir = mkdtempSync(nodePath.join(tmpdir(), "rp-mw-dlq-"))
    const runtime = await startLocalProcess({
      PORT: String(await freePort()),
      MW_DATA_DIR: dataDir,
      WEBHOOK_TOKEN: TOKEN,
      RICHPANEL_API_KEY: "rp_local_key",
      RICHPANEL_BASE_URL: richpanel.baseUrl,
      OPENAI_API_KEY: "",
      MW_MODE: "shadow",
      // One try, as the worker and the queue agree: the refused message reaches the DLQ in about a second.
      MW_MAX_RECEIVE_COUNT: "1"
    })
    try {
      const posted = await fetch(`${runtime.url}/webhooks/richpanel`, {
        method: "POST",
        headers: { "content-type": "application/json", "x-webhook-token": TOKEN },
        body: JSON.stringify({ conversation_id: CONVERSATION, message_id: `${CONVERSATION}-c1`, text: "Where is my order?", channel: "email" })
      }).then((r) => r.json())
      expect(posted).toEqual({ status: "accepted", event_id: EVENT_ID })

      const dead = await eventually(
        () => fetch(`${runtime.url}/dlq`).then((r) => r.json() as Promise<{ visible: number }>),
        (dlq) => dlq.visible === 1
      )
      expect(dead.visible).toBe(1)
      expect(outcomeOf(await events(runtime))).toBe("dead-lettered")

      const shown = await rpMw(dataDir, "dlq")
      expect(shown).toContain("rp-mw-events-dlq.fifo: 1 message(s) waiting")
      expect(shown).toContain(EVENT_ID)
      expect(shown).not.toContain("Where is my order")

      // Richpanel takes the key again (faults gone, ticket still there); then the operator redrives.
      richpanel.reset()
      richpanel.seedTicket(ticket)
      expect(await rpMw(dataDir, "dlq", "redrive")).toContain("moved 1 message(s) from rp-mw-events-dlq.fifo back to rp-mw-events.fifo")

      const after = await eventually(() => events(runtime), (list) => !["dead-lettered", "received", undefined].includes(outcomeOf(list)))
      expect(outcomeOf(after)).toMatch(/^(routed|handed-over|automated)$/)
      expect(richpanel.requests().map((r) => [r.method, r.path, r.status])).toContainEqual(["GET", `/v1/tickets/${CONVERSATION}`, 200])
      expect(await rpMw(dataDir, "dlq", "show")).toContain("rp-mw-events-dlq.fifo: 0 message(s) waiting")
      expect(await rpMw(dataDir, "dlq", "redrive")).toContain("nothing to redrive")
    } finally {
      runtime.child.kill("SIGINT")
      await runtime.exited
      await richpanel.close()
    }
  }, 60_000)
})
