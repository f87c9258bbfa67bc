import type { Mode } from "../../../src/services/AppConfig.js"
import { Rng } from "../engine/Rng.js"
import * as Catalogue from "./Catalogue.js"
import {
  type Action,
  calmRichpanel,
  type FaultWindow,
  type Person,
  type RichpanelProfile,
  type Script,
  type SimConversation,
  type SimOrder,
  type WebhookPlan
} from "./Script.js"

/**
 * A script from a seed: a handful of customers with orders, a few conversations each made of bursts, quick
 * follow-ups, answers to our questions, late replies, agents stepping in, tickets closing and reopening, webhooks
 * duplicated, delayed, reordered or dropped, a Richpanel that lags, throttles and fails, an OpenAI and a Shopify that
 * fail, processes that crash at any step, and an operator who pulls the kill switch. The same seed always makes
 * the same script (each part draws from its own forked generator).
 */

const SECOND = 1_000
const MINUTE = 60 * SECOND

const webhookPlan = (rng: Rng): WebhookPlan => {
  const shape = rng.weighted<WebhookPlan["shape"]>([[65, "flat"], [20, "ticket"], [8, "id-only"], [7, "flat-no-id"]])
  const first = rng.int(200, 3_000)
  const deliveries = rng.weighted<ReadonlyArray<number>>([
    [82, [first]],
    [7, [first, first + rng.int(500, 90 * SECOND)]],
    [5, [rng.int(20 * SECOND, 4 * MINUTE)]],
    [3, []],
    [3, [first, first + rng.int(100, 2_000), first + rng.int(2 * SECOND, 10 * MINUTE)]]
  ])
  return { shape, deliveries }
}

const people = (rng: Rng): ReadonlyArray<Person> =>
  Array.from({ length: rng.int(3, 7) }, (_, i) => ({
    id: `p${i}`,
    email: `customer${i}@example.com`,
    ...(rng.chance(0.5) ? { phone: `+1 555 01${String(i).padStart(2, "0")} 0${rng.int(100, 999)}` } : {})
  }))

const orders = (rng: Rng, seed: number, who: ReadonlyArray<Person>): ReadonlyArray<SimOrder> => {
  let next = 1001
  return who.flatMap((person) =>
    Array.from({ length: rng.int(0, 2) }, () => {
      const n = next++
      const shipped = rng.chance(0.7)
      return {
        name: `#${n}`,
        id: `${5_000_000 + n}`,
        ownerId: person.id,
        ...(person.email === undefined ? {} : { email: person.email }),
        ...(person.phone === undefined ? {} : { phone: person.phone }),
        fulfillment: shipped ? "FULFILLED" : "UNFULFILLED",
        ...(shipped ? { tracking: { company: "UPS", number: `1ZSIM${seed % 100_000}X${n}` } } : {}),
        statusUrl: `https://shop.example/orders/s${seed}o${n}/authenticate?key=k${n}`,
        createdDaysAgo: rng.int(1, 12),
        shippingTitle: rng.pick(["Standard Shipping", "Express", "Free economy"]),
        cancelled: rng.chance(0.05)
      } satisfies SimOrder
    })
  )
}

interface ConversationPlan {
  readonly conversation: SimConversation
  readonly actions: ReadonlyArray<Action>
}

