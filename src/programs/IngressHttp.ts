import type { IngressAccepted } from "./Ingress.js"
import type { IngressRejection } from "./IngressErrors.js"

/** Transport-neutral HTTP answer; the Lambda handler and the local server both render it. */
export interface HttpAnswer {
  readonly status: number
  readonly headers: Readonly<Record<string, string>>
  readonly body: string
}

const json = (status: number, body: unknown, headers: Record<string, string> = {}): HttpAnswer => ({
  status,
  headers: { "content-type": "application/json", ...headers },
  body: JSON.stringify(body)
})

export const acceptedAnswer = (accepted: IngressAccepted): HttpAnswer =>
  json(200, { status: accepted.status, event_id: accepted.eventId })

export const rejectionAnswer = (rejection: IngressRejection): HttpAnswer => {
  switch (rejection._tag) {
    case "Unauthorized":
      return json(401, { error: "unauthorized", message: rejection.message }, { "www-authenticate": "x-webhook-token" })
    case "PayloadTooLarge":
      return json(413, { error: "payload_too_large", message: rejection.message, limit_bytes: rejection.limitBytes })
    case "UnsupportedMediaType":
      return json(415, { error: "unsupported_media_type", message: rejection.message })
    case "InvalidJson":
      return json(400, { error: "invalid_json", message: rejection.message })
    case "InvalidPayload":
      return json(400, { error: "invalid_payload", field: rejection.field, message: rejection.message })
    case "ServiceUnavailable":
      return json(503, { error: "unavailable", message: rejection.message }, { "retry-after": "5" })
  }
}
