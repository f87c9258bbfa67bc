import { HttpRouter, HttpServerRequest, HttpServerResponse } from "@effect/platform"
import { NodeHttpServerRequest } from "@effect/platform-node"
import * as Effect from "effect/Effect"
import { ingest, MAX_BODY_BYTES, type IngressRequest } from "../programs/Ingress.js"
import { acceptedAnswer, rejectionAnswer, type HttpAnswer } from "../programs/IngressHttp.js"
import { AppConfig } from "../services/AppConfig.js"
import { EventLog } from "../services/EventLog.js"
import { readBoundedBody } from "./BoundedBody.js"
import { redriveDeadLetters, showDeadLetters } from "./DeadLetters.js"

const render = (answer: HttpAnswer) =>
  HttpServerResponse.text(answer.body, { status: answer.status, headers: answer.headers, contentType: "application/json" })

const jsonError = (status: number, error: string, message: string) =>
  HttpServerResponse.unsafeJson({ error, message }, { status })

/**
 * Reads at most MAX_BODY_BYTES of the body so an oversized one is refused without buffering it all. A body over
 * the limit is still drained (up to a bound) before the 413, and the connection is closed after it: a client
 * still sending would otherwise see a reset instead of the answer.
 */
const readIngressRequest = Effect.gen(function* () {
  const request = yield* HttpServerRequest.HttpServerRequest
  const url = new URL(request.url, "http://localhost")
  // A declared oversize body is refused unread: Node discards it and the client still gets the 413.
  const declaredLength = Number(request.headers["content-length"] ?? "0")
  const declaredOverLimit = declaredLength > MAX_BODY_BYTES
  const { body, overLimit } = declaredOverLimit
    ? { body: new Uint8Array(0), overLimit: true }
    : yield* readBoundedBody(NodeHttpServerRequest.toIncomingMessage(request), MAX_BODY_BYTES)
  const ingress: IngressRequest = {
    headers: request.headers,
    query: Object.fromEntries(url.searchParams),
    body,
    bodyOverLimit: overLimit
  }
  return { ingress, closeAfter: overLimit && !declaredOverLimit }
})

const webhook = Effect.gen(function* () {
  const { ingress: request, closeAfter } = yield* readIngressRequest
  const answer = yield* ingest(request).pipe(Effect.match({ onSuccess: acceptedAnswer, onFailure: rejectionAnswer }))
  return render(closeAfter ? { ...answer, headers: { ...answer.headers, connection: "close" } } : answer)
})

const healthz = Effect.gen(function* () {
  const config = yield* AppConfig
  return HttpServerResponse.unsafeJson({ status: "ok", mode: config.mode })
})

const events = Effect.gen(function* () {
  const request = yield* HttpServerRequest.HttpServerRequest
  const requested = Number(new URL(request.url, "http://localhost").searchParams.get("limit") ?? "50")
  const limit = Number.isInteger(requested) && requested > 0 ? Math.min(requested, 500) : 50
  const log = yield* EventLog
  return yield* log.recent(limit).pipe(
    Effect.map((records) => HttpServerResponse.unsafeJson({ events: records })),
    Effect.catchTag("StoreUnavailable", () => Effect.succeed(jsonError(503, "unavailable", "the event log store is unavailable; retry")))
  )
})

/** The local runtime's HTTP surface (DESIGN.md §3): the webhook, liveness, recent events and the DLQ (`rp-mw dlq`). */
export const httpApp = HttpRouter.empty.pipe(
  HttpRouter.post("/webhooks/richpanel", webhook),
  HttpRouter.get("/healthz", healthz),
  HttpRouter.get("/events", events),
  HttpRouter.get("/dlq", showDeadLetters),
  HttpRouter.post("/dlq/redrive", redriveDeadLetters),
  Effect.catchTag("RouteNotFound", () =>
    Effect.succeed(
      jsonError(404, "not_found", "routes: POST /webhooks/richpanel, GET /healthz, GET /events, GET /dlq, POST /dlq/redrive")
    )
  )
)
