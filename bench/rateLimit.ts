import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import { startEmbeddedDynamo } from "../src/local/EmbeddedDynamo.js"
import { sampleTicket, startFakeRichpanel } from "../test/support/fakeRichpanel.js"
import { type DynamoTimings, tagForever, type WorkerCount, workerLayer } from "./rateLimitWorkers.js"
import type { Entry } from "./table.js"

export interface RateLimitBenchOptions {
  /** Requests the fake Richpanel admits per sliding window; the limiters are configured with the same figures. */
  readonly limit: number
  readonly windowMs: number
  readonly workers: number
  /** A whole number of windows: in any `k × windowMs` no limiter can get more than `k × limit` through. */
  readonly windows: number
  readonly progress: (line: string) => void
}

const percentile = (values: ReadonlyArray<number>, p: number) => {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))] ?? Number.NaN
}
const mean = (values: ReadonlyArray<number>) => values.reduce((a, b) => a + b, 0) / Math.max(1, values.length)

/**
 * K workers, each with its own `RateLimiterDynamo` on one dynalite, call the fake Richpanel (enforcing the same
 * sliding-window limit) through the real HTTP client and `callDownstream`, on the live clock, for a whole number
 * of windows. Achieved = requests the fake admitted between start and end; allowed = limit × (end − start) / window.
 * Over a whole number of windows a sliding-window limit can never let more through, so the ratio is at most ~1.
 */
export const benchRateLimit = async (options: RateLimitBenchOptions): Promise<ReadonlyArray<Entry>> => {
  const { limit, windowMs, workers } = options
  const durationMs = options.windows * windowMs
  const tickets = Array.from({ length: workers }, (_, i) => `rl-${i}`)
  options.progress(`rate limit: fake Richpanel enforcing ${limit} requests / ${windowMs / 1000} s, ${workers} workers with ` +
    `their own RateLimiterDynamo on one dynalite, addTags for ${durationMs / 1000} s (${options.windows} windows)`)
  const fake = await startFakeRichpanel({ tickets: tickets.map((id) => sampleTicket(id)), rateLimit: { requests: limit, windowMs } })
  const dynamo = await startEmbeddedDynamo()
  const timings: DynamoTimings = { calls: new Map(), conflicts: 0, stamps: [] }
  const counts: Array<WorkerCount> = tickets.map(() => ({ ok: 0, failures: new Map() }))
  try {
    // The limiter's guard band (`RateLimit.guardMs`) covers latency between stamping a spend and the request
    // arriving — tens of ms, whatever the window — so this short window uses 100 ms (production: 500 ms per 30 s).
    const guardMs = Number(process.env["BENCH_RATE_GUARD_MS"] ?? 100)
    options.progress(`rate limit: limiter window ${windowMs} ms + guard ${guardMs} ms (BENCH_RATE_GUARD_MS)`)
    const setup = { dynamoEndpoint: dynamo.endpoint, richpanel: fake, limit: { limit, intervalMs: windowMs, guardMs }, timings }
    const { end, start } = await Effect.runPromise(Effect.scoped(Effect.gen(function*() {
      // Every worker's clients and tables are ready before the clock starts.
      const contexts = yield* Effect.forEach(tickets, () => Layer.build(workerLayer(setup)))
      const start = yield* Clock.currentTimeMillis
      const fibers = yield* Effect.forEach(contexts, (context, i) =>
        Effect.fork(Effect.provide(tagForever(tickets[i] ?? "", counts[i] ?? { ok: 0, failures: new Map() }), context)))
      yield* Effect.sleep(Duration.millis(durationMs))
      const end = yield* Clock.currentTimeMillis
      yield* Fiber.interruptAll(fibers)
      return { start, end }
    })))
    const requests = fake.requests()
    const admitted = requests.filter((r) => r.status !== 429 && r.at >= start && r.at < end).map((r) => r.at).sort((a, b) => a - b)
    const stats = fake.rateLimitStats()
    const allowed = (limit * (end - start)) / windowMs
    const sent = requests.map((r) => ({ at: r.at, limited: r.status === 429 })).sort((a, b) => a.at - b.at)
    if (process.env["BENCH_RATE_TIMELINE"] === "1") {
      options.progress(`rate limit: arrivals (ms from start, * = 429): ${sent.map((r) => `${r.at - start}${r.limited ? "*" : ""}`).join(" ")}`)
    }
    report(options, { admitted, sent, start, end, stats, timings, counts, tooLate: requests.filter((r) => r.at >= end).length })
    return [
      {
        name: "rate_limit_utilisation",
        value: admitted.length,
        unit: "requests",
        baseline: allowed,
        ratio: admitted.length / allowed,
        target: { on: "ratio", op: ">=", limit: 0.9 }
      },
      { name: "rate_limit_429s", value: stats.rejected, unit: "responses", baseline: null, ratio: null, target: { on: "value", op: "<=", limit: 0 } },
      { name: "rate_limit_max_in_window", value: stats.maxInWindow, unit: "requests", baseline: limit, ratio: stats.maxInWindow / limit, target: null }
    ]
  } finally {
    await fake.close()
    await dynamo.close()
  }
}

