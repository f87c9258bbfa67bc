import { P0Intents, teamSlug } from "../../../src/domain/Taxonomy.js"
import { defaultRoutingConfig } from "../../../src/domain/RoutingConfig.js"
import type { Mode } from "../../../src/services/AppConfig.js"
import type { EventRecord } from "../../../src/services/EventLog.js"
import { MODE_CACHE_MS } from "../../../src/services/ModeSwitch.js"
import type { Trace } from "../RunScript.js"
import * as Catalogue from "../script/Catalogue.js"
import { isWrite, type SimComment, type World } from "../world/World.js"

/**
 * The invariants of DESIGN.md §4 as checks over one simulated run, judged against the script's truth about every
 * message (not against what the middleware recorded about itself).
 *
 * I1 every customer message whose webhook was acknowledged is covered by exactly one terminal decision —
 *    processed itself, or folded into a processed burst of its conversation — or skipped for a reason that is
 *    true of that message; nothing is left on the queue or dead-lettered.
 * I2 at most one reply per customer message.
 * I3 a message with a Tier 0 signal reaches humans (`mw-needs-human` and its team's route tag), whatever it is
 *    bundled with, and no reply answers it.
 * I4 no reply discloses an order to anyone but its owner.
 * I5 shadow makes no Richpanel writes, route-only no replies, and a kill switch stops them within its cache window.
 * I6 every acknowledged event has its terminal record, across crashes.
 * I7 ingress answers valid webhooks 200 (503 only while the queue or store is down) and bad input 4xx.
 */

export type InvariantId = "I1" | "I2" | "I3" | "I4" | "I5" | "I6" | "I7"

export interface Violation {
  readonly invariant: InvariantId
  readonly detail: string
}

export interface Verdict {
  readonly violations: ReadonlyArray<Violation>
  /** Individual assertions evaluated (one per message and invariant, per reply, per write…). */
  readonly checks: number
  /**
   * Messages I1 cannot vouch for: announced only by id-only webhooks (the payload names the ticket, not the message)
   * on a read that lagged behind them, with no later message of the conversation to fold them in; or whose own
   * webhook was lost while every later one was decided on its payload alone (Richpanel never let the ticket be read);
   * or decided twice because its payload had no message id and the first decision had to be made without the ticket.
   * The worker cannot tell which message such a webhook was for; a reconciling sweep of Richpanel is what catches these.
   */
  readonly unidentifiable: number
}

const PROCESSED = new Set(["automated", "routed", "handed-over"])

interface Decision {
  readonly mode?: Mode
  readonly tags?: ReadonlyArray<string>
}

/**
 * The comment ids a record covers. A message decided on a payload without a message id is known by its event id:
 * mapped back to the comment whose webhook it was.
 */
let eventComments: ReadonlyMap<string, { readonly commentId?: string }> = new Map()
const covered = (record: EventRecord): ReadonlyArray<string> =>
  (record.messages ?? []).map((id) => eventComments.get(id)?.commentId ?? id)
const decisionOf = (record: EventRecord): Decision => (record.decision ?? {}) as Decision
const reasonsOf = (record: EventRecord): ReadonlyArray<string> => (record.decision as { reasons?: ReadonlyArray<string> } | undefined)?.reasons ?? []

/** The authoritative mode at `at` (deployment mode, then kill-switch changes). */
const modeAt = (world: World, at: number): Mode => {
  let mode = world.modeTimeline[0]!.mode
  for (const change of world.modeTimeline) if (change.at <= at) mode = change.mode
  return mode
}

/** Every mode that held at some instant of [from, to]. */
const modesDuring = (world: World, from: number, to: number): ReadonlySet<Mode> =>
  new Set([modeAt(world, from), ...world.modeTimeline.filter((c) => c.at > from && c.at <= to).map((c) => c.mode)])

const tier0Team = (intent: string): string =>
  teamSlug(defaultRoutingConfig.intents[intent as keyof typeof defaultRoutingConfig.intents].team)

