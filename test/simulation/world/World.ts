import type { Mode } from "../../../src/services/AppConfig.js"
import type { Ticket, TicketComment } from "../../../src/services/Richpanel.js"
import { Rng } from "../engine/Rng.js"
import type { FaultWindow, MessageTruth, Script, SimConversation, SimOrder, WebhookPlan } from "../script/Script.js"

/**
 * The state of the simulated outside world: Richpanel's tickets (as Richpanel holds them, with the truth about every
 * comment), its request budget, the fault windows, and the record of everything the middleware did to it.
 * Plain mutable data: the simulation is single-threaded and deterministic, and every mutation happens inside an
 * Effect step of the one virtual-time run.
 */

export type CommentRole = "customer" | "agent" | "bot-reply" | "bot-note"

export interface SimComment {
  readonly id: string
  readonly role: CommentRole
  readonly authorId?: string
  readonly text: string
  readonly createdAt: number
  readonly attachmentCount: number
  readonly truth?: MessageTruth
}

export interface SimTicket {
  readonly conversation: SimConversation
  readonly createdAt: number
  status: "OPEN" | "CLOSED"
  /** Every status change, so a lagging read shows the status as it was. */
  readonly statusLog: Array<{ readonly at: number; readonly status: "OPEN" | "CLOSED" }>
  readonly tags: Set<string>
  readonly comments: Array<SimComment>
  /** When agents closed it. */
  readonly closedAt: Array<number>
}

export type CallMethod = "loadTicket" | "addTags" | "removeTags" | "addInternalNote" | "sendReply" | "linkedOrder"

export interface RichpanelCall {
  readonly method: CallMethod
  readonly ticketId: string
  /** When the request left (before latency). */
  readonly start: number
  readonly process: string
  outcome?: "ok" | "429" | "error" | "timeout" | "lost" | "404"
  applied: boolean
  /** sendReply: the customer comment whose reply claim was held when the reply was sent. */
  replyHead?: string
  body?: string
  tags?: ReadonlyArray<string>
}

export interface WebhookAttempt {
  readonly conversation: string
  /** The comment whose creation fired the webhook (undefined for raw bodies). */
  readonly commentId?: string
  readonly label: string
  readonly at: number
  status: number | "no-response"
  eventId?: string
  readonly expect?: "2xx" | "4xx"
}

export const isWrite = (method: CallMethod) =>
  method === "addTags" || method === "removeTags" || method === "addInternalNote" || method === "sendReply"

export class World {
  readonly tickets = new Map<string, SimTicket>()
  readonly orders: ReadonlyArray<SimOrder>
  readonly calls: Array<RichpanelCall> = []
  readonly webhooks: Array<WebhookAttempt> = []
  /** Accepted Richpanel requests (ours and other integrations'), for the 50 / 30 s budget. */
  private readonly budget: Array<number> = []
  /** Authoritative mode over time: the deployment's `MW_MODE`, then each kill-switch change. */
  readonly modeTimeline: Array<{ readonly at: number; readonly mode: Mode }>
  /** The reply claim each conversation holds right now (set when a `reply#` claim is acquired). */
  readonly replyClaims = new Map<string, string>()
  readonly crashes: Array<{ readonly process: string; readonly at: number; readonly step: string }> = []
  readonly rng: Rng
  private nextComment = 1
  /** Ticket reads that were served stale, and 429s answered (for the report). */
  staleReads = 0
  throttled = 0

  constructor(readonly script: Script, readonly startMs: number) {
    this.orders = script.orders
    this.rng = new Rng(script.seed).fork("world")
    this.modeTimeline = [{ at: startMs, mode: script.mode }]
  }

  conversation(id: string): SimConversation {
    const found = this.script.conversations.find((c) => c.id === id)
    if (found === undefined) throw new Error(`script has no conversation ${id}`)
    return found
  }

  ticket(id: string): SimTicket {
    let ticket = this.tickets.get(id)
    if (ticket === undefined) {
      ticket = {
        conversation: this.conversation(id),
        createdAt: Number.POSITIVE_INFINITY,
        status: "OPEN",
        statusLog: [],
        tags: new Set(),
        comments: [],
        closedAt: []
      }
      this.tickets.set(id, ticket)
    }
    return ticket
  }

