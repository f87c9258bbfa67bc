import * as Effect from "effect/Effect"
import type { EventEnvelope } from "../../domain/Envelope.js"
import { AWAITING_TAG, type Plan } from "../../domain/Policy.js"
import type { ReplyPlan } from "../../domain/PolicyTypes.js"
import { redact } from "../../domain/redact.js"
import { OWN_NOTE_MARKER } from "../../domain/SkipRules.js"
import { teamSlug } from "../../domain/Taxonomy.js"
import type { Mode } from "../../services/AppConfig.js"
import { ModeSwitch } from "../../services/ModeSwitch.js"
import { Richpanel, type RichpanelError, type Ticket } from "../../services/Richpanel.js"
import { WorkerSettings } from "../../services/WorkerSettings.js"
import * as Downstreams from "./Downstreams.js"
import { sendReplyOnce } from "./SendReplyOnce.js"

export interface Action {
  readonly type: "add_tags" | "remove_tags" | "note" | "reply"
  /** `shadow` = decided, not written (shadow mode). */
  /** `shadow`: decided, not written — shadow mode, or the kill switch stopped it as it was about to leave. */
  readonly status: "done" | "shadow" | "already-sent" | "rejected" | "failed"
  readonly tags?: ReadonlyArray<string>
  readonly template?: string
  /**
   * The reply as rendered from its approved template — sent, or (shadow, route-only) what would have been sent, so a
   * support lead can read the words before switching to live; tracking numbers and links as `[TRACKING]` (§9).
   */
  readonly text?: string
  readonly reason?: string
}

export interface Execution {
  readonly actions: ReadonlyArray<Action>
  /** A reply to this message is out — sent now, or by an earlier attempt that crashed before counting it. */
  readonly replied: boolean
  /** The plan's reply could not be sent: the message was handed to a human instead. */
  readonly replyFailed: boolean
  /** Richpanel refused the routing tags: the note asks a human to route. */
  readonly routingFailed: boolean
}

/** Tags that only become true once the reply is out; written after it, never before. */
const AFTER_REPLY_TAGS = new Set(["mw-auto-replied", AWAITING_TAG])

/** `text` goes to the customer; `recorded` is what the decision record keeps of it. */
type Rendered = { readonly text: string; readonly recorded: string } | { readonly reason: string }

/** Template values that point at the parcel (spec §9: `[TRACKING]` in decision records); longest first. */
const TRACKING_VARIABLES = ["tracking_url", "status_url", "tracking_number"] as const

/**
 * The reply as the decision record keeps it: the template's words and the order name, with the tracking number and
 * links (a status-page link can open the whole order) and anything else `redact` catches replaced by markers.
 */
export const recordedReply = (text: string, variables: Readonly<Record<string, string>>): string =>
  redact(
    TRACKING_VARIABLES.map((name) => variables[name])
      .filter((value): value is string => value !== undefined && value.trim() !== "")
      .reduce((acc, value) => acc.split(value).join("[TRACKING]"), text)
  )

const render = (settings: WorkerSettings["Type"], reply: ReplyPlan, channel: "email" | "livechat"): Rendered => {
  const variables = reply.variables ?? {}
  const rendered = settings.renderReply(reply.templateId, channel, variables)
  return rendered._tag === "Left"
    ? { reason: `template:${rendered.left}` }
    : { text: rendered.right, recorded: recordedReply(rendered.right, variables) }
}

/** A reply that is not sent (shadow, route-only): what it would have said, or why it could not have been sent. */
const unsentReply = (reply: ReplyPlan, rendered: Rendered, reason?: string): Action => ({
  type: "reply",
  status: "shadow",
  template: reply.templateId,
  ...("recorded" in rendered ? { text: rendered.recorded } : {}),
  ...("reason" in rendered ? { reason: rendered.reason } : reason === undefined ? {} : { reason })
})

const shadowActions = (plan: Plan, settings: WorkerSettings["Type"], channel: "email" | "livechat"): ReadonlyArray<Action> => [
  { type: "add_tags", status: "shadow", tags: plan.addTags },
  ...(plan.removeTags.length > 0 ? [{ type: "remove_tags", status: "shadow", tags: plan.removeTags } as const] : []),
  ...(plan.note !== null ? [{ type: "note", status: "shadow" } as const] : []),
  ...(plan.wouldReply !== null ? [unsentReply(plan.wouldReply, render(settings, plan.wouldReply, channel))] : [])
]

/**
 * Carries out a plan in its mode (DESIGN.md §4.7): shadow writes nothing; route-only and live tag (one add-tags
 * call) and note; only live replies. Routing comes first, so a customer is with the right team even if the
 * reply then fails — in which case the ticket is marked for a human rather than left waiting.
 */
