import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import { burstText, identifiedLoosely } from "../../domain/Burst.js"
import { deliverySettings } from "../../domain/DeliveryConfig.js"
import type { EventEnvelope } from "../../domain/Envelope.js"
import { screenHandover, screenTier0 } from "../../domain/KeywordScreen.js"
import { channelClass } from "../../domain/normalise.js"
import { scanOrderNumbers } from "../../domain/OrderNumber.js"
import { applyAwaitingChange, decide } from "../../domain/Policy.js"
import { burstSkipReason, humanHasReplied, isAutoReply, isOwnComment, notFromCustomer } from "../../domain/SkipRules.js"
import type { IntentId } from "../../domain/Taxonomy.js"
import { ConversationStore } from "../../services/ConversationStore.js"
import { ModeSwitch } from "../../services/ModeSwitch.js"
import type { Ticket, TicketComment } from "../../services/Richpanel.js"
import { WorkerSettings } from "../../services/WorkerSettings.js"
import { claim, complete, eventKey, exists, lookup, messageKey, replyKey } from "./Claims.js"
import { classifyMessage } from "./ClassifyMessage.js"
import { decisionRecord } from "./DecisionRecord.js"
import { executePlan, handOverUnread } from "./ExecutePlan.js"
import { findOrder } from "./FindOrder.js"
import { readTicket } from "./ReadTicket.js"
import { recordOutcome } from "./RecordOutcome.js"
import { type CoveredBy, coveringClaim, type Decided, unprocessedBurst } from "./UnprocessedBurst.js"
import { MessageInProgress, storeUnavailable, TicketNotReady } from "./WorkerErrors.js"

/** The ticket without the comments our own earlier attempt added after `commentId` (an agent's stay visible). */
const withoutOwnLaterComments = (ticket: Ticket, commentId: string, botAuthorId: string | undefined): Ticket => {
  const index = ticket.comments.findIndex((c) => c.id === commentId)
  if (index < 0) return ticket
  const later = ticket.comments.slice(index + 1).filter((c) => !isOwnComment(c, botAuthorId))
  return { ...ticket, comments: [...ticket.comments.slice(0, index + 1), ...later] }
}

/** The policy is pure and fast, but it is a pipeline step: its own span shows it in the trace. */
const decideTraced = (input: Parameters<typeof decide>[0]) => Effect.sync(() => decide(input)).pipe(Effect.withSpan("Worker.decide"))

/**
 * Tier 0 hits of every message of the burst, each read whole (product spec §4.2: misses are not acceptable); the
 * ticket's subject is read with its first message, which it belongs to.
 */
const screenEach = (comments: ReadonlyArray<TicketComment>, ticket: Ticket, routing: WorkerSettings["Type"]["routing"]) => {
  const first = ticket.comments.find((c) => !c.isOperator && !c.isPrivate)?.id
  const texts = comments.map((c) => (c.id === first && ticket.subject !== undefined ? `${ticket.subject}\n${c.text}` : c.text))
  return {
    tier0Hits: [...new Set(texts.flatMap((text) => screenTier0(text, routing)))] as ReadonlyArray<IntentId>,
    handoverSignals: [...new Set(texts.flatMap((text) => screenHandover(text, routing)))]
  }
}

/**
 * Marks a burst decided: its newest message's claim, then the older messages' pointers to it — so a read that lags
 * behind (and does not show the newest message yet) still finds them decided. Written after the claim completes, a
 * pointer never outlives a burst that crashed undecided.
 */
const completeBurst = (envelope: EventEnvelope, comments: ReadonlyArray<TicketComment>, fromWebhook: boolean) => {
  const head = comments.at(-1)!
  const messages = comments.map((c) => c.id)
  const decided: Decided = { event_id: envelope.event_id, messages, ...(fromWebhook ? { alone: true as const } : {}) }
  return complete(messageKey(envelope.conversation_id, head.id), decided).pipe(
    Effect.zipRight(Effect.forEach(comments.slice(0, -1), (c) =>
      complete(messageKey(envelope.conversation_id, c.id), { event_id: envelope.event_id, covered_by: head.id } satisfies CoveredBy), { discard: true })),
  )
}

/**
 * A payload without a message id names no message, so a delivery that comes back (after a crash, or a wait) may find
 * newer messages on the ticket. The event is pinned to the message it first claimed, and resumes that one.
 */
const pinnedMessage = Effect.fn("Worker.pinnedMessage")(function*(envelope: EventEnvelope, ticket: Ticket) {
  if (!identifiedLoosely(envelope)) return Option.none<TicketComment>()
  const pin = yield* lookup(eventKey(envelope.event_id))
  const head = Option.isSome(pin) ? (pin.value.data as { readonly head?: unknown } | null)?.head : undefined
  return Option.fromNullable(typeof head === "string" ? ticket.comments.find((c) => c.id === head) : undefined)
})

