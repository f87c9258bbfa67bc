import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import type { EventEnvelope } from "../../domain/Envelope.js"
import { deliverySettings } from "../../domain/DeliveryConfig.js"
import { channelClass } from "../../domain/normalise.js"
import { scanOrderNumbers } from "../../domain/OrderNumber.js"
import { applyAwaitingChange, decide } from "../../domain/Policy.js"
import { redact } from "../../domain/redact.js"
import { humanHasReplied, isOwnComment, latestComments, skipReason } from "../../domain/SkipRules.js"
import { screenHandover, screenTier0 } from "../../domain/KeywordScreen.js"
import { ticketFromEnvelope } from "../../layers/DryRunRichpanel.js"
import { ConversationStore } from "../../services/ConversationStore.js"
import { ModeSwitch } from "../../services/ModeSwitch.js"
import { Richpanel, type Ticket } from "../../services/Richpanel.js"
import { WorkerSettings } from "../../services/WorkerSettings.js"
import { claim, complete, exists, messageKey, replyKey } from "./Claims.js"
import { classifyMessage } from "./ClassifyMessage.js"
import * as Downstreams from "./Downstreams.js"
import { executePlan } from "./ExecutePlan.js"
import { findOrder } from "./FindOrder.js"
import { recordOutcome } from "./RecordOutcome.js"
import { MessageInProgress, storeUnavailable } from "./WorkerErrors.js"

/**
 * The ticket as Richpanel has it now (the webhook may carry only an id). A ticket Richpanel no longer knows is
 * `None`; one it returns but we cannot read falls back to what the webhook said, so the customer is still routed.
 */
const loadTicket = Effect.fn("Worker.loadTicket")(function* (envelope: EventEnvelope) {
  const richpanel = yield* Richpanel
  return yield* Downstreams.richpanel(richpanel.loadTicket(envelope)).pipe(
    Effect.map((ticket) => Option.some({ ticket, fromWebhook: false })),
    Effect.catchTags({
      RichpanelNotFound: () => Effect.succeed(Option.none()),
      RichpanelInvalid: (error) =>
        Effect.logWarning("ticket unreadable; deciding on the webhook payload (route only)", error.reason).pipe(
          Effect.as(Option.some({ ticket: ticketFromEnvelope(envelope), fromWebhook: true }))
        )
    })
  )
})

/** The ticket without the comments our own earlier attempt added after `commentId` (an agent's stay visible). */
const withoutOwnLaterComments = (ticket: Ticket, commentId: string, botAuthorId: string | undefined): Ticket => {
  const index = ticket.comments.findIndex((c) => c.id === commentId)
  if (index < 0) return ticket
  const later = ticket.comments.slice(index + 1).filter((c) => !isOwnComment(c, botAuthorId))
  return { ...ticket, comments: [...ticket.comments.slice(0, index + 1), ...later] }
}

/** Enough for a burst of messages; bounded so a long history (e.g. in shadow mode, which keeps no state) stays short. */
const MAX_BURST_COMMENTS = 5

/**
 * The customer's words since the last message we processed: in a burst (or after a backlog) several comments
 * arrive before we get to them, and a chargeback in the first must not be hidden by a return request in the last.
 */
const unprocessedCustomerComments = (ticket: Ticket, commentId: string, lastProcessed: string | undefined) => {
  const end = ticket.comments.findIndex((c) => c.id === commentId)
  const start = lastProcessed === undefined ? -1 : ticket.comments.findIndex((c) => c.id === lastProcessed)
  return ticket.comments
    .slice(start + 1, end + 1)
    .filter((c) => !c.isOperator && !c.isPrivate)
    .slice(-MAX_BURST_COMMENTS)
}


/** The policy is pure and fast, but it is a pipeline step: its own span shows it in the trace. */
const decideTraced = (input: Parameters<typeof decide>[0]) => Effect.sync(() => decide(input)).pipe(Effect.withSpan("Worker.decide"))

/**
 * One queued event, end to end: re-read the ticket, skip what must not be answered, claim the customer message,
 * screen, classify, decide, act in the current mode, remember, record. Every path ends in a recorded outcome;
 * what cannot finish now fails with `WaitForDependency` / `MessageInProgress` and comes back from the queue.
 */