export const executePlan = Effect.fn("Worker.execute")(function* (args: {
  readonly plan: Plan
  readonly mode: Mode
  readonly envelope: EventEnvelope
  readonly ticket: Ticket
  readonly customerCommentId: string
  readonly replyChannel: "email" | "livechat"
}) {
  const { plan, ticket } = args
  const settings = yield* WorkerSettings
  if (args.mode === "shadow") {
    const actions = shadowActions(plan, settings, args.replyChannel)
    return { actions, replied: false, replyFailed: false, routingFailed: false } satisfies Execution
  }
  const richpanel = yield* Richpanel
  const actions: Array<Action> = []

  const routingTags = plan.addTags.filter((tag) => !AFTER_REPLY_TAGS.has(tag))
  const tagged = yield* write(richpanel.addTags(ticket.id, routingTags), { type: "add_tags", tags: routingTags })
  actions.push(tagged)
  if (plan.removeTags.length > 0) {
    actions.push(yield* write(richpanel.removeTags(ticket.id, plan.removeTags), { type: "remove_tags", tags: plan.removeTags }))
  }
  // Tags refused (e.g. a tag not created in Richpanel yet): the note then carries the routing, for a human.
  const routingFailed = tagged.status === "failed"
  const note = routingFailed
    ? `Routing tags could not be applied (${tagged.reason ?? "rejected"}): intended team ${plan.team}, tags ${routingTags.join(", ")}. Please route by hand.`
    : plan.note
  if (note !== null) actions.push(yield* write(richpanel.addInternalNote(ticket.id, marked(note)), { type: "note" }))
  if (routingFailed) return { actions, replied: false, replyFailed: false, routingFailed } satisfies Execution

  if (plan.reply === null) {
    // Route-only: the reply live mode would send, for the record.
    if (plan.wouldReply !== null) actions.push(unsentReply(plan.wouldReply, render(settings, plan.wouldReply, args.replyChannel)))
    return { actions, replied: false, replyFailed: false, routingFailed } satisfies Execution
  }
  const templateId = plan.reply.templateId
  const rendered = render(settings, plan.reply, args.replyChannel)
  // The mode was read before classification; the kill switch may have been pulled since. Ask again, last thing.
  const modeNow = yield* Effect.flatMap(ModeSwitch, (modes) => modes.effectiveMode)
  if (modeNow !== "live") {
    actions.push(unsentReply(plan.reply, rendered, `mode:${modeNow}`))
    return { actions, replied: false, replyFailed: false, routingFailed } satisfies Execution
  }
  const result = "reason" in rendered
    ? ({ status: "rejected", reason: rendered.reason } as const)
    : yield* sendReplyOnce({
      ticket,
      envelope: args.envelope,
      customerCommentId: args.customerCommentId,
      body: rendered.text,
      botAuthorId: settings.botAuthorId
    })
  if (result.status === "cancelled") {
    actions.push(unsentReply(plan.reply, rendered, `mode:${result.mode}`))
    return { actions, replied: false, replyFailed: false, routingFailed } satisfies Execution
  }
  if (result.status === "rejected" || result.status === "unknown") {
    const reason = result.status === "rejected" ? result.reason : "reply-outcome-unknown"
    actions.push({ type: "reply", status: "rejected", template: templateId, reason })
    actions.push(yield* write(richpanel.addTags(ticket.id, ["mw-needs-human"]), { type: "add_tags", tags: ["mw-needs-human"] }))
    const apology = result.status === "rejected"
      ? `The planned auto-reply (${templateId}) was not sent (${reason}); please answer the customer.`
      : `An earlier attempt may have sent the auto-reply (${templateId}) but did not finish; please check the conversation and answer the customer if it is not there.`
    actions.push(yield* write(richpanel.addInternalNote(ticket.id, marked(apology)), { type: "note" }))
    return { actions, replied: false, replyFailed: true, routingFailed } satisfies Execution
  }
  actions.push({ type: "reply", status: result.status === "sent" ? "done" : "already-sent", template: templateId, ...("recorded" in rendered ? { text: rendered.recorded } : {}) })
  const afterTags = plan.addTags.filter((tag) => AFTER_REPLY_TAGS.has(tag))
  if (afterTags.length > 0) {
    actions.push(yield* write(richpanel.addTags(ticket.id, afterTags), { type: "add_tags", tags: afterTags }))
  }
  return { actions, replied: true, replyFailed: false, routingFailed } satisfies Execution
})

/** Every note we write starts with the marker, so a webhook fired by it is recognised as our own. */
const marked = (note: string) => (note.startsWith(OWN_NOTE_MARKER) ? note : `${OWN_NOTE_MARKER} ${note}`)

/**
 * One Richpanel write. Outages propagate (the message waits and is retried); a refusal (400, 404) is recorded
 * as a failed action, because retrying the same request cannot make Richpanel accept it.
 */
const write = (call: Effect.Effect<void, RichpanelError>, action: Omit<Action, "status">) =>
  Downstreams.richpanelWrite(call).pipe(
    Effect.as<Action>({ ...action, status: "done" }),
    Effect.catchTags({
      RichpanelInvalid: (error) => Effect.succeed<Action>({ ...action, status: "failed", reason: error.reason.slice(0, 200) }),
      RichpanelNotFound: () => Effect.succeed<Action>({ ...action, status: "failed", reason: "ticket-not-found" }),
      WriteCancelled: (cancelled) => Effect.succeed<Action>({ ...action, status: "shadow", reason: `mode:${cancelled.mode}` })
    }),
    Effect.withSpan(`Worker.${action.type}`)
  )

/**
 * A ticket Richpanel will not let us read, announced by a webhook that carried no message: nothing to decide on, but
 * a human can look. The fallback team's route tag, `mw-needs-human` and a note — never silence (DESIGN.md §4.6).
 */
export const handOverUnread = Effect.fn("Worker.handOverUnread")(function* (ticketId: string, mode: Mode) {
  const settings = yield* WorkerSettings
  const tags = [`route-${teamSlug(settings.routing.fallback_team)}`, "mw-routed", "mw-needs-human"]
  if (mode === "shadow") return [{ type: "add_tags", status: "shadow", tags }, { type: "note", status: "shadow" }] satisfies ReadonlyArray<Action>
  const richpanel = yield* Richpanel
  const note = "Richpanel's answer for this ticket could not be read, so the assistant could not see the new message. Please look."
  return [
    yield* write(richpanel.addTags(ticketId, tags), { type: "add_tags", tags }),
    yield* write(richpanel.addInternalNote(ticketId, marked(note)), { type: "note" })
  ] satisfies ReadonlyArray<Action>
})
