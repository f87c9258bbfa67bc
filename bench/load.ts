import autocannon from "autocannon"
import { WEBHOOK_PATH, WEBHOOK_TOKEN } from "./webhook.js"

export interface LoadOptions {
  readonly connections: number
  readonly durationS: number
  /** A new webhook body per request. */
  readonly nextBody: () => string
}

/** Raw outcome of one load slice; slices of the same server are merged by `summarise`. */
export interface LoadSlice {
  /** Response time of every response, in ms (autocannon's own histogram only keeps whole milliseconds). */
  readonly latenciesMs: ReadonlyArray<number>
  readonly ok: number
  /** 200 answers whose body says `"status":"accepted"`, i.e. new events, not duplicates. */
  readonly accepted: number
  readonly non2xx: number
  readonly errors: number
  readonly durationS: number
}

export interface LoadSummary {
  readonly ok: number
  readonly accepted: number
  readonly non2xx: number
  readonly errors: number
  readonly durationS: number
  readonly requestsPerSecond: number
  readonly p50Ms: number
  readonly p99Ms: number
}

/** Keep-alive POSTs of webhook bodies from `connections` connections for `durationS` seconds. */
export const drive = (url: string, options: LoadOptions) =>
  new Promise<LoadSlice>((resolve, reject) => {
    const latenciesMs: Array<number> = []
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
        resolve({
          latenciesMs,
          ok: result["2xx"],
          accepted,
          non2xx: result.non2xx,
          errors: result.errors,
          durationS: (result.finish.getTime() - result.start.getTime()) / 1000
        })
      }
    )
    instance.on("response", (_client, _status, _bytes, responseTime) => {
      latenciesMs.push(responseTime)
    })
  })

const percentile = (sorted: Float64Array, p: number) =>
  sorted.length === 0 ? Number.NaN : (sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN)

export const summarise = (slices: ReadonlyArray<LoadSlice>): LoadSummary => {
  const sum = (f: (slice: LoadSlice) => number) => slices.reduce((acc, slice) => acc + f(slice), 0)
  const sorted = Float64Array.from(slices.flatMap((slice) => slice.latenciesMs)).sort()
  const durationS = sum((s) => s.durationS)
  const ok = sum((s) => s.ok)
  return {
    ok,
    accepted: sum((s) => s.accepted),
    non2xx: sum((s) => s.non2xx),
    errors: sum((s) => s.errors),
    durationS,
    requestsPerSecond: ok / durationS,
    p50Ms: percentile(sorted, 50),
    p99Ms: percentile(sorted, 99)
  }
}
