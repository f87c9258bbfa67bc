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

const isCompleted = (record: Option.Option<IdempotencyRecord>) => Option.isSome(record) && record.value.status === "COMPLETED"

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
    if (isCompleted(record)) break
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
    if (Option.isSome(record) && record.value.status === "COMPLETED") return Option.some(record.value.data)
  }
  return Option.none<unknown>()
})
