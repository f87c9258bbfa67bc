import { Clock, Effect, Option } from "effect"
import type { EventEnvelope } from "../../domain/Envelope.js"
import { channelClass } from "../../domain/normalise.js"
import { extractOrderNumber } from "../../domain/OrderNumber.js"
import { applyAwaitingChange, decide } from "../../domain/Policy.js"
import { redact } from "../../domain/redact.js"
import { humanHasReplied, latestComments, skipReason } from "../../domain/SkipRules.js"
import { screenHandover, screenTier0 } from "../../domain/KeywordScreen.js"
import { ticketFromEnvelope } from "../../layers/DryRunRichpanel.js"
import { ConversationStore } from "../../services/ConversationStore.js"
import { ModeSwitch } from "../../services/ModeSwitch.js"
import { Richpanel, type Ticket } from "../../services/Richpanel.js"
import { WorkerSettings } from "../../services/WorkerSettings.js"
import { claim, complete, messageKey } from "./Claims.js"
import { classifyMessage } from "./ClassifyMessage.js"
import * as Downstreams from "./Downstreams.js"
import { executePlan } from "./ExecutePlan.js"
import { recordOutcome } from "./RecordOutcome.js"
import { MessageInProgress, WaitForDependency } from "./WorkerErrors.js"

/**
 * The ticket as Richpanel has it now (the webhook may carry only an id). A ticket Richpanel no longer knows is
 * `None`; one it returns but we cannot read falls back to what the webhook said, so the customer is still routed.
 */
const loadTicket = Effect.fn("Worker.loadTicket")(function* (envelope: EventEnvelope) {
  const richpanel = yield* Richpanel
  return yield* Downstreams.richpanel(richpanel.loadTicket(envelope)).pipe(
    Effect.map(Option.some<Ticket>),
    Effect.catchTags({
      RichpanelNotFound: () => Effect.succeed(Option.none<Ticket>()),
      RichpanelInvalid: (error) =>
        Effect.logWarning("ticket unreadable; deciding on the webhook payload", error.reason).pipe(
          Effect.as(Option.some(ticketFromEnvelope(envelope)))
        )
    })
  )
})

const storeDown = (what: string) => () => new WaitForDependency({ dependency: "store", reason: `${what} unavailable` })

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
  const ticket = found.value

  const skip = skipReason(envelope, ticket, botAuthorId)
  const comment = latestComments(ticket).latestCustomer
  if (skip !== null || comment === undefined) {
    return yield* recordOutcome(envelope, { outcome: "skipped", reason: skip ?? "no-customer-message" })
  }

  const key = messageKey(envelope.conversation_id, comment.id)
  const claimed = yield* claim(key)
  if (claimed._tag === "InProgress") return yield* new MessageInProgress({ key })
  if (claimed._tag === "Completed") {
    const first = (claimed.data as { readonly event_id?: string } | null)?.event_id
    // The same event redelivered was recorded the first time; a different event for the same message is noted.
    if (first === envelope.event_id) return
    return yield* recordOutcome(envelope, { outcome: "skipped", reason: "duplicate-message" })
  }

  const conversations = yield* ConversationStore
  const state = yield* conversations.get(envelope.conversation_id).pipe(Effect.mapError(storeDown("conversation state")))
  const mode = yield* Effect.flatMap(ModeSwitch, (modes) => modes.effectiveMode)
  const now = yield* Clock.currentTimeMillis
  const channel = ticket.channelRaw === undefined ? envelope.channel : channelClass(ticket.channelRaw)
  const text = comment.text
  const orderNumber = extractOrderNumber(text)
  const humanReplied = state.human_replied || humanHasReplied(ticket, botAuthorId)
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
  const plan = decide({
    classification: classified.result,
    tier0Hits,
    handoverSignals,
    message: { channel, attachmentOnly: text.trim() === "" && comment.attachmentCount > 0, ...(orderNumber === undefined ? {} : { orderNumber }) },
    ticketStatus: ticket.status,
    state: { ...state, human_replied: humanReplied },
    mode,
    now,
    config: settings.routing
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
          last_comment_id: comment.id,
          auto_replies: execution.replied ? [...next.auto_replies, now] : next.auto_replies
        }
      })
      .pipe(Effect.mapError(storeDown("conversation state")))
  }

  const classification = classified.result._tag === "Classified" ? classified.result.output : undefined
  yield* recordOutcome(envelope, {
    outcome: execution.replyFailed || execution.routingFailed ? "handed-over" : plan.outcome,
    decision: {
      mode,
      intent: plan.intent,
      secondary_intents: plan.secondaryIntents,
      confidence: plan.confidence,
      team: plan.team,
      tags: plan.addTags,
      reasons: plan.reasons,
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
