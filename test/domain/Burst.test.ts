import { describe, expect, it } from "@effect/vitest"
import { burstText, findAnnounced, identifiedLoosely, mayPredateAnnounced } from "../../src/domain/Burst.js"
import type { Ticket, TicketComment } from "../../src/services/Richpanel.js"
import { envelopeOf } from "../support/workerFakes.js"

const comment = (id: string, text: string, isOperator = false): TicketComment => ({ id, text, isOperator, isPrivate: false, attachmentCount: 0 })
const ticket = (...comments: ReadonlyArray<TicketComment>): Ticket => ({ id: "t-1", status: "OPEN", tags: [], comments })

describe("findAnnounced: the comment a webhook announced, on the ticket as read", () => {
  const read = ticket(comment("c-1", "Where is my order?"), comment("c-2", "Thanks", true), comment("c-3", "Where is my order?"))

  it("finds it by id", () => {
    expect(findAnnounced(read, envelopeOf({ conversation_id: "t-1", message_id: "c-1", text: "Where is my order?" }))).toMatchObject({ id: "c-1" })
  })

  it("a payload id the read does not show is missing (a lagging replica), never matched by its words instead", () => {
    // The customer asked the same thing twice: the words would find the earlier message on a stale read.
    expect(findAnnounced(read, envelopeOf({ conversation_id: "t-1", message_id: "c-9", text: "Where is my order?" }))).toBe("missing")
  })

  it("without an id, by its words (whitespace aside), the newest comment that says them", () => {
    expect(findAnnounced(read, envelopeOf({ conversation_id: "t-1", text: "Where  is my\norder?" }))).toMatchObject({ id: "c-3" })
    expect(findAnnounced(read, envelopeOf({ conversation_id: "t-1", text: "Something else" }))).toBe("missing")
  })

  it("without an id, words said twice are told apart by the payload's time", () => {
    const twice = ticket(
      { ...comment("c-1", "Any update?"), createdAt: "2026-03-02T14:00:00.000Z" },
      { ...comment("c-2", "Any update?"), createdAt: "2026-03-02T14:15:00.000Z" }
    )
    const payload = (createdAt: string) => envelopeOf({ conversation_id: "t-1", text: "Any update?", created_at: createdAt })
    expect(findAnnounced(twice, payload("2026-03-02T14:00:01.000Z"))).toMatchObject({ id: "c-1" })
    expect(findAnnounced(twice, payload("2026-03-02T14:15:00.000Z"))).toMatchObject({ id: "c-2" })
    // A read that does not show the second one yet must not take the first for it.
    expect(findAnnounced(ticket(twice.comments[0]!), payload("2026-03-02T14:15:00.000Z"))).toBe("missing")
  })

  it("a payload naming no message announces the newest customer message; none on the ticket = undefined", () => {
    expect(findAnnounced(read, envelopeOf({ ticket_id: "t-1" }))).toMatchObject({ id: "c-3" })
    expect(findAnnounced(ticket(comment("c-2", "Hi", true)), envelopeOf({ ticket_id: "t-1" }))).toBeUndefined()
  })

  it("only payloads without a message id are identified loosely", () => {
    expect(identifiedLoosely(envelopeOf({ ticket_id: "t-1" }))).toBe(true)
    expect(identifiedLoosely(envelopeOf({ conversation_id: "t-1", text: "hi" }))).toBe(true)
    expect(identifiedLoosely(envelopeOf({ conversation_id: "t-1", message_id: "c-1" }))).toBe(false)
  })
})

describe("mayPredateAnnounced: an id-only webhook whose message the read may not show yet", () => {
  const at = (iso: string): TicketComment => ({ ...comment("c-1", "hi"), createdAt: iso })
  const idOnly = envelopeOf({ ticket_id: "t-1" }, "2026-03-02T14:00:30.000Z")

  it("suspects a read whose newest customer message is well older than the webhook, or that shows none", () => {
    expect(mayPredateAnnounced(idOnly, at("2026-03-02T14:00:10.000Z"))).toBe(true)
    expect(mayPredateAnnounced(idOnly, undefined)).toBe(true)
  })

  it("trusts a fresh newest message, an undated one, and any payload that names its message", () => {
    expect(mayPredateAnnounced(idOnly, at("2026-03-02T14:00:28.000Z"))).toBe(false)
    expect(mayPredateAnnounced(idOnly, comment("c-1", "hi"))).toBe(false)
    expect(mayPredateAnnounced(envelopeOf({ conversation_id: "t-1", message_id: "c-1" }, "2026-03-02T14:00:30.000Z"), at("2026-03-02T13:00:00.000Z"))).toBe(false)
  })
})

describe("burstText: what the model reads of a burst", () => {
  it("joins a short burst oldest first", () => {
    expect(burstText(["hi", "where is my order?", "it's 1001"])).toBe("hi\n\nwhere is my order?\n\nit's 1001")
  })

  it("always keeps the newest message whole and says how many earlier ones were left out", () => {
    const earlier = Array.from({ length: 6 }, (_, i) => `${i}`.repeat(900))
    const newest = "N".repeat(1_500)
    const text = burstText([...earlier, newest], 4_000)
    expect(text.length).toBeLessThanOrEqual(4_000)
    expect(text.endsWith(newest)).toBe(true)
    expect(text).toContain("5".repeat(900))
    expect(text).not.toContain("0".repeat(900))
    expect(text.startsWith("[4 earlier messages not shown]")).toBe(true)
  })

  it("cuts only a newest message that alone is longer than the budget", () => {
    expect(burstText(["earlier", "x".repeat(5_000)], 4_000)).toBe("x".repeat(4_000))
    expect(burstText([])).toBe("")
  })
})