const report = (
  options: RateLimitBenchOptions,
  run: {
    readonly admitted: ReadonlyArray<number>
    /** Every request the fake saw (admitted or 429), in arrival order. */
    readonly sent: ReadonlyArray<{ readonly at: number; readonly limited: boolean }>
    readonly start: number
    readonly end: number
    readonly stats: { readonly admitted: number; readonly rejected: number; readonly maxInWindow: number }
    readonly timings: DynamoTimings
    readonly counts: ReadonlyArray<WorkerCount>
    readonly tooLate: number
  }
) => {
  const { limit, windowMs } = options
  const perWindow = Array.from({ length: options.windows }, (_, k) =>
    run.admitted.filter((at) => at >= run.start + k * windowMs && at < run.start + (k + 1) * windowMs).length)
  // How long after a slot came free (its previous use + window) it was used again: the limiter's steady-state loss.
  const lags = run.admitted.slice(limit).map((at, i) => at - ((run.admitted[i] ?? at) + windowMs))
  const steady = windowMs / (windowMs + mean(lags))
  options.progress(`rate limit: admitted per window ${perWindow.join(", ")}; first request after ${((run.admitted[0] ?? run.start) - run.start).toFixed(0)} ms; ` +
    `slot reuse lag mean ${mean(lags).toFixed(1)} ms, p99 ${percentile(lags, 99).toFixed(1)} ms (steady-state utilisation ≈ ${steady.toFixed(3)}); ` +
    `fake totals: ${run.stats.admitted} admitted, ${run.stats.rejected} × 429, max ${run.stats.maxInWindow} in a window; ${run.tooLate} requests after the end`)
  // The limiter stamps a spend before its DynamoDB read; the fake counts the request when it arrives. Pairing the
  // n-th stamp with the n-th arrival gives that delay; a request overtaking the one whose slot it reuses gets a 429.
  const stamps = [...run.timings.stamps].sort((a, b) => a - b)
  const delays = run.sent.slice(0, stamps.length).map((r, i) => r.at - (stamps[i] ?? r.at))
  const rejected = run.sent.flatMap((r, i) => (r.limited ? [i] : []))
    .map((i) => `#${i} delay ${delays[i] ?? "?"} ms after one of ${delays[i - limit] ?? "?"} ms`)
  options.progress(`rate limit: limiter stamp → arrival at the fake: p50 ${percentile(delays, 50).toFixed(0)} ms, p99 ` +
    `${percentile(delays, 99).toFixed(0)} ms, max ${Math.max(...delays).toFixed(0)} ms${rejected.length > 0 ? `; 429s: ${rejected.join(", ")}` : ""}`)
  const dynamo = [...run.timings.calls].map(([name, ms]) => `${name} ${ms.length}× p50 ${percentile(ms, 50).toFixed(1)} / p99 ${percentile(ms, 99).toFixed(1)} ms`)
  const workers = run.counts.map((c, i) => `w${i} ${c.ok} ok${[...c.failures].map(([tag, n]) => ` ${n} ${tag}`).join("")}`)
  options.progress(`rate limit: DynamoDB ${dynamo.join(", ")}, ${run.timings.conflicts} conditional-write conflicts; ${workers.join(", ")}; ran ${(run.end - run.start).toFixed(0)} ms`)
}