const conversationPlan = (
  rng: Rng,
  index: number,
  who: ReadonlyArray<Person>,
  all: ReadonlyArray<SimOrder>
): ConversationPlan => {
  const customer = rng.pick(who)
  const own = all.filter((o) => o.ownerId === customer.id)
  const others = all.filter((o) => o.ownerId !== customer.id)
  const stranger = others.length > 0 && rng.chance(0.12)
  const noReplySender = rng.chance(0.04)
  const profile = noReplySender
    ? { email: `noreply@notifications${index}.example.com` }
    : rng.chance(0.08) && customer.phone !== undefined
    ? { phone: customer.phone }
    : { ...(customer.email === undefined ? {} : { email: customer.email }) }
  const channel = rng.weighted([[80, "email"], [10, "livechat"], [5, "instagram_message"], [5, "email_from_widget"]])
  const id = `conv-${index}`
  const linked = own.length > 0 && rng.chance(0.3) ? own[0]!.id : undefined
  const subject = channel.startsWith("email") && rng.chance(0.15) ? rng.pick(Catalogue.SUBJECTS) : undefined
  const conversation: SimConversation = {
    id,
    customerId: customer.id,
    profile,
    channel,
    ...(linked === undefined ? {} : { linkedOrderId: linked }),
    ...(subject === undefined ? {} : { subject: subject.subject })
  }

  const actions: Array<Action> = []
  let at = rng.int(0, 8 * MINUTE)
  const say = (written: Catalogue.Written, attachments = 0) => {
    // A threat in the subject is part of the ticket's first message.
    const first = actions.length === 0 && subject?.tier0 !== undefined && written.truth.tier0 === undefined
    actions.push({
      at,
      kind: "customer",
      conversation: id,
      text: written.text,
      truth: first ? { ...written.truth, tier0: subject!.tier0!, label: `${written.truth.label}+subject-${subject!.tier0}` } : written.truth,
      webhook: webhookPlan(rng),
      ...(attachments > 0 ? { attachments } : {})
    })
  }
  const ownOrder = own.length > 0 ? rng.pick(own) : undefined

  // The opening message.
  if (stranger) {
    const target = rng.pick(others)
    const ownerEmail = who.find((p) => p.id === target.ownerId)?.email ?? "someone@example.com"
    say(rng.chance(0.5) ? Catalogue.strangerListing(target.name, ownerEmail, rng.int(2, 300)) : Catalogue.strangerClaiming(target.name, ownerEmail))
  } else {
    say(rng.weighted<() => Catalogue.Written>([
      [30, () => (ownOrder === undefined ? Catalogue.orderQuestionNoNumber(rng) : Catalogue.orderQuestion(rng, ownOrder.name))],
      [18, () => Catalogue.orderQuestionNoNumber(rng)],
      [32, () => Catalogue.ordinary(rng)],
      [14, () => Catalogue.tier0(rng)],
      [6, () => Catalogue.autoReply(rng)],
      [1, () => Catalogue.noncharacters()]
    ])(), rng.chance(0.05) ? rng.int(1, 3) : 0)
  }

  // Follow-ups: bursts seconds apart, answers minutes later, agents in between.
  const followUps = rng.weighted([[35, 0], [25, 1], [20, 2], [12, 4], [8, 6]])
  for (let i = 0; i < followUps; i++) {
    at += rng.weighted([[45, rng.int(1 * SECOND, 20 * SECOND)], [35, rng.int(30 * SECOND, 15 * MINUTE)], [20, rng.int(15 * MINUTE, 3 * 60 * MINUTE)]])
    if (rng.chance(0.15)) {
      const close = rng.chance(0.4)
      actions.push({
        at,
        kind: "agent",
        conversation: id,
        text: Catalogue.agentReply(rng),
        close,
        ...(rng.chance(0.15) ? { webhook: webhookPlan(rng) } : {})
      })
      at += rng.int(10 * SECOND, 20 * MINUTE)
    }
    say(rng.weighted<() => Catalogue.Written>([
      [25, () => (ownOrder === undefined ? Catalogue.ordinary(rng) : Catalogue.orderNumberAnswer(rng, ownOrder.name))],
      [30, () => Catalogue.ordinary(rng)],
      [15, () => Catalogue.tier0(rng)],
      [10, () => Catalogue.autoReply(rng)],
      [10, () => Catalogue.orderQuestionNoNumber(rng)],
      [10, () => (ownOrder === undefined ? Catalogue.orderQuestionNoNumber(rng) : Catalogue.orderQuestion(rng, ownOrder.name))]
    ])())
  }
  return { conversation, actions }
}

/** Fault windows open around moments when something happens (a quiet hour is no test of an outage). */
const faultWindows = (rng: Rng, busy: ReadonlyArray<number>): ReadonlyArray<FaultWindow> => {
  const windows: Array<FaultWindow> = []
  const window = (target: FaultWindow["target"], kind: FaultWindow["kind"], maxMs: number, rate: readonly [number, number]) => {
    const from = Math.max(0, rng.pick(busy) - rng.int(0, 30 * SECOND))
    windows.push({ target, kind, from, to: from + rng.int(5 * SECOND, maxMs), rate: rng.int(rate[0], rate[1]) / 100 })
  }
  if (rng.chance(0.3)) window("richpanel", "error", 10 * MINUTE, [20, 100])
  if (rng.chance(0.08)) window("richpanel", "invalid", 3 * MINUTE, [20, 100])
  if (rng.chance(0.2)) window("richpanel", "429", 3 * MINUTE, [10, 60])
  if (rng.chance(0.15)) window("richpanel", "timeout", 3 * MINUTE, [10, 50])
  if (rng.chance(0.2)) window("richpanel", "lost", 5 * MINUTE, [20, 80])
  if (rng.chance(0.25)) window("openai", rng.pick(["error", "timeout", "429"] as const), 10 * MINUTE, [20, 100])
  if (rng.chance(0.15)) window("shopify", "error", 10 * MINUTE, [30, 100])
  if (rng.chance(0.08)) window("store", "error", 2 * MINUTE, [50, 100])
  if (rng.chance(0.08)) window("queue", "error", 1 * MINUTE, [50, 100])
  return windows
}

