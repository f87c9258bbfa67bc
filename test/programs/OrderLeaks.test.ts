import { describe, expect, it } from "@effect/vitest"
import { Effect, TestClock } from "effect"
import { emailsIn, phonesIn } from "../../src/domain/CustomerContact.js"
import { sameEmail, samePhone } from "../../src/domain/OrderMatch.js"
import { MAX_MESSAGE_TEXT_CHARS } from "../../src/domain/normalise.js"
import { FIXTURES, OTHER_EMAIL, SAMPLE_EMAIL, SAMPLE_PHONE, sampleOrders } from "../../src/layers/SampleStoreOrderLookup.js"
import { processRecord } from "../../src/programs/worker/Worker.js"
import type { OrderRecord } from "../../src/services/OrderLookup.js"
import {
  classifyAlways,
  expectSuccess,
  flat,
  output,
  recordOf,
  renderedReply,
  repliesIn,
  richpanelCalls,
  workerLayer
} from "../support/workerFakes.js"

/**
 * The leak suite: every customer of the sample store (and strangers) asks about every order, guessed numbers and
 * mixed messages, each in a fresh conversation, in live mode with a confident classification — the setting in
 * which a reply goes out whenever the policy allows one. Whatever the reply says, it may only carry the data of an
 * order that belongs to the person asking: the ticket's email or phone, or — for a ticket without either — the one
 * email or phone they wrote in the message (spec §7.1 lets the customer give their checkout email; a message with
 * several of a kind gives none). Ticket data alone never matches an order by email only.
 */

const NOW = Date.parse("2026-11-23T15:00:00Z")

interface Customer {
  readonly label: string
  readonly email?: string
  readonly phone?: string
}

const CUSTOMERS: ReadonlyArray<Customer> = [
  { label: "owner by email", email: SAMPLE_EMAIL },
  { label: "owner by phone only", phone: SAMPLE_PHONE },
  { label: "owner, email in another case", email: SAMPLE_EMAIL.toUpperCase() },
  { label: "another customer", email: OTHER_EMAIL },
  { label: "customer with two orders of one name", email: "alex.kim@example.com" },
  { label: "stranger", email: "stranger@example.net", phone: "+1 555 999 0000" },
  { label: "no contact at all" }
]

const names = [...new Set(FIXTURES.map((f) => f.name))]
const TEXTS: ReadonlyArray<string> = [
  ...names.map((name) => `Where is my order ${name}?`),
  ...names.map((name) => `hi!! my order ${name.replace("#", "")} still hasn't come`),
  // Guessed numbers around the real ones.
  "Where is order #1000?",
  "Where is order #1010?",
  "order 999 please",
  "Where is my order 10001?",
  "Where is my order #1008?",
  // No number: never "the most recent order".
  "Where is my order?",
  // Two numbers: never one of them at random.
  "Is it #1001 or #1006? Where is my order",
  // Someone else's contact in the message (a phone that is not this customer's, a zip, a date).
  "Where is my order #1006? call me at 555 010 0100, zip 10001, ordered 11/20/2026",
  // The owner's checkout email in the message: counts only for a ticket without a contact of its own.
  `Where is my order #1001? my checkout email is ${SAMPLE_EMAIL}`,
  `Where is my order #1001? it's ${SAMPLE_EMAIL} or maybe ${OTHER_EMAIL}`
]

/** What would identify an order in a reply: its name, its tracking numbers, its status page. */
const fingerprints = (order: OrderRecord): ReadonlyArray<RegExp> => [
  new RegExp(`${order.name.replace(/[#-]/g, (c) => `\\${c}`)}(?![\\w-])`),
  ...order.fulfillments.flatMap((f) => f.tracking.flatMap((t) => (t.number === undefined ? [] : [new RegExp(t.number)]))),
  ...(order.statusPageUrl === undefined ? [] : [new RegExp(order.statusPageUrl.replace(/[.?/]/g, (c) => `\\${c}`))])
]

/**
 * Whose contact may open an order (spec §7.1, tightened): the ticket's email or phone when it has one; otherwise
 * an email or phone the message holds alone of its kind, so one message cannot try a list of contacts.
 */
const contactsOf = (customer: Customer, text: string) => {
  if (customer.email !== undefined || customer.phone !== undefined) {
    return { emails: customer.email === undefined ? [] : [customer.email], phones: customer.phone === undefined ? [] : [customer.phone] }
  }
  const emails = [...new Set(emailsIn(text).map((e) => e.toLowerCase()))]
  const phones = phonesIn(text)
  return { emails: emails.length === 1 ? emails : [], phones: phones.length === 1 ? phones : [] }
}

const belongsTo = (order: OrderRecord, customer: Customer, text: string): boolean => {
  const { emails, phones } = contactsOf(customer, text)
  return emails.some((e) => order.email !== undefined && sameEmail(e, order.email)) ||
    phones.some((p) => order.phone !== undefined && samePhone(p, order.phone))
}

/** One question in a fresh conversation; the replies Richpanel received. */
const askIn = (customer: Customer, text: string, conversation: string) =>
  Effect.gen(function*() {
    yield* TestClock.setTime(NOW)
    yield* classifyAlways(output("order_status_tracking", 0.97))
    const envelope = flat(conversation, "m-1", text, {
      customer_email: customer.email,
      customer_phone: customer.phone
    })
    expectSuccess(yield* Effect.exit(processRecord(recordOf(envelope))))
    return repliesIn(yield* richpanelCalls).map((c) => c.body ?? "")
  }).pipe(Effect.provide(workerLayer("live")))

