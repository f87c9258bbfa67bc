import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import { createHash, timingSafeEqual } from "node:crypto"
import { normalise } from "../domain/normalise.js"
import { decodeWebhookPayload } from "../domain/WebhookPayload.js"
import { withParentFromHeader } from "../layers/XRayTraceHeader.js"
import { AppConfig } from "../services/AppConfig.js"
import { enqueueOnce, type EnqueueStatus } from "./EnqueueOnce.js"
import { checkEnvelopeSize, refusedByQueue } from "./EnvelopeSize.js"
import {
  InvalidJson,
  InvalidPayload,
  PayloadTooLarge,
  ServiceUnavailable,
  Unauthorized,
  UnsupportedMediaType
} from "./IngressErrors.js"

/** Richpanel's HTTP Target posts one message; anything bigger is not a webhook we understand. */
export const MAX_BODY_BYTES = 256 * 1024

/** A webhook request as any transport (API Gateway v2, the local HTTP server) sees it. */
export interface IngressRequest {
  /** Header names lower-cased. */
  readonly headers: Readonly<Record<string, string | undefined>>
  readonly query: Readonly<Record<string, string | undefined>>
  readonly body: Uint8Array
  /** True when the transport stopped reading because the body passed MAX_BODY_BYTES. */
  readonly bodyOverLimit?: boolean
  /** X-Ray header of the trace this request belongs to (Lambda's `_X_AMZN_TRACE_ID`): the parent of the ingress span. */
  readonly traceHeader?: string
}

export interface IngressAccepted {
  readonly status: EnqueueStatus
  readonly eventId: string
}

const digest = (value: string) => createHash("sha256").update(value, "utf8").digest()

// Comparing fixed-length digests keeps the comparison constant-time even when lengths differ.
const tokensMatch = (given: string, expected: string) => timingSafeEqual(digest(given), digest(expected))

// Sub-millisecond CPU steps stay untraced: on the hot path a span each cost more than the work (see bench/).
const authenticate = Effect.fnUntraced(function* (request: IngressRequest) {
  const { webhookToken } = yield* AppConfig
  if (Option.isNone(webhookToken)) return
  const given = request.headers["x-webhook-token"] ?? request.query["token"]
  if (given === undefined || !tokensMatch(given, Redacted.value(webhookToken.value))) {
    return yield* new Unauthorized({
      message: "missing or invalid webhook token: send it in the x-webhook-token header or the ?token= query parameter"
    })
  }
})

const isJsonMediaType = (contentType: string) => {
  const mediaType = contentType.split(";")[0]?.trim().toLowerCase() ?? ""
  return mediaType === "application/json" || (mediaType.startsWith("application/") && mediaType.endsWith("+json"))
}

const checkEnvelope = (request: IngressRequest) => {
  const declaredLength = Number(request.headers["content-length"] ?? "0")
  if (request.bodyOverLimit === true || declaredLength > MAX_BODY_BYTES || request.body.byteLength > MAX_BODY_BYTES) {
    return Effect.fail(
      new PayloadTooLarge({ message: `body is larger than ${MAX_BODY_BYTES} bytes`, limitBytes: MAX_BODY_BYTES })
    )
  }
  const contentType = request.headers["content-type"]
  if (contentType === undefined || !isJsonMediaType(contentType)) {
    return Effect.fail(
      new UnsupportedMediaType({
        message: `content-type must be application/json (got ${contentType === undefined ? "none" : JSON.stringify(contentType.slice(0, 100))})`
      })
    )
  }
  return Effect.void
}

const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false })

const parseJson = (body: Uint8Array) =>
  Effect.try({
    try: () => JSON.parse(utf8.decode(body)) as unknown,
    catch: (error) =>
      new InvalidJson({
        message: `body is not valid UTF-8 JSON: ${error instanceof Error ? error.message.slice(0, 200) : "unparseable"}`
      })
  })

const decode = Effect.fnUntraced(function* (request: IngressRequest) {
  const json = yield* parseJson(request.body)
  const decoded = decodeWebhookPayload(json)
  if (Either.isLeft(decoded)) {
    return yield* new InvalidPayload({ field: decoded.left.field, message: decoded.left.message })
  }
  const receivedAt = new Date(yield* Clock.currentTimeMillis).toISOString()
  return normalise(decoded.right, receivedAt)
})

const ingestRequest = Effect.fn("Ingress.ingest")(function* (request: IngressRequest) {
  yield* authenticate(request)
  yield* checkEnvelope(request)
  const envelope = yield* decode(request)
  yield* checkEnvelopeSize(envelope)
  const status = yield* enqueueOnce(envelope).pipe(
    Effect.catchTags({
      // Deterministic, so a 4xx: the sender must not retry what the queue will refuse every time.
      MessageTooLarge: (error) =>
        Effect.logWarning("queue refused the envelope as too large; answering 413", error.reason).pipe(
          Effect.zipRight(refusedByQueue(error))
        ),
      QueueUnavailable: (error) =>
        Effect.logError("queue unavailable; answering 503 so the sender retries", error.reason).pipe(
          Effect.zipRight(new ServiceUnavailable({ message: "the event queue is unavailable; retry later" }))
        ),
      StoreUnavailable: (error) =>
        Effect.logError("idempotency store unavailable; answering 503 so the sender retries", error.operation).pipe(
          Effect.zipRight(new ServiceUnavailable({ message: "the idempotency store is unavailable; retry later" }))
        )
    })
  )
  yield* Effect.logInfo("webhook acknowledged").pipe(
    Effect.annotateLogs({ event_id: envelope.event_id, conversation_id: envelope.conversation_id, status })
  )
  return { status, eventId: envelope.event_id } satisfies IngressAccepted
})

/**
 * The ingress program: authenticate, check size and media type, decode and normalise, then enqueue exactly once.
 * Fails only with an `IngressRejection`; every rejection maps to a 4xx except an unavailable queue or store (503).
 * An envelope too large for the queue is a 413, never a 503: no retry could make it fit.
 * Its span continues the caller's trace when the request names one.
 */
export const ingest = (request: IngressRequest) => ingestRequest(request).pipe(withParentFromHeader(request.traceHeader))