  addComment(conversation: string, fields: Omit<SimComment, "id">): SimComment {
    const ticket = this.ticket(conversation)
    const comment: SimComment = { id: `rp-c-${this.nextComment++}`, ...fields }
    if (ticket.comments.length === 0) (ticket as { createdAt: number }).createdAt = fields.createdAt
    ticket.comments.push(comment)
    // A customer writing into a closed ticket reopens it, as Richpanel does.
    if (fields.role === "customer") this.setStatus(ticket, "OPEN", fields.createdAt)
    return comment
  }

  setStatus(ticket: SimTicket, status: "OPEN" | "CLOSED", at: number) {
    ticket.status = status
    ticket.statusLog.push({ at, status })
    if (status === "CLOSED") ticket.closedAt.push(at)
  }

  /** The failing share of `target` at `now`, if a fault window covers it. */
  fault(target: FaultWindow["target"], now: number): FaultWindow | undefined {
    const at = now - this.startMs
    return this.script.faults.find((f) => f.target === target && at >= f.from && at < f.to && this.rng.chance(f.rate))
  }

  /** Takes one request from Richpanel's account budget, or says when a slot frees up. */
  takeBudget(now: number): { readonly ok: true } | { readonly ok: false; readonly retryAfterMs: number } {
    const windowStart = now - 30_000
    while (this.budget.length > 0 && this.budget[0]! <= windowStart) this.budget.shift()
    if (this.budget.length < this.script.richpanel.limitPer30s) {
      this.budget.push(now)
      return { ok: true }
    }
    this.throttled++
    return { ok: false, retryAfterMs: this.budget[0]! + 30_000 - now }
  }

  /** Another integration of the shop spends a request of the shared budget. */
  spendBudget(now: number) {
    this.takeBudget(now)
  }

  setMode(at: number, mode: Mode | null) {
    this.modeTimeline.push({ at, mode: mode ?? this.script.mode })
  }

  /** The ticket as a (possibly lagging) read returns it; undefined = 404. */
  read(id: string, now: number): Ticket | undefined {
    const ticket = this.tickets.get(id)
    if (ticket === undefined) return undefined
    const profile = this.script.richpanel
    const lag = profile.staleReadShare > 0 && this.rng.chance(profile.staleReadShare)
      ? this.rng.int(profile.staleLagMs[0], profile.staleLagMs[1])
      : 0
    if (lag > 0) this.staleReads++
    const asOf = now - lag
    if (ticket.createdAt > asOf) return undefined
    const conversation = ticket.conversation
    return {
      id: conversation.id,
      status: ticket.statusLog.filter((change) => change.at <= asOf).at(-1)?.status ?? "OPEN",
      ...(conversation.subject === undefined ? {} : { subject: conversation.subject }),
      channelRaw: conversation.channel,
      ...(conversation.profile.email === undefined ? {} : { customerEmail: conversation.profile.email }),
      ...(conversation.profile.phone === undefined ? {} : { customerPhone: conversation.profile.phone }),
      tags: [...ticket.tags],
      comments: ticket.comments.filter((c) => c.createdAt <= asOf).map(asTicketComment)
    }
  }

  /** Comments of the given roles, oldest first. */
  commentsOf(conversation: string, roles: ReadonlyArray<CommentRole>): ReadonlyArray<SimComment> {
    return (this.tickets.get(conversation)?.comments ?? []).filter((c) => roles.includes(c.role))
  }

  webhookPlanLabel(plan: WebhookPlan): string {
    return `${plan.shape}×${plan.deliveries.length}`
  }
}

export const asTicketComment = (comment: SimComment): TicketComment => ({
  id: comment.id,
  ...(comment.authorId === undefined ? {} : { authorId: comment.authorId }),
  isOperator: comment.role !== "customer",
  isPrivate: comment.role === "bot-note",
  createdAt: new Date(comment.createdAt).toISOString(),
  text: comment.text,
  attachmentCount: comment.attachmentCount
})
