import autocannon from "autocannon"
import { WEBHOOK_PATH, WEBHOOK_TOKEN } from "./webhook.js"

export interface LoadOptions {
  readonly connections: number
  readonly durationS: number
  /** A new webhook body per request. */
  readonly nextBody: () => string
}

export interface LoadResult {
  readonly responses: number
  readonly ok: number
  readonly accepted: number
  readonly non2xx: number
  readonly errors: number
  readonly durationS: number
  readonly requestsPerSecond: number
  readonly p50Ms: number
  readonly p99Ms: number
}

const percentile = (sorted: Float64Array, p: number) =>
  sorted.length === 0 ? Number.NaN : (sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN)

/**
 * Keep-alive POSTs of webhook bodies from `connections` connections for `durationS` seconds. Latencies are
 * taken from every response (sub-millisecond precision) rather than autocannon's integer histogram.
 */
export const drive = (url: string, options: LoadOptions) =>
  new Promise<LoadResult>((resolve, reject) => {
    const latencies: Array<number> = []
    let accepted = 0
    const instance = autocannon(
      {
        url,
        connections: options.connections,
        duration: options.durationS,
        requests: [
          {
            method: "POST",
            path: WEBHOOK_PATH,
            headers: { "content-type": "application/json", "x-webhook-token": WEBHOOK_TOKEN },
            setupRequest: (request) => ({ ...request, body: options.nextBody() }),
            onResponse: (status, body) => {
              if (status === 200 && body.includes('"status":"accepted"')) accepted += 1
            }
          }
        ]
      },
      (error: unknown, result) => {
        if (error !== null && error !== undefined) return reject(error instanceof Error ? error : new Error(String(error)))
        const sorted = Float64Array.from(latencies).sort()
        const durationS = (result.finish.getTime() - result.start.getTime()) / 1000
        resolve({
          responses: latencies.length,
          ok: result["2xx"],
          accepted,
          non2xx: result.non2xx,
          errors: result.errors,
          durationS,
          requestsPerSecond: result["2xx"] / durationS,
          p50Ms: percentile(sorted, 50),
          p99Ms: percentile(sorted, 99)
        })
      }
    )
    instance.on("response", (_client, _status, _bytes, responseTime) => {
      latencies.push(responseTime)
    })
  })