export const checkTrace = (trace: Trace): Verdict => {
  const { world, records } = trace
  eventComments = trace.acknowledged
  const violations: Array<Violation> = []
  let checks = 0
  const fail = (invariant: InvariantId, detail: string) => violations.push({ invariant, detail })
  const check = (ok: boolean, invariant: InvariantId, detail: () => string) => {
    checks++
    if (!ok) fail(invariant, detail())
  }

  const byEvent = new Map(records.map((r) => [r.event_id, r]))
  const processed = records.filter((r) => PROCESSED.has(r.outcome))
  const announced = new Set([...trace.acknowledged.values()].flatMap((a) => (a.commentId === undefined ? [] : [a.commentId])))
  // Webhooks that named their message (flat with an id, or a ticket object) versus id-only ones.
  const named = new Set(world.webhooks.filter((w) => w.status === 200 && w.label !== "id-only" && w.commentId !== undefined).map((w) => w.commentId!))
  let unidentifiable = 0
  const allComments = [...world.tickets.values()].flatMap((t) => t.comments)
  const commentById = new Map(allComments.map((c) => [c.id, c]))
  const conversationOf = new Map([...world.tickets.values()].flatMap((t) => t.comments.map((c) => [c.id, t.conversation.id] as const)))

  // ---- I6: acknowledged events end in a terminal record; the queue drains --------------------------------
  for (const [eventId, ack] of trace.acknowledged) {
    const record = byEvent.get(eventId)
    check(record !== undefined && (record.status === "done" || record.status === "failed"), "I6", () =>
      `event ${eventId} (${ack.conversation}) was acknowledged but has no terminal record (${record?.status ?? "none"})`)
  }
  check(trace.drained, "I6", () => `the queue did not drain: ${JSON.stringify(trace.left)} after ${Math.round(trace.virtualMs / 1000)} s`)
  check(trace.deadLetters.length === 0, "I1", () => `${trace.deadLetters.length} message(s) dead-lettered although every fault was transient`)
  for (const record of records) {
    check(record.outcome !== "dead-lettered", "I1", () => `event ${record.event_id} dead-lettered: ${record.reason ?? ""}`)
  }

  // ---- I1 / I3: every announced customer message covered, skips true of the message ----------------------
  const closedAfter = (comment: SimComment) => {
    const conversation = conversationOf.get(comment.id)
    return conversation !== undefined && world.ticket(conversation).closedAt.some((at) => at >= comment.createdAt)
  }
  const skipIsTrue = (reason: string | undefined, comment: SimComment): boolean => {
    switch (reason) {
      case "auto-reply":
        return comment.truth?.kind === "auto-reply"
      case "no-reply-sender":
        return /^(no-?reply|do-?not-?reply)@/i.test(world.conversation(conversationOf.get(comment.id) ?? "").profile.email ?? "")
      case "ticket-closed":
        return closedAfter(comment)
      default:
        return false
    }
  }
  for (const comment of allComments) {
    const covering = records.filter((r) => covered(r).includes(comment.id))
    const processing = covering.filter((r) => PROCESSED.has(r.outcome))
    const skipping = covering.filter((r) => r.outcome === "skipped")
    if (comment.role !== "customer") {
      // Decided on a payload alone (Richpanel could not be read) that did not say it was an agent's: a known limit.
      const blind = processing.length > 0 && processing.every((r) => reasonsOf(r).includes("ticket:unreadable-used-webhook"))
      if (blind) unidentifiable++
      else check(processing.length === 0, "I1", () => `${comment.role} comment ${comment.id} was processed as a customer message by ${processing.map((r) => r.event_id).join(", ")}`)
      continue
    }
    const label = `${conversationOf.get(comment.id)}/${comment.id} (${comment.truth?.label ?? "?"})`
    // A message is owed a decision when its own webhook was acknowledged, or when a later message of its
    // conversation was (that message's burst reaches back to it) — dropped webhooks included.
    const conversation = conversationOf.get(comment.id)!
    const later = world.commentsOf(conversation, ["customer"]).filter((c) => c.createdAt > comment.createdAt && announced.has(c.id))
    const laterAnnounced = later.length > 0
    // A later message decided on its webhook alone (Richpanel never showed the ticket) cannot have seen this one.
    const laterBlind = laterAnnounced && later.every((c) =>
      records.some((r) => covered(r).includes(c.id) && reasonsOf(r).includes("ticket:unreadable-used-webhook")))
    const owed = announced.has(comment.id) || laterAnnounced
    // The worker could not tell this message apart (see `Verdict.unidentifiable`): not vouched for, by I1 or I3.
    const unseen = covering.length === 0 &&
      ((!announced.has(comment.id) && laterBlind) || (!named.has(comment.id) && !laterAnnounced))
    if (owed) {
      if (unseen) unidentifiable++
      else check(covering.length > 0, "I1", () => `customer message ${label} was ${announced.has(comment.id) ? "acknowledged" : "followed by an acknowledged message"} but never processed, folded or skipped`)
    }
    // A payload without a message id, on a ticket Richpanel would not let us read, is decided under its event id:
    // when the ticket is readable again the message is not recognised as decided (a known limit, counted apart).
    const blindUnderEventId = processing.filter((r) =>
      (r.messages ?? []).includes(r.event_id) && reasonsOf(r).includes("ticket:unreadable-used-webhook"))
    if (processing.length === 2 && blindUnderEventId.length === 1) unidentifiable++
    else check(processing.length <= 1, "I1", () => `customer message ${label} was processed ${processing.length} times: ${processing.map((r) => r.event_id).join(", ")}`)
    for (const skip of skipping) {
      check(skipIsTrue(skip.reason, comment), "I1", () => `customer message ${label} was skipped as "${skip.reason}", which is not true of it`)
    }
    // DESIGN §4.9: an automatic reply alone never triggers a decision (it would answer a mail system).
    if (comment.truth?.kind === "auto-reply") {
      // …unless it carries a Tier 0 signal (in its subject, say): that reaches humans whatever it is.
      // A decision made without the ticket screens the payload's subject with the message: a threatening subject
      // then hands an automatic reply to humans too (a false positive the spec accepts for Tier 0).
      const subjectThreat = Catalogue.SUBJECTS.some((s) => s.tier0 !== undefined && s.subject === world.conversation(conversation).subject)
      const alone = processing.filter((r) =>
        !(subjectThreat && reasonsOf(r).includes("ticket:unreadable-used-webhook")) &&
        covered(r).every((id) => commentById.get(id)?.truth?.kind === "auto-reply" && commentById.get(id)?.truth?.tier0 === undefined))
      check(alone.length === 0, "I1", () => `automatic reply ${label} was decided on as a customer message (${alone.map((r) => r.outcome).join(", ")})`)
    }
    if (comment.truth?.tier0 !== undefined && (owed || covering.length > 0) && !unseen) {
      const intent = comment.truth.tier0
      const route = `route-${tier0Team(intent)}`
      // One route tag per decision (spec §3): a burst holding two different Tier 0 threats goes to the team of the
      // higher-ranked one, and names the other as a secondary intent for that team.
      const p0Routes = P0Intents.map((p0) => `route-${tier0Team(p0)}`)
      const toHumans = processing.some((r) => {
        const tags = decisionOf(r).tags ?? []
        const named = tags.includes(`mw-intent-${intent}`) || tags.includes(`mw-secondary-${intent}`)
        return tags.includes("mw-needs-human") && (tags.includes(route) || (named && tags.some((t) => p0Routes.includes(t))))
      })
      check(toHumans, "I3", () => `Tier 0 message ${label} did not reach humans with mw-needs-human and ${route} (records: ${covering.map((r) => `${r.outcome}${r.reason === undefined ? "" : `:${r.reason}`}`).join(", ") || "none"})`)
      const conversation = conversationOf.get(comment.id)!
      const written = world.calls.some((c) =>
        c.method === "addTags" && c.applied && c.ticketId === conversation && (c.tags ?? []).includes("mw-needs-human") &&
        (c.tags ?? []).some((t) => p0Routes.includes(t)))
      // Shadow mode, or `rp-mw kill --all` pulled while it was being decided (its writes were stopped as they left).
      const shadowOnly = processing.every((r) =>
        decisionOf(r).mode === "shadow" ||
        r.actions.some((a) => (a as { type?: string; status?: string }).type === "add_tags" && (a as { status?: string }).status === "shadow"))
      check(written || shadowOnly || processing.length === 0, "I3", () => `Tier 0 message ${label}: its hand-over tags were decided but never written to Richpanel`)
    }
  }

  // ---- I2 / I3 / I4: replies -------------------------------------------------------------------------------
  const replies = world.calls.filter((c) => c.method === "sendReply" && c.applied)
  const perHead = new Map<string, number>()
  for (const reply of replies) {
    check(reply.replyHead !== undefined, "I2", () => `a reply on ${reply.ticketId} at +${reply.start - world.startMs} ms was sent without a reply claim`)
    if (reply.replyHead === undefined) continue
    const key = `${reply.ticketId}#${reply.replyHead}`
    perHead.set(key, (perHead.get(key) ?? 0) + 1)
    // I3: the burst this reply answers must not hold a Tier 0 message.
    const run = processed.find((r) => covered(r).at(-1) === reply.replyHead)
    const tier0In = covered(run ?? ({} as EventRecord)).map((id) => commentById.get(id)).filter((c) => c?.truth?.tier0 !== undefined)
    check(tier0In.length === 0, "I3", () => `a reply on ${reply.ticketId} answered a burst holding Tier 0 message(s) ${tier0In.map((c) => c!.id).join(", ")}`)
    // I4: order data only to its owner.
    const customer = world.conversation(reply.ticketId).customerId
    for (const order of world.orders) {
      const leaks = (order.tracking !== undefined && (reply.body ?? "").includes(order.tracking.number)) || (reply.body ?? "").includes(order.statusUrl)
      check(!leaks || order.ownerId === customer, "I4", () => `a reply on ${reply.ticketId} (customer ${customer}) disclosed order ${order.name} of ${order.ownerId}`)
    }
  }
  for (const [key, count] of perHead) check(count <= 1, "I2", () => `${count} replies answered the burst of ${key}`)
  // Per customer message: a message folded into two answered bursts would be answered twice.
  const answeredBy = new Map<string, number>()
  for (const reply of replies) {
    const run = processed.find((r) => r.conversation_id === reply.ticketId && covered(r).at(-1) === reply.replyHead)
    for (const id of covered(run ?? ({} as EventRecord))) answeredBy.set(id, (answeredBy.get(id) ?? 0) + 1)
  }
  for (const [id, count] of answeredBy) check(count <= 1, "I2", () => `customer message ${conversationOf.get(id)}/${id} was answered by ${count} replies`)

  // ---- I5: modes and the kill switch ------------------------------------------------------------------------
  for (const call of world.calls.filter((c) => isWrite(c.method))) {
    const modes = modesDuring(world, call.start - MODE_CACHE_MS, call.start)
    if (call.method === "sendReply") {
      check(modes.has("live"), "I5", () => `a reply on ${call.ticketId} left at +${call.start - world.startMs} ms while the mode had been ${[...modes].join("/")} for over ${MODE_CACHE_MS / 1000} s`)
    } else {
      check(modes.has("live") || modes.has("route-only"), "I5", () => `${call.method} on ${call.ticketId} at +${call.start - world.startMs} ms in shadow mode`)
    }
  }

  // ---- I7: ingress answers -------------------------------------------------------------------------------
  for (const attempt of world.webhooks) {
    const storeDown = world.script.faults.some((f) => (f.target === "queue" || f.target === "store") && attempt.at - world.startMs >= f.from && attempt.at - world.startMs < f.to)
    const crashed = world.crashes.some((c) => c.process === "ingress" && c.at <= attempt.at + 6_000 && c.at >= attempt.at)
    if (attempt.expect !== undefined) {
      const klass = typeof attempt.status === "number" ? `${Math.floor(attempt.status / 100)}xx` : attempt.status
      const excused = (attempt.status === 503 && storeDown) || (attempt.status === "no-response" && crashed)
      check(klass === attempt.expect || excused, "I7", () => `webhook "${attempt.label}" got ${attempt.status}, expected ${attempt.expect}`)
      continue
    }
    const ok = attempt.status === 200 || (attempt.status === 503 && storeDown) || (attempt.status === "no-response" && crashed)
    check(ok, "I7", () => `webhook for ${attempt.conversation}/${attempt.commentId ?? "-"} (${attempt.label}) got ${attempt.status}`)
  }

  return { violations, checks, unidentifiable }
}
