import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Ref from "effect/Ref"
import type { EventEnvelope } from "../domain/Envelope.js"
import { Richpanel, type Ticket } from "../services/Richpanel.js"

/** A write the worker would have made. */
export type DryRunCall =
  | { readonly method: "addTags" | "removeTags"; readonly ticketId: string; readonly tags: ReadonlyArray<string> }
  | { readonly method: "addInternalNote" | "sendReply"; readonly ticketId: string; readonly body: string }

/** The writes a dry run intended, oldest first (the latest `MAX_RECORDED`). */
export class DryRunRecorder extends Context.Tag("rp-mw/DryRunRecorder")<DryRunRecorder, {
  readonly calls: Effect.Effect<ReadonlyArray<DryRunCall>>
}>() {}

/** A long-running local runtime in dry-run mode must not grow without bound. */
const MAX_RECORDED = 1_000

/** Without Richpanel the envelope is all we know: one open ticket holding the customer message that arrived. */
export const ticketFromEnvelope = (envelope: EventEnvelope): Ticket => {
  const { message } = envelope
  return {
    id: envelope.conversation_id,
    ...(envelope.conversation_no === undefined ? {} : { conversationNo: envelope.conversation_no }),
    status: envelope.richpanel.status?.toUpperCase() ?? "OPEN",
    ...(envelope.richpanel.subject === undefined ? {} : { subject: envelope.richpanel.subject }),
    ...(envelope.channel_raw === undefined ? {} : { channelRaw: envelope.channel_raw }),
    ...(envelope.customer.email === undefined ? {} : { customerEmail: envelope.customer.email }),
    ...(envelope.customer.phone === undefined ? {} : { customerPhone: envelope.customer.phone }),
    tags: envelope.richpanel.tags,
    comments: [{
      // The event id is derived from the message (or its content hash), so it is as stable as a comment id.
      id: message.id ?? envelope.event_id,
      ...(message.author_id === undefined ? {} : { authorId: message.author_id }),
      isOperator: message.from_operator ?? false,
      isPrivate: false,
      ...(message.created_at === undefined ? {} : { createdAt: message.created_at }),
      text: message.text,
      // The envelope keeps only the first attachments' metadata; the count is what the worker looks at.
      attachmentCount: message.attachments_total ?? message.attachments.length
    }, ...(envelope.richpanel.last_comment_from_operator === true
      // The payload showed an agent's message after it; its text is not carried, only the fact.
      ? [{ id: `${envelope.event_id}:operator`, isOperator: true, isPrivate: false, text: "", attachmentCount: 0 }]
      : [])]
  }
}

const make = Effect.gen(function*() {
  const calls = yield* Ref.make<ReadonlyArray<DryRunCall>>([])
  const record = (call: DryRunCall) =>
    Ref.update(calls, (all) => [...all.slice(-(MAX_RECORDED - 1)), call]).pipe(
      // Method, ticket and tag names only: a reply or note body may quote the customer.
      Effect.zipRight(Effect.logInfo("dry run: Richpanel write skipped").pipe(
        Effect.annotateLogs({
          method: call.method,
          ticket_id: call.ticketId,
          ...("tags" in call ? { tags: call.tags.join(",") } : { body_chars: call.body.length })
        })
      ))
    )
  const richpanel = Richpanel.of({
    loadTicket: (envelope) => Effect.succeed(ticketFromEnvelope(envelope)),
    addTags: (ticketId, tags) => record({ method: "addTags", ticketId, tags: [...tags] }),
    removeTags: (ticketId, tags) => record({ method: "removeTags", ticketId, tags: [...tags] }),
    addInternalNote: (ticketId, body) => record({ method: "addInternalNote", ticketId, body }),
    sendReply: (ticketId, body) => record({ method: "sendReply", ticketId, body }),
    listTags: Effect.succeed([]),
    listUsers: Effect.succeed([])
  })
  return { richpanel, recorder: DryRunRecorder.of({ calls: Ref.get(calls) }) }
})

/** Richpanel and its recorder, for tests and for a local runtime that shows what it would have done. */
export const layerInspectable: Layer.Layer<Richpanel | DryRunRecorder> = Layer.effectContext(
  Effect.map(make, ({ recorder, richpanel }) => Context.make(Richpanel, richpanel).pipe(Context.add(DryRunRecorder, recorder)))
)

/** Used when `RICHPANEL_API_KEY` is unset: reads come from the envelope, writes are only recorded and logged. */
export const layer: Layer.Layer<Richpanel> = Layer.effect(Richpanel, Effect.map(make, ({ richpanel }) => richpanel))
