import * as Effect from "effect/Effect"
import { findAnnounced, mayPredateAnnounced } from "../../domain/Burst.js"
import type { EventEnvelope } from "../../domain/Envelope.js"
import { ticketFromEnvelope } from "../../layers/DryRunRichpanel.js"
import { Richpanel, type Ticket, type TicketComment } from "../../services/Richpanel.js"
import * as Downstreams from "./Downstreams.js"
import { TicketNotReady } from "./WorkerErrors.js"

/** Receives after which the worker stops waiting for Richpanel to show the message and decides on the webhook. */
export const TICKET_READ_RECEIVES = 3
/** Most replica lag is shorter than this: one quick second read saves a trip through the queue. */
const REREAD_AFTER = "2 seconds"

export type TicketRead =
  | {
    readonly _tag: "Read"
    readonly ticket: Ticket
    /** The comment the webhook announced; undefined = the payload named none and the ticket has no customer message. */
    readonly announced: TicketComment | undefined
    /** Richpanel never showed the message: the ticket was completed from the webhook's payload (route only). */
    readonly fromWebhook: boolean
  }
  /** Richpanel does not know the ticket, and the payload carried no message to decide on. */
  | { readonly _tag: "NotFound" }

type Attempt = { readonly ticket: Ticket; readonly announced: TicketComment | "missing" | undefined } | undefined

const attempt = (envelope: EventEnvelope) =>
  Effect.flatMap(Richpanel, (richpanel) => Downstreams.richpanel(richpanel.loadTicket(envelope))).pipe(
    Effect.map((ticket): Attempt => ({ ticket, announced: findAnnounced(ticket, envelope) })),
    Effect.catchTag("RichpanelNotFound", () => Effect.succeed<Attempt>(undefined))
  )

const read = (ticket: Ticket, announced: TicketComment | undefined, fromWebhook: boolean): TicketRead => ({
  _tag: "Read",
  ticket,
  announced,
  fromWebhook
})

/** What the webhook carried, as a comment added to what Richpanel showed (if anything). */
const fromPayload = (envelope: EventEnvelope, shown: Ticket | undefined): TicketRead => {
  const rebuilt = ticketFromEnvelope(envelope)
  const ticket = shown === undefined ? rebuilt : { ...shown, comments: [...shown.comments, ...rebuilt.comments] }
  return read(ticket, rebuilt.comments[0], true)
}

const carriesMessage = (envelope: EventEnvelope) => envelope.message.id !== undefined || envelope.message.text.trim() !== ""

/**
 * The ticket behind an event, as Richpanel has it now (the webhook may carry only an id), and the comment the
 * webhook announced on it. A read that does not show that comment yet (replica lag, or a 404 for a new ticket) is
 * never decided on: the worker reads again in a moment, then lets the message come back from the queue in seconds
 * (`TicketNotReady`); after `TICKET_READ_RECEIVES` receives it decides on what the webhook carried, route only.
 * A ticket Richpanel returns but we cannot read is decided on the webhook at once, route only as well.
 */
export const readTicket = Effect.fn("Worker.loadTicket")(function*(envelope: EventEnvelope, receiveCount: number) {
  const first = yield* attempt(envelope).pipe(
    Effect.catchTag("RichpanelInvalid", (error) =>
      Effect.logWarning("ticket unreadable; deciding on the webhook payload (route only)", error.reason).pipe(
        Effect.as(fromPayload(envelope, undefined))
      ))
  )
  if (first !== undefined && "_tag" in first) return first
  const shown = (found: Attempt) => found !== undefined && found.announced !== "missing"
  const ready = (found: Attempt) =>
    shown(found) && !mayPredateAnnounced(envelope, found!.announced as TicketComment | undefined)
  const second = ready(first) ? first : yield* Effect.zipRight(Effect.sleep(REREAD_AFTER), attempt(envelope)).pipe(
    Effect.catchTag("RichpanelInvalid", () => Effect.succeed<Attempt>(first))
  )
  const patient = receiveCount < TICKET_READ_RECEIVES
  if (second !== undefined && second.announced !== "missing" && (ready(second) || !patient)) {
    return read(second.ticket, second.announced, false)
  }
  const what = second === undefined ? "Richpanel does not know the ticket yet" : "the ticket does not show the message yet"
  if (patient) return yield* new TicketNotReady({ reason: what })
  if (!carriesMessage(envelope)) return { _tag: "NotFound" } satisfies TicketRead as TicketRead
  yield* Effect.logWarning(`${what} after ${receiveCount} tries; deciding on the webhook payload (route only)`)
  return fromPayload(envelope, second?.ticket)
})