export const processEnvelope = Effect.fn("Worker.processEvent")(function* (envelope: EventEnvelope) {
  const settings = yield* WorkerSettings
  const botAuthorId = Option.getOrUndefined(settings.botAuthorId)
  const found = yield* loadTicket(envelope)
  if (Option.isNone(found)) return yield* recordOutcome(envelope, { outcome: "skipped", reason: "ticket-not-found" })
  const { fromWebhook, ticket } = found.value

  const comment = latestComments(ticket).latestCustomer
  if (comment === undefined) {
    const reason = skipReason(envelope, ticket, botAuthorId) ?? "no-customer-message"
    return yield* recordOutcome(envelope, { outcome: "skipped", reason })
  }

  // The claim comes before the skip rules: once we have replied, our reply is the ticket's latest comment, and a
  // redelivery (or a retry after a crash) must be recognised as that, not skipped as "our own note".
  const key = messageKey(envelope.conversation_id, comment.id)
  const claimed = yield* claim(key)
  if (claimed._tag === "InProgress") return yield* new MessageInProgress({ key })
  if (claimed._tag === "Completed") {
    const first = (claimed.data as { readonly event_id?: string } | null)?.event_id
    // The same event redelivered keeps the decision recorded the first time; another event for it is noted.
    if (first === envelope.event_id) return
    return yield* recordOutcome(envelope, { outcome: "skipped", reason: "duplicate-message" })
  }
  // Resuming a crashed attempt: judge the message as it was, before any comment our own first attempt added.
  const asReceived = claimed.takeover ? withoutOwnLaterComments(ticket, comment.id, botAuthorId) : ticket
  const skip = skipReason(envelope, asReceived, botAuthorId)
  if (skip !== null) {
    yield* recordOutcome(envelope, { outcome: "skipped", reason: skip, messages: [comment.id] })
    return yield* complete(key, { event_id: envelope.event_id })
  }

  const conversations = yield* ConversationStore
  const state = yield* conversations.get(envelope.conversation_id).pipe(Effect.mapError(storeUnavailable("conversation state")))
  const currentMode = yield* Effect.flatMap(ModeSwitch, (modes) => modes.effectiveMode)
  // A ticket rebuilt from the webhook may miss our earlier reply or an agent's: it can route, never reply.
  const mode = fromWebhook && currentMode === "live" ? "route-only" : currentMode
  const now = yield* Clock.currentTimeMillis
  const channel = ticket.channelRaw === undefined ? envelope.channel : channelClass(ticket.channelRaw)
  const burst = unprocessedCustomerComments(asReceived, comment.id, state.last_comment_id)
  const text = burst.map((c) => c.text).join("\n\n") || comment.text
  const messages = burst.length > 0 ? burst.map((c) => c.id) : [comment.id]
  const orderScan = scanOrderNumbers(text)
  const orderNumber = orderScan._tag === "Found" ? orderScan.orderNumber : undefined
  const humanReplied = state.human_replied || humanHasReplied(asReceived, botAuthorId)
  // A crashed attempt may already have counted its reply to this very message; FIFO order per conversation makes
  // it the newest entry. It must not hold back its own message (SendReplyOnce still never sends twice).
  const ownReplyCounted = claimed.takeover && (yield* exists(replyKey(envelope.conversation_id, comment.id)))
  const autoReplies = ownReplyCounted ? state.auto_replies.slice(0, -1) : state.auto_replies
  const tier0Hits = screenTier0(text, settings.routing)
  const handoverSignals = screenHandover(text, settings.routing)

  const classified = yield* classifyMessage({
    text,
    channel,
    hasOrderNumber: orderNumber !== undefined,
    hasEmail: (ticket.customerEmail ?? envelope.customer.email) !== undefined,
    hasPhone: (ticket.customerPhone ?? envelope.customer.phone) !== undefined,
    attachmentCount: comment.attachmentCount
  })
  const policyInput = {
    classification: classified.result,
    tier0Hits,
    handoverSignals,
    message: { channel, attachmentOnly: text.trim() === "" && comment.attachmentCount > 0, ...(orderNumber === undefined ? {} : { orderNumber }) },
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
      email: ticket.customerEmail ?? envelope.customer.email,
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
    customerCommentId: comment.id,
    replyChannel: channel === "livechat" ? "livechat" : "email"
  })

  if (mode !== "shadow") {
    yield* conversations
      .update(envelope.conversation_id, (current) => {
        const awaitingChange = plan.stateChange.awaiting === "start" && !execution.replied ? "keep" : plan.stateChange.awaiting
        const next = applyAwaitingChange(current, awaitingChange, now, settings.routing)
        return {
          ...next,
          human_replied: next.human_replied || humanReplied,
          last_comment_id: comment.id
        }
      })
      .pipe(Effect.mapError(storeUnavailable("conversation state")))
  }

  const classification = classified.result._tag === "Classified" ? classified.result.output : undefined
  yield* recordOutcome(envelope, {
    outcome: execution.replyFailed || execution.routingFailed ? "handed-over" : plan.outcome,
    messages,
    decision: {
      mode,
      intent: plan.intent,
      secondary_intents: plan.secondaryIntents,
      confidence: plan.confidence,
      team: plan.team,
      tags: plan.addTags,
      reasons: fromWebhook ? [...plan.reasons, "ticket:unreadable-used-webhook"] : plan.reasons,
      tier0_hits: tier0Hits,
      handover_signals: handoverSignals,
      would_reply: plan.wouldReply?.templateId ?? null,
      reply: plan.reply?.templateId ?? null,
      classifier: {
        source: classified.source,
        ...(classified.model === undefined ? {} : { model: classified.model }),
        ...(classified.promptVersion === undefined ? {} : { prompt_version: classified.promptVersion }),
        ...(classified.usage === undefined ? {} : { usage: classified.usage }),
        ...(classified.result._tag === "Failed" ? { failure: classified.result.reason } : {}),
        ...(classified.fallbackGuess === undefined ? {} : { rules_guess: classified.fallbackGuess }),
        ...(classification === undefined ? {} : {
          language: classification.language,
          sentiment: classification.sentiment,
          urgency: classification.urgency,
          risk_flags: classification.risk_flags,
          reason: redact(classification.reason)
        })
      },
      config_version: settings.routing.version
    },
    actions: execution.actions
  })
  yield* complete(key, { event_id: envelope.event_id })
})