/**
 * The announced message is outside the burst being decided: decided already — by this very event, delivered again
 * (its first record stands), or by another (noted as a duplicate) — or, when nothing decided it (older than a burst
 * too long to walk back), false.
 */
const decidedAlready = Effect.fn("Worker.decidedAlready")(function*(envelope: EventEnvelope, ticket: Ticket, announced: TicketComment, receiveCount: number) {
  // Without a message id the message we found may be an older one, on a lagging read: look once more.
  if (identifiedLoosely(envelope) && receiveCount < 2) return yield* new TicketNotReady({ reason: "no new customer message on the ticket yet" })
  const covering = yield* coveringClaim(envelope.conversation_id, ticket, announced)
  if (Option.isNone(covering)) return false
  const first = covering.value as { readonly event_id?: string } | null | undefined
  if (first?.event_id !== envelope.event_id) yield* recordOutcome(envelope, { outcome: "skipped", reason: "duplicate-message" })
  return true
})

/**
 * One queued event, end to end: re-read the ticket until it shows the announced message, skip what is not a
 * customer's, find the burst of messages nobody has decided yet, claim it, screen every message of it for Tier 0,
 * skip what must not be answered, classify, decide, act in the current mode, remember, record. Every path ends in a
 * recorded outcome; what cannot finish now fails (`WaitForDependency`, `MessageInProgress`, `TicketNotReady`) and
 * comes back from the queue.
 */
