import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import type { EventEnvelope } from "../../src/domain/Envelope.js"
import * as DryRunRichpanel from "../../src/layers/DryRunRichpanel.js"
import { DryRunRecorder } from "../../src/layers/DryRunRichpanel.js"
import { Richpanel } from "../../src/services/Richpanel.js"

const envelope: EventEnvelope = {
  event_id: "evt:rp:conv-1:msg-9",
  received_at: "2025-01-10T09:00:01.000Z",
  conversation_id: "conv-1",
  conversation_no: 1347,
  channel: "email",
  channel_raw: "email_from_widget",
  customer: { email: "jane@example.com", phone: "+15555550100" },
  message: {
    id: "msg-9",
    created_at: "2025-01-10T09:00:00.000Z",
    text: "Where is my order #1001?",
    truncated: false,
    attachments: [{ type: "image", url: "https://cdn.example.com/a.png" }, { type: "pdf" }],
    author_id: "cust-1",
    from_operator: false
  },
  richpanel: { tags: ["vip"], status: "OPEN" },
  meta: { attempt: 0, source: "richpanel_http_target", payload_shape: "ticket" }
}

describe("DryRunRichpanel", () => {
  it.effect("records every intended write in order and performs nothing else", () =>
    Effect.gen(function*() {
      const rp = yield* Richpanel
      const recorder = yield* DryRunRecorder
      yield* rp.addTags("conv-1", ["mw-routed", "route-returns"])
      yield* rp.removeTags("conv-1", ["mw-pending"])
      yield* rp.addInternalNote("conv-1", "AI: order_status")
      yield* rp.sendReply("conv-2", "Your order shipped.")
      expect(yield* recorder.calls).toEqual([
        { method: "addTags", ticketId: "conv-1", tags: ["mw-routed", "route-returns"] },
        { method: "removeTags", ticketId: "conv-1", tags: ["mw-pending"] },
        { method: "addInternalNote", ticketId: "conv-1", body: "AI: order_status" },
        { method: "sendReply", ticketId: "conv-2", body: "Your order shipped." }
      ])
      expect(yield* rp.listTags).toEqual([])
      expect(yield* rp.listUsers).toEqual([])
      // Writes do not change what a dry-run read returns.
      expect((yield* rp.loadTicket(envelope)).tags).toEqual(["vip"])
    }).pipe(Effect.provide(DryRunRichpanel.layerInspectable)))

  it.effect("keeps only the latest 1000 calls", () =>
    Effect.gen(function*() {
      const rp = yield* Richpanel
      for (let i = 0; i < 1_001; i++) yield* rp.addTags(`t-${i}`, ["x"])
      const calls = yield* (yield* DryRunRecorder).calls
      expect(calls).toHaveLength(1_000)
      expect(calls[0]?.ticketId).toBe("t-1")
      expect(calls.at(-1)?.ticketId).toBe("t-1000")
    }).pipe(Effect.provide(DryRunRichpanel.layerInspectable)))

  it.effect("loadTicket builds an open ticket holding the envelope's message", () =>
    Effect.gen(function*() {
      const rp = yield* Richpanel
      expect(yield* rp.loadTicket(envelope)).toEqual({
        id: "conv-1",
        conversationNo: 1347,
        status: "OPEN",
        channelRaw: "email_from_widget",
        customerEmail: "jane@example.com",
        customerPhone: "+15555550100",
        tags: ["vip"],
        comments: [{
          id: "msg-9",
          authorId: "cust-1",
          isOperator: false,
          isPrivate: false,
          createdAt: "2025-01-10T09:00:00.000Z",
          text: "Where is my order #1001?",
          attachmentCount: 2
        }]
      })
    }).pipe(Effect.provide(DryRunRichpanel.layer)))

  it.effect("counts every attachment the message had, not only those whose metadata the envelope kept", () =>
    Effect.gen(function*() {
      const rp = yield* Richpanel
      const capped: EventEnvelope = { ...envelope, message: { ...envelope.message, attachments_total: 87_000 } }
      expect((yield* rp.loadTicket(capped)).comments[0]?.attachmentCount).toBe(87_000)
    }).pipe(Effect.provide(DryRunRichpanel.layer)))

  it.effect("a minimal envelope gives a minimal ticket; the event id stands in for a missing message id", () =>
    Effect.gen(function*() {
      const rp = yield* Richpanel
      const minimal: EventEnvelope = {
        ...envelope,
        event_id: "evt:rp:conv-2:habc",
        conversation_id: "conv-2",
        channel: "unknown",
        customer: {},
        message: { text: "hi", truncated: false, attachments: [], from_operator: true },
        richpanel: { tags: [] }
      }
      const { conversation_no: _no, channel_raw: _raw, ...rest } = minimal
      expect(yield* rp.loadTicket(rest)).toEqual({
        id: "conv-2",
        status: "OPEN",
        tags: [],
        comments: [{ id: "evt:rp:conv-2:habc", isOperator: true, isPrivate: false, text: "hi", attachmentCount: 0 }]
      })
    }).pipe(Effect.provide(DryRunRichpanel.layer)))
})
