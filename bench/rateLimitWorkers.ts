import { FetchHttpClient } from "@effect/platform"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as CircuitBreakerMemory from "../src/layers/CircuitBreakerMemory.js"
import * as RateLimiterDynamo from "../src/layers/RateLimiterDynamo.js"
import * as RichpanelHttp from "../src/layers/RichpanelHttp.js"
import { clientLayer } from "../src/local/EmbeddedDynamo.js"
import { callDownstream, richpanelRetry } from "../src/programs/RetryPolicies.js"
import { DynamoClient } from "../src/services/DynamoClient.js"
import type { RateLimit } from "../src/services/RateLimiter.js"
import { Richpanel, type RichpanelError } from "../src/services/Richpanel.js"

/**
 * One simulated worker Lambda for the rate-limit bench: its own DynamoDB client and `RateLimiterDynamo` on the
 * shared table, its own breaker, the real Richpanel HTTP client, and `callDownstream` around every call, as the
 * worker makes it. The DynamoDB client is timed from outside (SDK middleware), without touching src.
 */
export interface DynamoTimings {
  readonly calls: Map<string, Array<number>>
  conflicts: number
  /** The spend instant each successful bucket write recorded (the newest entry of its sliding log). */
  readonly stamps: Array<number>
}

/** The newest `[epoch ms, cost]` of the bucket a PutItem wrote, if it was a window bucket. */
const newestSpend = (input: unknown): number | undefined => {
  const spent = (input as { readonly Item?: { readonly spent?: { readonly S?: string } } }).Item?.spent?.S
  const log = spent === undefined ? [] : (JSON.parse(spent) as ReadonlyArray<readonly [number, number]>)
  return log.at(-1)?.[0]
}

export interface WorkerCount {
  ok: number
  readonly failures: Map<string, number>
}

const UNLIMITED: RateLimit = { limit: 1_000_000, intervalMs: 1_000, capacity: 1_000_000 }

const timedClient = (endpoint: string, timings: DynamoTimings) =>
  Layer.tap(clientLayer(endpoint), (context) =>
    Effect.sync(() =>
      Context.get(context, DynamoClient).middlewareStack.add(
        (next, handlerContext) => async (args) => {
          const started = performance.now()
          try {
            const output = await next(args)
            const stamp = handlerContext.commandName === "PutItemCommand" ? newestSpend(args.input) : undefined
            if (stamp !== undefined) timings.stamps.push(stamp)
            return output
          } catch (error) {
            if ((error as { readonly name?: string }).name === "ConditionalCheckFailedException") timings.conflicts++
            throw error
          } finally {
            const name = String(handlerContext.commandName ?? "unknown").replace(/Command$/, "")
            timings.calls.set(name, [...(timings.calls.get(name) ?? []), performance.now() - started])
          }
        },
        { step: "initialize", name: "benchTiming" }
      )
    ))

export interface WorkerSetup {
  readonly dynamoEndpoint: string
  readonly richpanel: { readonly baseUrl: string; readonly apiKey: string }
  readonly limit: RateLimit
  readonly timings: DynamoTimings
}

export const workerLayer = (setup: WorkerSetup) =>
  Layer.mergeAll(
    RateLimiterDynamo.layer({ richpanel: setup.limit, openai: UNLIMITED, shopify: UNLIMITED }).pipe(
      Layer.provide(timedClient(setup.dynamoEndpoint, setup.timings))
    ),
    RichpanelHttp.layerWith({ apiKey: Redacted.make(setup.richpanel.apiKey), baseUrl: setup.richpanel.baseUrl, botAuthorId: "user-bot" }).pipe(
      Layer.provide(FetchHttpClient.layer)
    ),
    CircuitBreakerMemory.layer()
  )

const isOutage = (error: RichpanelError) => error._tag === "RichpanelTransient" || error._tag === "RichpanelRateLimited"

/** `addTags` on its own ticket, one call after another, until interrupted. */
export const tagForever = (ticketId: string, count: WorkerCount) =>
  Effect.gen(function*() {
    const richpanel = yield* Richpanel
    for (let n = 0;; n++) {
      const call = richpanel.addTags(ticketId, [`bench-${n % 5}`])
      const exit = yield* Effect.either(callDownstream("richpanel", call, { retry: richpanelRetry, isBreakerFailure: isOutage }))
      if (exit._tag === "Right") count.ok++
      else count.failures.set(exit.left._tag, (count.failures.get(exit.left._tag) ?? 0) + 1)
    }
  })