export const processEnvelope = Effect.fn("Worker.processEvent")(function*(envelope: EventEnvelope, receiveCount = 1) {
  const settings = yield* WorkerSettings
  const botAuthorId = Option.getOrUndefined(settings.botAuthorId)
  const read = yield* readTicket(envelope, receiveCount)
  if (read._tag === "NotFound" && read.reason === "ticket-unreadable") {
    const mode = yield* Effect.flatMap(ModeSwitch, (modes) => modes.effectiveMode)
    const actions = yield* handOverUnread(envelope.conversation_id, mode)
    return yield* recordOutcome(envelope, { outcome: "handed-over", reason: read.reason, actions })
  }
  if (read._tag === "NotFound") return yield* recordOutcome(envelope, { outcome: "skipped", reason: read.reason })
  const { fromWebhook, ticket } = read
  const announced = Option.getOrElse(yield* pinnedMessage(envelope, ticket), () => read.announced)
  if (announced === undefined) {
    const reason = envelope.message.from_operator === true ? "operator-message" : "no-customer-message"
    return yield* recordOutcome(envelope, { outcome: "skipped", reason })
  }
  const notCustomer = notFromCustomer(announced, botAuthorId)
  if (notCustomer !== null) return yield* recordOutcome(envelope, { outcome: "skipped", reason: notCustomer, messages: [announced.id] })

  const newest = yield* unprocessedBurst(envelope.conversation_id, ticket)
  const inNewest = newest.comments.some((c) => c.id === announced.id)
  if (!inNewest && (yield* decidedAlready(envelope, ticket, announced, receiveCount))) return
  // Not decided, yet older than the newest burst reaches: decided as the newest message of its own burst.
  const burst = inNewest ? newest : yield* unprocessedBurst(envelope.conversation_id, ticket, announced)
  const head = burst.comments.at(-1)!
  const messages = burst.comments.map((c) => c.id)
  const key = messageKey(envelope.conversation_id, head.id)
  const claimed = yield* claim(key)
  if (claimed._tag === "InProgress") return yield* new MessageInProgress({ key })
  if (claimed._tag === "Completed") {
    yield* decidedAlready(envelope, ticket, announced, receiveCount)
    return
  }
  if (identifiedLoosely(envelope)) yield* complete(eventKey(envelope.event_id), { head: head.id })
  // Resuming a crashed attempt: judge the burst as it was, before any comment our own first attempt added.
  const asReceived = claimed.takeover ? withoutOwnLaterComments(ticket, head.id, botAuthorId) : ticket

  // The screen runs first and sees every message whole: a Tier 0 hit reaches humans whatever it is bundled with.
  const { handoverSignals, tier0Hits } = screenEach(burst.comments, ticket, settings.routing)
  const genuine = burst.comments.filter((c) => !isAutoReply(c, ticket))
  const senderEmail = ticket.customerEmail ?? envelope.customer.email
  const skip = burstSkipReason(asReceived, { genuine: genuine.length }, senderEmail)
  if (skip !== null && tier0Hits.length === 0) {
    yield* recordOutcome(envelope, { outcome: "skipped", reason: skip, messages })
    return yield* completeBurst(envelope, burst.comments, fromWebhook)
  }
  const decidedOn = genuine.length > 0 ? genuine : burst.comments

  const conversations = yield* ConversationStore
  const state = yield* conversations.get(envelope.conversation_id).pipe(Effect.mapError(storeUnavailable("conversation state")))
  const currentMode = yield* Effect.flatMap(ModeSwitch, (modes) => modes.effectiveMode)
  // A crashed attempt may have answered part of this burst already: it must not be answered again.
  const answeredEarlier = yield* Effect.forEach(burst.interrupted, (id) => exists(replyKey(envelope.conversation_id, id)))
  // A ticket rebuilt from the webhook may miss our earlier reply or an agent's: it can route, never reply.
  const replyBlocked = fromWebhook
    ? "ticket:unreadable-used-webhook"
    : answeredEarlier.some(Boolean)
    ? "reply:earlier-attempt-may-have-answered"
    : burst.truncated
    ? "burst:too-long-to-screen"
    : null
  // What was not read cannot be vouched for: a burst too long to walk, or a message known only by its cut payload.
  const unscreened = burst.truncated || (fromWebhook && envelope.message.truncated)
  const mode = replyBlocked !== null && currentMode === "live" ? "route-only" : currentMode
  const now = yield* Clock.currentTimeMillis
  const channel = ticket.channelRaw === undefined ? envelope.channel : channelClass(ticket.channelRaw)
  const text = burstText(decidedOn.map((c) => c.text))
  const orderScan = scanOrderNumbers(text)
  const orderNumber = orderScan._tag === "Found" ? orderScan.orderNumber : undefined
  const humanReplied = state.human_replied || humanHasReplied(asReceived, botAuthorId)
  // A crashed attempt may already have counted its reply to this very message; FIFO order per conversation makes
  // it the newest entry. It must not hold back its own message (SendReplyOnce still never sends twice).
  const ownReplyCounted = claimed.takeover && (yield* exists(replyKey(envelope.conversation_id, head.id)))
  const autoReplies = ownReplyCounted ? state.auto_replies.slice(0, -1) : state.auto_replies
  const attachments = decidedOn.reduce((sum, c) => sum + c.attachmentCount, 0)

  const classified = yield* classifyMessage({
    text,
    channel,
    hasOrderNumber: orderNumber !== undefined,
    hasEmail: senderEmail !== undefined,
    hasPhone: (ticket.customerPhone ?? envelope.customer.phone) !== undefined,
    attachmentCount: attachments
  })
  const policyInput = {
    classification: classified.result,
    tier0Hits,
    handoverSignals: unscreened ? [...handoverSignals, "human_requested" as const] : handoverSignals,
    message: { channel, attachmentOnly: text.trim() === "" && attachments > 0, ...(orderNumber === undefined ? {} : { orderNumber }) },
    ticketStatus: ticket.status,
    state: { ...state, human_replied: humanReplied, auto_replies: autoReplies },
    mode,
    now,
    config: settings.routing
  }
  const firstPlan = yield* decideTraced(policyInput)
  // Order status: the policy asks for the order only when its reply could go out; the finding picks that reply.
  const plan = firstPlan.orderLookup === null ? firstPlan : yield* decideTraced({
    ...policyInput,
    orderFinding: yield* findOrder({
      conversationId: envelope.conversation_id,
      orderNumber: firstPlan.orderLookup.orderNumber,
      severalNumbers: orderScan._tag === "Ambiguous",
      email: senderEmail,
      phone: ticket.customerPhone ?? envelope.customer.phone,
      text,
      now,
      delivery: deliverySettings(settings.routing.delivery)
    })
  })

  const execution = yield* executePlan({
    plan,
    mode,
    envelope,
    ticket,
    customerCommentId: head.id,
    replyChannel: channel === "livechat" ? "livechat" : "email"
  })

  if (mode !== "shadow") {
    yield* conversations
      .update(envelope.conversation_id, (current) => {
        const awaitingChange = plan.stateChange.awaiting === "start" && !execution.replied ? "keep" : plan.stateChange.awaiting
        const next = applyAwaitingChange(current, awaitingChange, now, settings.routing)
        return { ...next, human_replied: next.human_replied || humanReplied, last_comment_id: head.id }
      })
      .pipe(Effect.mapError(storeUnavailable("conversation state")))
  }

  yield* recordOutcome(envelope, {
    outcome: execution.replyFailed || execution.routingFailed ? "handed-over" : plan.outcome,
    messages,
    decision: decisionRecord({
      mode,
      plan,
      classified,
      tier0Hits,
      handoverSignals,
      extraReasons: [
        ...(replyBlocked === null ? [] : [replyBlocked]),
        ...(fromWebhook && envelope.message.truncated ? ["message:cut-in-payload"] : []),
        ...(skip === null ? [] : [`tier0-overrides-skip:${skip}`])
      ],
      configVersion: settings.routing.version
    }),
    actions: execution.actions
  })
  yield* completeBurst(envelope, burst.comments, fromWebhook)
})
