import * as Catalogue from "./script/Catalogue.js"
import type { Written } from "./script/Catalogue.js"
import { Rng } from "./engine/Rng.js"
import { type Action, calmRichpanel, type Person, type Script, type SimConversation, type SimOrder, type WebhookPlan } from "./script/Script.js"

/**
 * Named regression scenarios: each defect found by hand, by review or by a generated seed becomes a script here
 * first, fails, and then passes with its fix. They run in `npm test` beside the generated seeds.
 */

const SECOND = 1_000

const jane: Person = { id: "jane", email: "jane.doe@example.com", phone: "+44 7700 900123" }
const sam: Person = { id: "sam", email: "sam.lee@example.com" }
const stranger: Person = { id: "stranger", email: "stranger@example.org", phone: "+1 770 090 0123" }

const janeOrder: SimOrder = {
  name: "#1001",
  id: "5001001",
  ownerId: "jane",
  email: "jane.doe@example.com",
  phone: "+44 7700 900123",
  fulfillment: "FULFILLED",
  tracking: { company: "UPS", number: "1ZJANE0000000001" },
  statusUrl: "https://shop.example/orders/jane1001/authenticate?key=secretjane",
  createdDaysAgo: 3,
  shippingTitle: "Standard Shipping",
  cancelled: false
}

const emailConversation = (id: string, person: Person, profile: SimConversation["profile"] = { email: person.email! }): SimConversation => ({
  id,
  customerId: person.id,
  profile,
  channel: "email"
})

export const flatOnce = (delay = 500): WebhookPlan => ({ shape: "flat", deliveries: [delay] })

const says = (at: number, conversation: string, written: Written, webhook: WebhookPlan = flatOnce()): Action => ({
  at,
  kind: "customer",
  conversation,
  text: written.text,
  truth: written.truth,
  webhook
})

const script = (name: string, parts: Partial<Script> & Pick<Script, "conversations" | "actions">): Script => ({
  name,
  seed: 1,
  mode: "live",
  botAuthorKnown: true,
  pollers: 2,
  people: [jane, sam, stranger],
  orders: [janeOrder],
  richpanel: calmRichpanel,
  faults: [],
  crashes: { worker: [], ingress: [] },
  ...parts,
  actions: [...parts.actions].sort((a, b) => a.at - b.at)
})

const rng = new Rng(7)

/** Defect 1: a quick follow-up written before the bot's reply to the first message lands. */
const quickFollowUp = script("quick follow-ups before the bot's reply lands", {
  richpanel: { ...calmRichpanel, replyLatencyMs: [8_000, 8_000] },
  conversations: [emailConversation("c-follow", jane)],
  actions: [
    says(0, "c-follow", Catalogue.orderQuestionNoNumber(rng)),
    says(3 * SECOND, "c-follow", Catalogue.orderNumberAnswer(rng, "#1001")),
    says(5 * SECOND, "c-follow", Catalogue.ordinaryLabelled("thanks"))
  ]
})

/** Defect 2: genuine messages that merely sound like automatic replies. */
const autoReplyLookAlikes = script("genuine messages that sound like auto-replies", {
  conversations: [emailConversation("c-undeliverable", jane), emailConversation("c-out-of-office", sam), emailConversation("c-vacation", jane, { email: "jane.doe@example.com" })],
  actions: [
    says(0, "c-undeliverable", Catalogue.tier0Exact("My parcel was marked undeliverable and sent back. I will file a chargeback.", "chargeback_dispute", "undeliverable-chargeback")),
    says(0, "c-out-of-office", Catalogue.tier0Exact("I was out of office when UPS came and now it is gone. I am contacting my lawyer.", "legal_threat", "out-of-office-lawyer")),
    says(0, "c-vacation", Catalogue.ordinaryLabelled("vacation-hold"))
  ]
})

/** Defect 3: six quick comments, the first a chargeback threat, all waiting when the worker reads the ticket. */
const tier0InBurst = script("a Tier 0 message hidden in a burst of six", {
  conversations: [emailConversation("c-burst", sam)],
  actions: [
    says(0, "c-burst", Catalogue.tier0Exact("If I don't get my money back I will file a chargeback with my bank.", "chargeback_dispute", "burst-chargeback"), flatOnce(12 * SECOND)),
    ...["return", "damaged", "exchange", "promo", "technical"].map((label, i) =>
      says((i + 1) * SECOND, "c-burst", Catalogue.ordinaryLabelled(label), flatOnce(12 * SECOND)))
  ]
})

