import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import { isCustomerComment } from "../../domain/SkipRules.js"
import { IDEMPOTENCY_TTL_SECONDS, type IdempotencyRecord } from "../../services/IdempotencyStore.js"
import type { Ticket, TicketComment } from "../../services/Richpanel.js"
import { lookup, messageKey } from "./Claims.js"

/**
 * A burst longer than this is not walked further back (a ticket with a long history from before the middleware was
 * switched on): the decision says so and goes to a human.
 */
export const MAX_BURST = 500

/**
 * Messages older than this are history, never part of a burst: their claims may have expired (they live
 * `IDEMPOTENCY_TTL_SECONDS`), and a month-old message must not be decided (or answered) again when a ticket reopens.
 */
export const BURST_HISTORY_MS = (IDEMPOTENCY_TTL_SECONDS - 24 * 60 * 60) * 1000

export interface Burst {
  /** Customer messages not yet decided, oldest first, ending with the ticket's newest customer message. */
  readonly comments: ReadonlyArray<TicketComment>
  /** Older undecided messages exist beyond `MAX_BURST`. */
  readonly truncated: boolean
  /** Members an earlier attempt claimed and never finished (it crashed): it may have answered them already. */
  readonly interrupted: ReadonlyArray<string>
}

/** What a decided burst stores on each of its messages but the newest: the newest one, whose claim decides for it. */
export interface CoveredBy {
  readonly event_id: string
  readonly covered_by: string
}

/**
 * What a decided burst stores on its newest message. `alone`: decided on the webhook's payload (Richpanel never
 * showed the message), so nothing older was seen — older messages are not decided by it.
 */
export interface Decided {
  readonly event_id: string
  readonly messages: ReadonlyArray<string>
  readonly alone?: true
}

const field = <K extends string>(data: unknown, key: K): unknown =>
  typeof data === "object" && data !== null ? (data as Record<K, unknown>)[key] : undefined

const coveredBy = (data: unknown): string | undefined => {
  const pointer = field(data, "covered_by")
  return typeof pointer === "string" ? pointer : undefined
}

/**
 * `decided`: the message and everything before it are decided (its burst's newest message, or an older message
 * pointing to that one's completed claim — so a read that does not show the newest message yet still finds its
 * older ones decided). `alone`: decided on its own, blind to anything older. `undecided`: nobody decided it.
 */
const decision = (conversationId: string, record: Option.Option<IdempotencyRecord>) =>
  Effect.gen(function*() {
    if (Option.isNone(record) || record.value.status !== "COMPLETED") return "undecided" as const
    if (field(record.value.data, "alone") === true) return "alone" as const
    const head = coveredBy(record.value.data)
    if (head === undefined) return "decided" as const
    const headRecord = yield* lookup(messageKey(conversationId, head))
    const headDecided = Option.isSome(headRecord) && headRecord.value.status === "COMPLETED" && coveredBy(headRecord.value.data) === undefined
    return headDecided ? "decided" as const : "undecided" as const
  })

const writtenAt = (comment: TicketComment): number =>
  comment.createdAt === undefined ? Number.NaN : Date.parse(comment.createdAt)

/**
 * The burst an event decides on. A customer message is decided once the newest message of its burst carries a
 * completed claim (`messageKey`), so walking back from the ticket's newest customer message (or from `until`) to the
 * first completed claim finds every message nobody has decided yet — whatever order their webhooks arrived in, and
 * whether or not their webhooks arrived at all.
 */
export const unprocessedBurst = Effect.fn("Worker.burst")(function*(conversationId: string, ticket: Ticket, until?: TicketComment) {
  const customer = ticket.comments.filter(isCustomerComment)
  const end = until === undefined ? customer.length - 1 : customer.findIndex((c) => c.id === until.id)
  const history = (yield* Clock.currentTimeMillis) - BURST_HISTORY_MS
  const comments: Array<TicketComment> = []
  const interrupted: Array<string> = []
  for (let index = end; index >= 0; index--) {
    const comment = customer[index]!
    if (comments.length > 0 && writtenAt(comment) < history) break
    const record = yield* lookup(messageKey(conversationId, comment.id))
    const decided = yield* decision(conversationId, record)
    if (decided === "decided") break
    if (decided === "alone") continue
    if (comments.length === MAX_BURST) return { comments, truncated: true, interrupted } satisfies Burst
    if (Option.isSome(record) && comments.length > 0) interrupted.push(comment.id)
    comments.unshift(comment)
  }
  return { comments, truncated: false, interrupted } satisfies Burst
})

/**
 * For a message outside the burst (already decided): the data of the completed claim that covered it, i.e. the first
 * completed claim at or after it.
 */
export const coveringClaim = Effect.fn("Worker.coveringClaim")(function*(conversationId: string, ticket: Ticket, comment: TicketComment) {
  const customer = ticket.comments.filter(isCustomerComment)
  const from = customer.findIndex((c) => c.id === comment.id)
  for (const later of customer.slice(Math.max(0, from), Math.max(0, from) + MAX_BURST)) {
    const record = yield* lookup(messageKey(conversationId, later.id))
    const decided = yield* decision(conversationId, record)
    // A message decided alone covers only itself.
    if (Option.isSome(record) && (decided === "decided" || (decided === "alone" && later.id === comment.id))) {
      return Option.some(record.value.data)
    }
  }
  return Option.none<unknown>()
})