describe("leak suite: no reply carries another customer's order data", () => {
  it.effect(`${CUSTOMERS.length} customers × ${TEXTS.length} questions`, () =>
    Effect.gen(function*() {
      const orders = sampleOrders(NOW)
      const leaks: Array<string> = []
      let withOrderData = 0
      let cases = 0
      for (const [c, customer] of CUSTOMERS.entries()) {
        for (const [t, text] of TEXTS.entries()) {
          cases++
          const replies = yield* askIn(customer, text, `leak-${c}-${t}`)
          expect(replies.length, `${customer.label}: "${text}"`).toBeLessThanOrEqual(1)
          for (const reply of replies) {
            const disclosed = orders.filter((order) => fingerprints(order).some((f) => f.test(reply)))
            if (disclosed.length > 0) withOrderData++
            // Two orders in one reply would mean a choice was made among candidates.
            if (new Set(disclosed.map((o) => o.id)).size > 1) leaks.push(`${customer.label}: "${text}" → several orders`)
            for (const order of disclosed) {
              if (!belongsTo(order, customer, text)) leaks.push(`${customer.label}: "${text}" → ${order.name} (${order.email})`)
            }
          }
        }
      }
      expect(leaks).toEqual([])
      expect(cases).toBe(CUSTOMERS.length * TEXTS.length)
      // The suite means something only if replies with order data did go out (to their owners).
      expect(withOrderData).toBeGreaterThanOrEqual(10)
    }), 60_000)

  /** Each case in a fresh conversation: the cases whose reply named any sample order, or was not the question. */
  const leaksIn = (cases: ReadonlyArray<readonly [Customer, string]>, prefix: string) =>
    Effect.gen(function*() {
      const orders = sampleOrders(NOW)
      const ask = renderedReply("t_order_status_ask_order_number")
      const found: Array<string> = []
      for (const [i, [customer, text]] of cases.entries()) {
        const replies = yield* askIn(customer, text, `${prefix}-${i}`)
        const disclosed = orders.filter((order) => replies.some((reply) => fingerprints(order).some((f) => f.test(reply))))
        if (disclosed.length > 0) found.push(`${customer.label} → ${disclosed.map((o) => o.name).join(", ")}`)
        else if (replies.length !== 1 || replies[0] !== ask) found.push(`${customer.label} → not asked for the order number`)
      }
      return found
    })

  it.effect("a stranger listing 300 addresses or phones (the owner's among them) learns nothing of the order", () =>
    Effect.gen(function*() {
      const emails = Array.from({ length: 300 }, (_, i) => (i === 150 ? SAMPLE_EMAIL : `s${i}@x.io`))
      const phones = Array.from({ length: 150 }, (_, i) => (i === 75 ? SAMPLE_PHONE : `+1 555 3${String(i).padStart(2, "0")} ${String(1000 + i)}`))
      const cases: ReadonlyArray<readonly [Customer, string]> = [
        [{ label: "no profile, 300 emails" }, `Where is my order #1001? It is one of ${emails.join(", ")}`],
        [{ label: "no profile, 150 phones" }, `Where is my order #1001? Try ${phones.join("; ")}`],
        [{ label: "stranger's profile, 300 emails", email: "stranger@example.net" }, `Where is my order #1001? ${emails.join(" ")}`]
      ]
      // The owner's contact must survive the envelope's truncation of long messages, or the case proves nothing.
      for (const [, text] of cases) expect(text.length).toBeLessThan(MAX_MESSAGE_TEXT_CHARS)
      expect(yield* leaksIn(cases, "leak-many")).toEqual([])
    }))

  it.effect("the owner's email next to another one, or a profile that is not the order's, opens nothing", () =>
    Effect.gen(function*() {
      const stranger = "stranger@example.net"
      const cases: ReadonlyArray<readonly [Customer, string]> = [
        [{ label: "no profile, owner's email plus one other" }, `Where is my order #1001? ${SAMPLE_EMAIL} or mallory@example.net`],
        [{ label: "stranger's profile, owner's email alone", email: stranger }, `Where is my order #1001? my checkout email is ${SAMPLE_EMAIL}`],
        [{ label: "stranger's phone as profile, owner's email alone", phone: "+1 555 999 0000" }, `order #1001, I'm ${SAMPLE_EMAIL}`],
        [{ label: "stranger's profile, owner's phone alone", email: stranger }, `order #1001 please, call ${SAMPLE_PHONE}`]
      ]
      expect(yield* leaksIn(cases, "leak-profile")).toEqual([])
    }))

  it.effect("the owner's own question gets its order's data (the suite is not passing by never replying)", () =>
    Effect.gen(function*() {
      const replies = yield* askIn({ label: "owner", email: SAMPLE_EMAIL }, "Where is my order #1001?", "leak-own")
      expect(replies).toHaveLength(1)
      expect(replies[0]).toContain("1Z999AA10123456784")
      // The status page opens the whole order: not linked unless the routing config turns it on.
      expect(replies[0]).not.toContain("sample-store.example.com")
      // A ticket without a contact: the checkout email the message holds alone still opens the owner's order.
      const answered = yield* askIn({ label: "owner, no profile" }, `Where is my order #1001? it's ${SAMPLE_EMAIL}`, "leak-own-2")
      expect(answered).toHaveLength(1)
      expect(answered[0]).toContain("1Z999AA10123456784")
    }))
})
