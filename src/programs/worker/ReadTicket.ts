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
  /** Richpanel does not know the ticket (or will not let us read it), and the payload carried no message to decide on. */
  | { readonly _tag: "NotFound"; readonly reason: "ticket-not-found" | "ticket-unreadable" }

/** One read of the ticket, judged against the message the webhook announced. */
type Attempt =
  | { readonly _tag: "Shown"; readonly ticket: Ticket; readonly announced: TicketComment | undefined }
  /** The ticket, without the announced message (a replica behind the webhook). */
  | { readonly _tag: "Missing"; readonly ticket: Ticket }
  /** 404: Richpanel does not know the ticket (yet). */
  | { readonly _tag: "Unknown" }
  /** An answer the client cannot read (a proxy's error page, a changed shape): may be better in a moment. */
  | { readonly _tag: "Unreadable"; readonly reason: string }
  /** Richpanel refused the read (a 4xx other than 404): asking again will not help. */
  | { readonly _tag: "Refused"; readonly reason: string }

const attempt = (envelope: EventEnvelope) =>
  Effect.flatMap(Richpanel, (richpanel) => Downstreams.richpanel(richpanel.loadTicket(envelope))).pipe(
    Effect.map((ticket): Attempt => {
      const announced = findAnnounced(ticket, envelope)
      return announced === "missing" ? { _tag: "Missing", ticket } : { _tag: "Shown", ticket, announced }
    }),
    Effect.catchTags({
      RichpanelNotFound: () => Effect.succeed<Attempt>({ _tag: "Unknown" }),
      RichpanelInvalid: (error) =>
        Effect.succeed<Attempt>(error.status !== undefined && error.status >= 400
          ? { _tag: "Refused", reason: error.reason }
          : { _tag: "Unreadable", reason: error.reason })
    })
  )

const read = (ticket: Ticket, announced: TicketComment | undefined, fromWebhook: boolean): TicketRead => ({
  _tag: "Read",
  ticket,
  announced,
  fromWebhook
})

/**
 * What the webhook carried, as a comment added to what Richpanel showed (if anything). The read predates the
 * message, so its status does too: a customer writing reopens a closed ticket, and the payload's status (or open) holds.
 */
const fromPayload = (envelope: EventEnvelope, shown: Ticket | undefined): TicketRead => {
  const rebuilt = ticketFromEnvelope(envelope)
  const ticket = shown === undefined ? rebuilt : { ...shown, status: rebuilt.status, comments: [...shown.comments, ...rebuilt.comments] }
  return read(ticket, rebuilt.comments[0], true)
}

const carriesMessage = (envelope: EventEnvelope) => envelope.message.id !== undefined || envelope.message.text.trim() !== ""

const why = (found: Attempt): string => {
  switch (found._tag) {
    case "Unknown":
      return "Richpanel does not know the ticket yet"
    case "Unreadable":
      return `Richpanel's answer could not be read (${found.reason.slice(0, 120)})`
    case "Refused":
      return `Richpanel refused to show the ticket (${found.reason.slice(0, 120)})`
    default:
      return "the ticket does not show the message yet"
  }
}

/**
 * The ticket behind an event, as Richpanel has it now (the webhook may carry only an id), and the comment the
 * webhook announced on it. A read that does not show that comment (replica lag, a 404 for a new ticket, an answer
 * we cannot read) is never decided on: the worker reads again in a moment, then lets the message come back from
 * the queue in seconds (`TicketNotReady`); after `TICKET_READ_RECEIVES` receives — or at once when Richpanel refuses
 * the read outright — it decides on what the webhook carried, route only (`fromWebhook`).
 */
export const readTicket = Effect.fn("Worker.loadTicket")(function*(envelope: EventEnvelope, receiveCount: number) {
  const ready = (found: Attempt) => found._tag === "Shown" && !mayPredateAnnounced(envelope, found.announced)
  const first = yield* attempt(envelope)
  const found = ready(first) || first._tag === "Refused" ? first : yield* Effect.zipRight(Effect.sleep(REREAD_AFTER), attempt(envelope))
  if (found._tag === "Shown" && ready(found)) return read(found.ticket, found.announced, false)
  if (receiveCount < TICKET_READ_RECEIVES && found._tag !== "Refused") return yield* new TicketNotReady({ reason: why(found) })
  // Out of patience. An id-only payload names no message: the newest one shown is all there is to decide on.
  if (found._tag === "Shown") return read(found.ticket, found.announced, false)
  if (!carriesMessage(envelope)) {
    const reason = found._tag === "Unreadable" || found._tag === "Refused" ? "ticket-unreadable" : "ticket-not-found"
    return { _tag: "NotFound", reason } satisfies TicketRead as TicketRead
  }
  const tries = found._tag === "Refused" ? "" : ` after ${receiveCount} tries`
  yield* Effect.logWarning(`${why(found)}${tries}; deciding on the webhook payload (route only)`)
  return fromPayload(envelope, found._tag === "Missing" ? found.ticket : undefined)
})