/** Defect 4: ticket reads that lag behind the webhook (a brand-new ticket reads as 404, then without the message). */
const staleReads = script("ticket reads that lag behind the webhook", {
  richpanel: { ...calmRichpanel, staleReadShare: 1, staleLagMs: [8_000, 8_000] },
  conversations: [emailConversation("c-lag", jane)],
  actions: [
    says(0, "c-lag", Catalogue.ordinaryLabelled("return")),
    says(60 * SECOND, "c-lag", Catalogue.ordinaryLabelled("damaged"))
  ]
})

/** Defect 5: a customer whose message starts with our own note marker. */
const customerAsBot = script("a customer message starting with the bot's note marker", {
  conversations: [emailConversation("c-marker", sam)],
  actions: [says(0, "c-marker", Catalogue.ordinaryLabelled("marker-prefix"))]
})

/** Defect 6: threats in the encodings real mail produces; one conversation per disguise. */
const disguisedThreats = script("Tier 0 keywords in entities, invisible characters, look-alikes and spaced letters", {
  conversations: Catalogue.DISGUISE_NAMES.flatMap((name) => [0, 1, 2].map((k) => emailConversation(`c-${name}-${k}`, sam))),
  actions: Catalogue.DISGUISE_NAMES.flatMap((name, i) =>
    [0, 1, 2].map((k) => {
      const texts = [
        ["I will file a chargeback with my bank.", "chargeback", "chargeback_dispute"],
        ["I didn't authorize this purchase.", "didn't authorize", "fraud_suspected"],
        ["Fix this now or you'll regret it.", "you'll regret", "harassment_threats"]
      ] as const
      const [text, keyword, intent] = texts[k]!
      const disguised = Catalogue.disguise(name, keyword)
      return says(i * 10 * SECOND + k * SECOND, `c-${name}-${k}`, Catalogue.tier0Exact(text.replace(keyword, disguised), intent, `${intent}/${name}`))
    }))
})

/** Defect 7: strangers testing contacts against someone else's order. */
const strangers = script("strangers testing contacts against an order", {
  conversations: [
    emailConversation("c-listing", stranger, {}),
    emailConversation("c-claiming", stranger),
    { id: "c-phone", customerId: "stranger", profile: { phone: "+1 770 090 0123" }, channel: "email" }
  ],
  actions: [
    says(0, "c-listing", Catalogue.strangerListing("#1001", "jane.doe@example.com", 300)),
    says(0, "c-claiming", Catalogue.strangerClaiming("#1001", "jane.doe@example.com")),
    says(0, "c-phone", { text: "Where is my order #1001?", truth: { kind: "genuine", label: "stranger-phone" } })
  ]
})

/** Defect 8: a valid webhook whose empty attachments blow the envelope past SQS's size limit. */
const hugeEnvelope = script("a webhook with 87,000 empty attachments", {
  conversations: [],
  actions: [{
    at: 0,
    kind: "raw-webhook",
    label: "87k empty attachments",
    body: JSON.stringify({ conversation_id: "hostile-1", message_id: "h-1", text: "see attached", attachments: Array.from({ length: 87_000 }, () => ({})) }),
    expect: "2xx"
  }]
})

/**
 * Defect 9: the worker Lambda at the largest batch size the stack accepts, under a burst: records not started
 * before the invocation's deadline go back unstarted and reach the DLQ without an outcome.
 */
const lambdaBatches = script("a burst through Lambda batches at the stack's largest batch size", {
  pollers: 1,
  richpanel: { ...calmRichpanel, latencyMs: [600, 1_500] },
  conversations: Array.from({ length: 60 }, (_, i) => emailConversation(`c-batch-${i}`, i % 2 === 0 ? jane : sam)),
  actions: Array.from({ length: 60 }, (_, i) => says(i * 100, `c-batch-${i}`, Catalogue.ordinaryLabelled("return"))),
  consumer: "lambda"
})

// ---- found by the adversarial review of the fixes above -----------------------------------------------------

/** R1: a chargeback line, then 54 chat lines while Richpanel is down: all 55 undecided when the worker reads. */
const longChatBurst = script("a chargeback chat line followed by 54 lines during a Richpanel outage", {
  conversations: [{ ...emailConversation("c-chat", jane), channel: "livechat" }],
  faults: [{ target: "richpanel", kind: "error", from: 0, to: 60 * SECOND, rate: 1 }],
  actions: [
    says(0, "c-chat", Catalogue.tier0Exact("I am going to file a chargeback.", "chargeback_dispute", "chat-chargeback")),
    ...Array.from({ length: 54 }, (_, i) =>
      says(SECOND + i * 500, "c-chat", { text: `line ${i + 1}: and the jacket still does not fit`, truth: { kind: "genuine", label: "chat-line" } }))
  ]
})

