import { createServer } from "node:http"
import type { AddressInfo } from "node:net"

/**
 * A fake AWS service speaking the JSON protocol (Secrets Manager, SQS) on 127.0.0.1: the real SDK client posts
 * `X-Amz-Target: <prefix>.<Operation>` with a JSON body; a handler answers with a status and a JSON body, and
 * errors are `{"__type", "message"}` with a 400, as AWS sends them.
 */
export interface AwsAnswer {
  readonly status?: number
  readonly body: unknown
  readonly headers?: Readonly<Record<string, string>>
  /** Answer after this long (to exercise client timeouts). */
  readonly delayMs?: number
}

export interface AwsRequest {
  /** The operation, e.g. `GetSecretValue` (the part of X-Amz-Target after the dot). */
  readonly operation: string
  readonly target: string
  readonly body: Record<string, unknown>
}

export type AwsHandler = (body: Record<string, unknown>) => AwsAnswer

export interface FakeAwsJson {
  readonly url: string
  readonly requests: Array<AwsRequest>
  readonly handlers: Map<string, AwsHandler>
  readonly close: () => Promise<void>
}

export const awsError = (type: string, message: string, headers: Record<string, string> = {}): AwsAnswer => ({
  status: 400,
  body: { __type: type, message },
  headers
})

export const startFakeAwsJson = async (
  contentType: "application/x-amz-json-1.0" | "application/x-amz-json-1.1",
  handlers: Record<string, AwsHandler> = {}
): Promise<FakeAwsJson> => {
  const requests: Array<AwsRequest> = []
  const table = new Map(Object.entries(handlers))
  const timers = new Set<NodeJS.Timeout>()
  const server = createServer((req, res) => {
    let text = ""
    req.on("data", (chunk: Buffer) => (text += chunk.toString()))
    req.on("end", () => {
      const target = String(req.headers["x-amz-target"] ?? "")
      const operation = target.split(".").pop() ?? ""
      const body = text === "" ? {} : (JSON.parse(text) as Record<string, unknown>)
      requests.push({ operation, target, body })
      const handler = table.get(operation)
      const answer = handler === undefined
        ? awsError("UnknownOperationException", `the fake does not implement ${target}`)
        : handler(body)
      const send = () => {
        res.writeHead(answer.status ?? 200, { "content-type": contentType, ...answer.headers })
        res.end(JSON.stringify(answer.body))
      }
      if (answer.delayMs === undefined) return send()
      const timer = setTimeout(() => {
        timers.delete(timer)
        send()
      }, answer.delayMs)
      timers.add(timer)
    })
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    handlers: table,
    close: () =>
      new Promise<void>((resolve) => {
        for (const timer of timers) clearTimeout(timer)
        server.close(() => resolve())
        server.closeAllConnections()
      })
  }
}

/** Credentials and region for SDK clients pointed at a fake: the SDK signs every request, so it needs some. */
export const FAKE_AWS_ENV = {
  AWS_REGION: "us-east-2",
  AWS_ACCESS_KEY_ID: "AKIDFAKE",
  AWS_SECRET_ACCESS_KEY: "fake-secret-access-key"
} as const
