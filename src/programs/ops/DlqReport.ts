import * as Config from "effect/Config"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as Metrics from "../../services/Metrics.js"
import { type QueueDepth, QueueStats } from "../../services/QueueStats.js"
import { describeFailure } from "./describeFailure.js"

export interface DepthView {
  readonly visible: number
  readonly in_flight: number
}

export interface DlqReportResult {
  readonly status: "ok"
  readonly dlq: DepthView
  /** The event queue's backlog, for context; absent without `EVENTS_QUEUE_URL`, an error if it could not be read. */
  readonly events?: DepthView | { readonly error: string }
}

const view = (depth: QueueDepth): DepthView => ({ visible: depth.visible, in_flight: depth.inFlight })

/**
 * Depth of the DLQ (`DLQ_URL`) and of the event queue (`EVENTS_QUEUE_URL`), and the `DlqDepth` metric: every
 * message in the DLQ, visible or being moved, is one a customer is waiting on. The event queue is context only:
 * failing to read it does not fail the report.
 */
export const dlqReport = Effect.fn("Ops.dlqReport")(function* () {
  const dlqUrl = yield* Config.string("DLQ_URL")
  const eventsUrl = yield* Config.option(Config.string("EVENTS_QUEUE_URL"))
  const stats = yield* QueueStats
  const [dlq, events] = yield* Effect.all(
    [stats.depth(dlqUrl), Effect.either(Effect.transposeMapOption(eventsUrl, stats.depth))],
    { concurrency: 2 }
  )
  yield* Metrics.emit("DlqDepth", dlq.visible + dlq.inFlight, {})
  const eventsView = Either.match(events, {
    onLeft: (error) => ({ events: { error: describeFailure(error) } }),
    onRight: Option.match({ onNone: () => ({}), onSome: (depth) => ({ events: view(depth) }) })
  })
  return { status: "ok", dlq: view(dlq), ...eventsView } satisfies DlqReportResult
})
