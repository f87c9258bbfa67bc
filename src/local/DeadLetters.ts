import { HttpServerResponse } from "@effect/platform"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import type { LocalFifoQueue, MessageView } from "./LocalFifoQueue.js"

/**
 * The local runtime's DLQ and the queue it belongs to, for the operator's `GET /dlq` and `POST /dlq/redrive`.
 * Only the laptop runtime provides it: in AWS the DLQ is an SQS queue and `rp-mw dlq --aws` talks to SQS.
 */
export class LocalDeadLetters extends Context.Tag("rp-mw/LocalDeadLetters")<LocalDeadLetters, {
  readonly queue: LocalFifoQueue
  readonly deadLetterQueue: LocalFifoQueue
}>() {}

/** What the operator needs to recognise a message; never the body (customer text, email, phone). */
const summary = (message: MessageView) => {
  let eventId: unknown
  try {
    eventId = (JSON.parse(message.body) as { readonly event_id?: unknown }).event_id
  } catch {
    eventId = undefined
  }
  return {
    message_id: message.messageId,
    event_id: typeof eventId === "string" ? eventId : null,
    sent_at: new Date(message.sentTimestamp).toISOString(),
    receive_count: message.receiveCount
  }
}

const noDeadLetterQueue = HttpServerResponse.unsafeJson(
  { error: "not_found", message: "this runtime has no dead-letter queue" },
  { status: 404 }
)

const withDeadLetters = <E, R>(
  f: (queues: LocalDeadLetters["Type"]) => Effect.Effect<HttpServerResponse.HttpServerResponse, E, R>
) =>
  Effect.flatMap(Effect.serviceOption(LocalDeadLetters), Option.match({ onNone: () => Effect.succeed(noDeadLetterQueue), onSome: f }))

/** `GET /dlq`: depth and one line per dead-lettered message. */
export const showDeadLetters = withDeadLetters(({ deadLetterQueue }) =>
  Effect.gen(function* () {
    const stats = yield* deadLetterQueue.stats
    const messages = yield* deadLetterQueue.list
    return HttpServerResponse.unsafeJson({
      queue: deadLetterQueue.name,
      visible: stats.visible,
      in_flight: stats.inFlight,
      messages: messages.map(summary)
    })
  })
)

/** `POST /dlq/redrive`: every DLQ message back to the event queue, in order, with a fresh receive budget. */
export const redriveDeadLetters = withDeadLetters(({ deadLetterQueue, queue }) =>
  deadLetterQueue.redriveAll(queue).pipe(
    Effect.map((moved) => HttpServerResponse.unsafeJson({ moved, from: deadLetterQueue.name, to: queue.name })),
    Effect.catchAll((error) =>
      Effect.succeed(
        HttpServerResponse.unsafeJson(
          { error: "unavailable", message: `the redrive could not be written (${error.reason}); nothing was lost, retry` },
          { status: 503 }
        )
      )
    )
  )
)
