import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import { isCustomerComment } from "../../domain/SkipRules.js"
import type { IdempotencyRecord } from "../../services/IdempotencyStore.js"
import type { Ticket, TicketComment } from "../../services/Richpanel.js"
import { lookup, messageKey } from "./Claims.js"

/**
 * A burst longer than this is not walked further back (a ticket with a long history from before the middleware was
 * switched on): the decision says so and goes to a human.
 */
export const MAX_BURST = 50

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

const coveredBy = (data: unknown): string | undefined => {
  const pointer = (data as Partial<CoveredBy> | null | undefined)?.covered_by
  return typeof pointer === "string" ? pointer : undefined
}

/**
 * A message is decided when its claim is completed — directly (it was the newest of its burst), or through the
 * newest message of its burst, whose completed claim it points to. The pointer is written when that burst is
 * claimed, so a read that lags behind (and does not show the newest message yet) still finds its older messages
 * decided, and a crash before the burst is decided leaves them undecided with it.
 */
const isDecided = (conversationId: string, record: Option.Option<IdempotencyRecord>) =>
  Effect.gen(function*() {
    if (Option.isNone(record) || record.value.status !== "COMPLETED") return false
    const head = coveredBy(record.value.data)
    if (head === undefined) return true
    const headRecord = yield* lookup(messageKey(conversationId, head))
    return Option.isSome(headRecord) && headRecord.value.status === "COMPLETED" && coveredBy(headRecord.value.data) === undefined
  })

/**
 * The burst an event decides on. A customer message is decided once the newest message of its burst carries a
 * completed claim (`messageKey`), so walking back from the ticket's newest customer message to the first completed
 * claim finds every message nobody has decided yet — whatever order their webhooks arrived in, and whether or not
 * their webhooks arrived at all.
 */
export const unprocessedBurst = Effect.fn("Worker.burst")(function*(conversationId: string, ticket: Ticket) {
  const customer = ticket.comments.filter(isCustomerComment)
  const comments: Array<TicketComment> = []
  const interrupted: Array<string> = []
  for (let index = customer.length - 1; index >= 0; index--) {
    const comment = customer[index]!
    const record = yield* lookup(messageKey(conversationId, comment.id))
    if (yield* isDecided(conversationId, record)) break
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
    if (Option.isSome(record) && (yield* isDecided(conversationId, record))) return Option.some(record.value.data)
  }
  return Option.none<unknown>()
})
