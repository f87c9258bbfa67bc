import { describe, expect, it } from "@effect/vitest"
import { mkdtempSync } from "node:fs"
import { tmpdir } from "node:os"
import * as nodePath from "node:path"
import { eventsOf, eventually, freePort, type LocalProcess, startLocalProcess } from "../support/localProcess.js"

const TOKEN = "e2e-token"

const post = (runtime: LocalProcess, body: string, headers: Record<string, string> = {}) =>
  fetch(`${runtime.url}/webhooks/richpanel`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-webhook-token": TOKEN, ...headers },
    body
  }).then(async (response) => ({ status: response.status, body: (await response.json()) as Record<string, unknown> }))

const events = (runtime: LocalProcess) => eventsOf(runtime)

const webhook = (conversation: string, message: string) =>
  JSON.stringify({ conversation_id: conversation, message_id: message, text: "Where is my order?", channel: "email" })

describe("npm start (local runtime, as a child process)", () => {
  it("answers as documented, keeps acknowledged events across a hard kill, and stops cleanly on Ctrl-C", async () => {
    const dataDir = mkdtempSync(nodePath.join(tmpdir(), "rp-mw-e2e-"))
    const env = { PORT: String(await freePort()), MW_DATA_DIR: dataDir, WEBHOOK_TOKEN: TOKEN }

    // First run without a consumer, so acknowledged events are still only on the queue when the process dies.
    const first = await startLocalProcess({ ...env, MW_WORKER_CONCURRENCY: "0" })
    try {
      expect(await post(first, webhook("conv-a", "m-1"))).toEqual({
        status: 200,
        body: { status: "accepted", event_id: "evt:rp:conv-a:m-1" }
      })
      expect((await post(first, webhook("conv-a", "m-1"))).body["status"]).toBe("duplicate")
      expect((await post(first, webhook("conv-b", "m-1"))).status).toBe(200)
      expect((await post(first, webhook("conv-a", "m-2"), { "x-webhook-token": "wrong" })).status).toBe(401)
      expect(await post(first, JSON.stringify({ text: "no id" }))).toMatchObject({
        status: 400,
        body: { field: "conversation_id" }
      })
      expect((await post(first, JSON.stringify({ conversation_id: "c", text: "x".repeat(300_000) }))).status).toBe(413)
      expect((await post(first, webhook("conv-a", "m-3"), { "content-type": "text/plain" })).status).toBe(415)
      expect(await events(first)).toEqual([])
    } finally {
      first.child.kill("SIGKILL")
      await first.exited
    }

    const second = await startLocalProcess(env)
    try {
      const processed = await eventually(() => events(second), (list) => list.length === 2)
      expect(processed.map((e) => e.event_id).sort()).toEqual(["evt:rp:conv-a:m-1", "evt:rp:conv-b:m-1"])
      expect((await post(second, webhook("conv-a", "m-1"))).body["status"]).toBe("duplicate")
      expect(await fetch(`${second.url}/healthz`).then((r) => r.status)).toBe(200)
    } finally {
      second.child.kill("SIGINT")
    }
    expect(await second.exited).toBe(0)
  }, 60_000)
})
