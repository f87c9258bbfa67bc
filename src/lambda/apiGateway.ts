import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from "aws-lambda"
import type { IngressRequest } from "../programs/Ingress.js"
import type { HttpAnswer } from "../programs/IngressHttp.js"

const lowerCaseKeys = (record: Readonly<Record<string, string | undefined>> | undefined) => {
  const result: Record<string, string | undefined> = {}
  for (const [key, value] of Object.entries(record ?? {})) result[key.toLowerCase()] = value
  return result
}

/** API Gateway HTTP API (payload v2) event → the transport-neutral request ingress understands. */
export const toIngressRequest = (event: APIGatewayProxyEventV2): IngressRequest => {
  const raw = event.body ?? ""
  const body = event.isBase64Encoded ? Buffer.from(raw, "base64") : Buffer.from(raw, "utf8")
  // The invocation's trace (active tracing): ingress parents its span on it; the queue gets that span's own header.
  const traceHeader = process.env["_X_AMZN_TRACE_ID"]
  return {
    headers: lowerCaseKeys(event.headers),
    query: event.queryStringParameters ?? {},
    body,
    ...(traceHeader === undefined ? {} : { traceHeader })
  }
}

export const toApiGatewayResult = (answer: HttpAnswer): APIGatewayProxyStructuredResultV2 => ({
  statusCode: answer.status,
  headers: { ...answer.headers },
  body: answer.body
})