/** R3: the threat is in the e-mail's subject only. */
const threatInSubject = script("a chargeback threat in the subject, a return request in the body", {
  conversations: [{ ...emailConversation("c-subject", sam), subject: "Filing a chargeback with my bank today" }],
  actions: [says(0, "c-subject", { text: Catalogue.ordinaryLabelled("return").text, truth: { kind: "genuine", tier0: "chargeback_dispute", label: "subject-chargeback" } })]
})

const longThreat = `I would like to return the jacket I bought last week. ${
  "The jacket does not fit and I would like to return it. ".repeat(80)
} If this is not sorted I will file a chargeback with my bank.`

/** R4: a threat past the 4,000 characters a webhook payload keeps, on a ticket Richpanel will not let us read. */
const threatPastThePayload = script("a threat beyond the payload's 4,000 characters, decided without the ticket", {
  conversations: [emailConversation("c-long", jane)],
  faults: [{ target: "richpanel", kind: "invalid", from: 0, to: 10 * 60 * SECOND, rate: 1 }],
  actions: [says(0, "c-long", Catalogue.tier0Exact(longThreat, "chargeback_dispute", "long-chargeback"))]
})

/** R6: the worker dies after writing a burst's pointers; the retried read lags minutes behind. */
const crashThenLag = script("a crash while deciding a burst, then a read minutes behind", {
  richpanel: { ...calmRichpanel, staleReadShare: 0.5, staleLagMs: [185_000, 235_000] },
  conversations: [emailConversation("c-ptr", jane)],
  crashes: { worker: [9], ingress: [] },
  actions: [
    says(0, "c-ptr", Catalogue.tier0Exact("I will file a chargeback with my bank if this is not fixed.", "chargeback_dispute", "C-chargeback"), flatOnce(61 * SECOND)),
    says(60 * SECOND, "c-ptr", Catalogue.ordinaryLabelled("return"), { shape: "flat", deliveries: [] })
  ]
})

/** R7: customers whose words match autoresponder templates. */
const autoReplyTemplatesInCustomerWords = script("customers whose words match autoresponder templates", {
  conversations: ["c-travel", "c-away", "c-b2b"].map((id) => emailConversation(id, sam)),
  actions: [
    says(0, "c-travel", { text: "I'm travelling until Friday, so please hold my parcel. If it is urgent, call me on my mobile.", truth: { kind: "genuine", label: "travelling" } }),
    says(0, "c-away", { text: "I am away on holiday next week. For urgent matters about my order please call me.", truth: { kind: "genuine", label: "away" } }),
    says(0, "c-b2b", { text: "We have received your email but your automated reply did not answer my question about the refund.", truth: { kind: "genuine", label: "b2b" } })
  ]
})

/** R8: characters SQS refuses in a message body. */
const noncharacters = script("a message holding U+FFFF and U+FFFE", {
  conversations: [emailConversation("c-fffe", jane)],
  actions: [says(0, "c-fffe", Catalogue.noncharacters())]
})

/** R9: a customer reopens a closed ticket, and the read lags behind both the closing and the message. */
const reopenOnLaggingRead = script("a customer reopening a closed ticket, read through a lagging replica", {
  richpanel: { ...calmRichpanel, staleReadShare: 1, staleLagMs: [90_000, 90_000] },
  conversations: [emailConversation("c-reopen", jane)],
  actions: [
    says(0, "c-reopen", Catalogue.ordinaryLabelled("damaged")),
    { at: 200 * SECOND, kind: "agent", conversation: "c-reopen", text: "Sorry about that, a new lid is on its way.", close: true },
    says(400 * SECOND, "c-reopen", Catalogue.ordinaryLabelled("refund"))
  ]
})

export const scenarios: ReadonlyArray<{ readonly defect: number | string; readonly script: Script }> = [
  { defect: 1, script: quickFollowUp },
  { defect: 2, script: autoReplyLookAlikes },
  { defect: 3, script: tier0InBurst },
  { defect: 4, script: staleReads },
  { defect: 5, script: customerAsBot },
  { defect: 6, script: disguisedThreats },
  { defect: 7, script: strangers },
  { defect: 8, script: hugeEnvelope },
  { defect: 9, script: lambdaBatches },
  { defect: "R1", script: longChatBurst },
  { defect: "R3", script: threatInSubject },
  { defect: "R4", script: threatPastThePayload },
  { defect: "R6", script: crashThenLag },
  { defect: "R7", script: autoReplyTemplatesInCustomerWords },
  { defect: "R8", script: noncharacters },
  { defect: "R9", script: reopenOnLaggingRead }
]
