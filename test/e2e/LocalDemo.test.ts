import { describe, expect, it } from "@effect/vitest"
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import * as nodePath from "node:path"
import { eventsOf, eventually, freePort, type LocalProcess, startLocalProcess } from "../support/localProcess.js"

/**
 * `npm start` with no keys (dry-run Richpanel, rules classifier, default mode) fed every file in `examples/`,
 * as the README's demo does: every example must reach a terminal outcome visible on `GET /events`.
 */

const TOKEN = "demo-token"
const examplesDir = nodePath.resolve(import.meta.dirname, "../../examples")
const TERMINAL = new Set(["automated", "routed", "handed-over", "skipped", "dead-lettered"])

interface EventLine {
  readonly event_id: string
  readonly outcome: string
  readonly status: string
  readonly reason?: string
  readonly decision?: { readonly reasons?: ReadonlyArray<string> }
}

const post = (runtime: LocalProcess, body: string) =>
  fetch(`${runtime.url}/webhooks/richpanel`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-webhook-token": TOKEN },
    body
  }).then(async (response) => ({ status: response.status, body: (await response.json()) as { status?: string; event_id?: string } }))

const events = (runtime: LocalProcess) => eventsOf<EventLine>(runtime)

describe("npm start with the examples (local demo)", () => {
  it("every example gets a terminal outcome; Tier 0 is handed over, operator and out-of-office messages are skipped", async () => {
    const files = readdirSync(examplesDir).filter((f) => f.endsWith(".json")).sort()
    expect(files.length).toBeGreaterThanOrEqual(16)
    const dataDir = mkdtempSync(nodePath.join(tmpdir(), "rp-mw-demo-"))
    const runtime = await startLocalProcess({
      PORT: String(await freePort()),
      MW_DATA_DIR: dataDir,
      WEBHOOK_TOKEN: TOKEN,
      // No keys: what a new user gets. Make sure nothing from the developer's shell leaks in.
      RICHPANEL_API_KEY: "",
      OPENAI_API_KEY: "",
      MW_MODE: "shadow"
    })
    try {
      const eventIds = new Map<string, string>()
      for (const file of files) {
        const answer = await post(runtime, readFileSync(nodePath.join(examplesDir, file), "utf8"))
        expect({ file, status: answer.status, accepted: answer.body.status }).toEqual({ file, status: 200, accepted: "accepted" })
        eventIds.set(file, answer.body.event_id ?? "")
      }

      const byId = (list: ReadonlyArray<EventLine>) => new Map(list.map((e) => [e.event_id, e]))
      const done = (list: ReadonlyArray<EventLine>) => {
        const seen = byId(list)
        return [...eventIds.values()].every((id) => TERMINAL.has(seen.get(id)?.outcome ?? ""))
      }
      const final = byId(await eventually(() => events(runtime), done, 15_000))
      const outcome = (file: string) => final.get(eventIds.get(file) ?? "")

      for (const file of files) expect({ file, outcome: TERMINAL.has(outcome(file)?.outcome ?? "") }).toEqual({ file, outcome: true })

      const tier0 = { "04-chargeback-tier0.json": "tier0:chargeback_dispute", "05-legal-threat-tier0.json": "tier0:legal_threat", "14-fraud-tier0.json": "tier0:fraud_suspected" }
      for (const [file, reason] of Object.entries(tier0)) {
        const line = outcome(file)
        expect({ file, outcome: line?.outcome }).toEqual({ file, outcome: "handed-over" })
        expect(line?.decision?.reasons ?? []).toContain(reason)
      }
      expect(outcome("11-operator-message.json")).toMatchObject({ outcome: "skipped", reason: "operator-message" })
      expect(outcome("12-out-of-office.json")).toMatchObject({ outcome: "skipped", reason: "auto-reply" })
    } finally {
      runtime.child.kill("SIGINT")
      await runtime.exited
      rmSync(dataDir, { recursive: true, force: true })
    }
  }, 60_000)
})