const richpanelProfile = (rng: Rng): RichpanelProfile => ({
  ...calmRichpanel,
  retryAfterShare: rng.pick([0, 0.5, 1]),
  replyLatencyMs: rng.chance(0.3) ? [2_000, 25_000] : calmRichpanel.replyLatencyMs,
  // Mostly seconds of lag; sometimes minutes, longer than the worker waits (it then decides on the webhook).
  ...(rng.chance(0.3)
    ? { staleReadShare: rng.int(10, 50) / 100, staleLagMs: [500, rng.chance(0.25) ? rng.int(40_000, 120_000) : rng.int(2_000, 25_000)] as const }
    : {}),
  otherIntegrationsPer30s: rng.chance(0.25) ? rng.int(5, 30) : 0
})

const HOSTILE: ReadonlyArray<{ readonly label: string; readonly body: () => string; readonly expect: "2xx" | "4xx" }> = [
  { label: "not json", body: () => "{not json", expect: "4xx" },
  { label: "no conversation id", body: () => JSON.stringify({ text: "hello" }), expect: "4xx" },
  { label: "array body", body: () => "[1,2,3]", expect: "4xx" },
  {
    label: "87k empty attachments",
    body: () => JSON.stringify({ conversation_id: "hostile-1", message_id: "h-1", text: "see attached", attachments: Array.from({ length: 87_000 }, () => ({})) }),
    expect: "2xx"
  },
  { label: "deep nesting", body: () => `{"conversation_id":"hostile-2","tags":${"[".repeat(5_000)}${"]".repeat(5_000)}}`, expect: "4xx" }
]

export const generate = (seed: number): Script => {
  const rng = new Rng(seed)
  const who = people(rng.fork("people"))
  const stock = orders(rng.fork("orders"), seed, who)
  const conversationRng = rng.fork("conversations")
  const plans = Array.from({ length: conversationRng.int(2, 9) }, (_, i) => conversationPlan(conversationRng.fork(`c${i}`), i, who, stock))
  const actions: Array<Action> = plans.flatMap((p) => p.actions)
  const span = Math.max(...actions.map((a) => a.at), 10 * MINUTE)

  const ops = rng.fork("operator")
  if (ops.chance(0.2)) {
    const at = ops.int(0, span)
    const mode: Mode = ops.pick(["route-only", "shadow"])
    actions.push({ at, kind: "mode", mode })
    if (ops.chance(0.5)) actions.push({ at: at + ops.int(30 * SECOND, 20 * MINUTE), kind: "mode", mode: null })
  }
  const hostile = rng.fork("hostile")
  if (hostile.chance(0.1)) {
    const pick = hostile.pick(HOSTILE)
    actions.push({ at: hostile.int(0, span), kind: "raw-webhook", label: pick.label, body: pick.body(), expect: pick.expect })
  }
  actions.sort((a, b) => a.at - b.at)

  const setup = rng.fork("setup")
  const crashes = rng.fork("crashes")
  return {
    name: `seed ${seed}`,
    seed,
    mode: setup.weighted<Mode>([[70, "live"], [20, "route-only"], [10, "shadow"]]),
    botAuthorKnown: setup.chance(0.9),
    pollers: setup.int(1, 3),
    people: who,
    orders: stock,
    conversations: plans.map((p) => p.conversation),
    actions,
    richpanel: richpanelProfile(rng.fork("richpanel")),
    faults: faultWindows(rng.fork("faults"), actions.map((a) => a.at)),
    crashes: {
      worker: crashes.chance(0.3) ? Array.from({ length: crashes.int(1, 2) }, () => crashes.int(1, 250)) : [],
      ingress: crashes.chance(0.15) ? [crashes.int(1, 40)] : []
    }
  }
}
