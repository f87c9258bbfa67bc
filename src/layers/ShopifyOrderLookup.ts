import { Headers, HttpClient, HttpClientRequest, type HttpClientError } from "@effect/platform"
import * as Clock from "effect/Clock"
import * as Config from "effect/Config"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Ref from "effect/Ref"
import type { OrderRecord } from "../domain/OrderMatch.js"
import { redact } from "../domain/redact.js"
import { callDownstream, shopifyRetry } from "../programs/RetryPolicies.js"
import { CircuitBreaker } from "../services/CircuitBreaker.js"
import {
  type OrderQuery,
  type ShopifyError,
  ShopifyInvalid,
  ShopifyRateLimited,
  ShopifyTransient,
  ShopifyUnauthorized
} from "../services/OrderLookup.js"
import { RateLimiter } from "../services/RateLimiter.js"
import { retryAfterMs } from "./RichpanelHttp.js"
import { decodeAnswer, type DecodedAnswer, ORDER_QUERY, PAGE_SIZE, QUERY_COST_ESTIMATE, searchString, waitForPointsMs } from "./ShopifyDecode.js"

export const DEFAULT_API_VERSION = "2026-10"
const TOKEN_HEADER = "x-shopify-access-token"
/** The limiter's Shopify bucket holds 1000 points; a cost above that could never be acquired. */
const MAX_COST = 1000

export interface Options {
  readonly accessToken: Redacted.Redacted<string>
  /** `https://{shop}.myshopify.com`, or a loopback server in tests. */
  readonly baseUrl: string
  readonly apiVersion?: string | undefined
  /** Per request, body included. Default 10 s. */
  readonly timeout?: Duration.DurationInput | undefined
}

export const endpoint = (baseUrl: string, apiVersion: string) =>
  `${baseUrl.replace(/\/+$/, "")}/admin/api/${encodeURIComponent(apiVersion)}/graphql.json`

const parseJson = (text: string): unknown => {
  try {
    return JSON.parse(text)
  } catch {
    return undefined
  }
}

/** GraphQL error messages, redacted (they can echo the search, which may hold an email) and truncated. */
const describe = (answer: DecodedAnswer) => redact(answer.errors.map((e) => e.code ?? e.message).join("; ")).slice(0, 300)
const codesOf = (answer: DecodedAnswer) => answer.errors.flatMap((e) => (e.code === undefined ? [] : [e.code]))

const statusError = (status: number, retryAfter: number | undefined): ShopifyError | undefined => {
  if (status === 429) return new ShopifyRateLimited(retryAfter === undefined ? {} : { retryAfterMs: retryAfter })
  if (status === 401 || status === 403) return new ShopifyUnauthorized({ status })
  if (status === 408 || status >= 500) return new ShopifyTransient({ reason: `HTTP ${status}`, status })
  return status >= 200 && status < 300 ? undefined : new ShopifyInvalid({ reason: `HTTP ${status}`, status })
}

const transportError = (error: HttpClientError.HttpClientError): ShopifyError =>
  error._tag === "RequestError" && error.reason !== "Transport"
    ? new ShopifyInvalid({ reason: error.message })
    : new ShopifyTransient({ reason: error.message })

/** Only outages open the breaker: a GraphQL error or a bad token is Shopify answering. */
const isOutage = (error: ShopifyError) => error._tag === "ShopifyTransient" || error._tag === "ShopifyRateLimited"

/**
 * `findOrders` on the GraphQL Admin API. Every call goes through `callDownstream("shopify", …)`; after each answer
 * the bucket Shopify reports (`extensions.cost.throttleStatus`) is fed to the shared limiter: when fewer points
 * are left than the next query needs, every caller pauses `ceil((cost − available) / restoreRate)` s. The local
 * bucket (1000 points, 50/s) is a conservative guess; this keeps it honest about the store's real one.
 */
export const make = (options: Options) =>
  Effect.gen(function*() {
    const client = yield* HttpClient.HttpClient
    const limiter = yield* RateLimiter
    const breaker = yield* CircuitBreaker
    const url = endpoint(options.baseUrl, options.apiVersion ?? DEFAULT_API_VERSION)
    const timeout = Duration.decode(options.timeout ?? "10 seconds")
    const nextCost = yield* Ref.make(QUERY_COST_ESTIMATE)

    const feedThrottle = (answer: DecodedAnswer) =>
      Effect.gen(function*() {
        const requested = answer.requestedCost
        if (requested !== undefined && requested > 0) yield* Ref.set(nextCost, Math.min(MAX_COST, Math.ceil(requested)))
        const cost = yield* Ref.get(nextCost)
        if (answer.throttle === undefined || answer.throttle.currentlyAvailable >= cost) return
        const now = yield* Clock.currentTimeMillis
        yield* limiter.pauseUntil("shopify", now + waitForPointsMs(cost, answer.throttle)).pipe(
          Effect.catchAll((cause) => Effect.logWarning("could not record the Shopify throttle status", cause))
        )
      })

    /** One POST: the orders, or the mapped error. THROTTLED in a 200 waits as long as the bucket needs to refill. */
    const exchange = (search: string) =>
      client.execute(HttpClientRequest.post(url).pipe(
        HttpClientRequest.setHeaders({ [TOKEN_HEADER]: Redacted.value(options.accessToken), accept: "application/json" }),
        HttpClientRequest.bodyUnsafeJson({ query: ORDER_QUERY, variables: { search, first: PAGE_SIZE } })
      )).pipe(
        Effect.flatMap((response) => Effect.map(response.text, (text) => ({ response, text }))),
        Effect.timeoutFail({
          duration: timeout,
          onTimeout: () => new ShopifyTransient({ reason: `no answer within ${Duration.format(timeout)}` })
        }),
        Effect.catchTags({ RequestError: transportError, ResponseError: transportError }),
        Effect.flatMap(({ response, text }) =>
          Effect.gen(function*() {
            const now = yield* Clock.currentTimeMillis
            const failed = statusError(response.status, retryAfterMs(response.headers["retry-after"], now))
            if (failed !== undefined) return yield* failed
            const answer = yield* Either.mapLeft(decodeAnswer(parseJson(text)), (reason) => new ShopifyInvalid({ reason, status: response.status }))
            if (answer.errors.some((e) => e.code === "THROTTLED")) {
              const cost = answer.requestedCost ?? (yield* Ref.get(nextCost))
              return yield* new ShopifyRateLimited({ retryAfterMs: answer.throttle === undefined ? 1000 : waitForPointsMs(cost, answer.throttle) })
            }
            yield* feedThrottle(answer)
            if (answer.orders === undefined) {
              return yield* new ShopifyInvalid({ reason: describe(answer) || "answer without data.orders", status: response.status, codes: codesOf(answer) })
            }
            // Partial data (a field the token may not read comes back null with an error): usable, but worth a look.
            if (answer.errors.length > 0) yield* Effect.logWarning("Shopify answered with errors alongside data", { codes: codesOf(answer) })
            return answer.orders
          })
        ),
        // The HttpClient span records request headers; the token must not be one of them.
        Effect.locallyWith(Headers.currentRedactedNames, (names) => [...names, TOKEN_HEADER])
      )

    const findOrders = Effect.fn("OrderLookup.findOrders")(function*(query: OrderQuery) {
      const search = searchString(query)
      if (search === undefined) return [] as ReadonlyArray<OrderRecord>
      const cost = yield* Ref.get(nextCost)
      return yield* callDownstream("shopify", exchange(search), { retry: shopifyRetry, isBreakerFailure: isOutage, cost }).pipe(
        Effect.provideService(RateLimiter, limiter),
        Effect.provideService(CircuitBreaker, breaker)
      )
    })
    return { findOrders }
  })

const nonEmpty = (value: string) => Option.some(value.trim()).pipe(Option.filter((s) => s !== ""))
const optionalString = (name: string) => Config.option(Config.string(name)).pipe(Config.map(Option.flatMap(nonEmpty)))

/** `my-shop`, `my-shop.myshopify.com` or `https://my-shop.myshopify.com` → the shop's base URL. */
export const shopBaseUrl = (shop: string) =>
  `https://${shop.trim().replace(/^https?:\/\//, "").replace(/\/+$/, "").replace(/\.myshopify\.com$/, "")}.myshopify.com`

/**
 * `SHOPIFY_ACCESS_TOKEN`, and `SHOPIFY_BASE_URL` (tests, proxies) or `SHOPIFY_SHOP`; `SHOPIFY_API_VERSION`
 * (default 2026-10) and `SHOPIFY_TIMEOUT_MS`. A token without a shop fails at start-up rather than at the first customer.
 */
export const options = Effect.gen(function*() {
  const accessToken = yield* Config.redacted("SHOPIFY_ACCESS_TOKEN")
  const baseUrl = yield* optionalString("SHOPIFY_BASE_URL")
  const shop = yield* optionalString("SHOPIFY_SHOP")
  const resolved = Option.orElse(baseUrl, () => Option.map(shop, shopBaseUrl))
  const apiVersion = yield* Config.string("SHOPIFY_API_VERSION").pipe(
    Config.validate({ message: "must look like 2026-10", validation: (v) => /^\d{4}-\d{2}$|^unstable$/.test(v) }),
    Config.withDefault(DEFAULT_API_VERSION)
  )
  const timeoutMs = yield* Config.integer("SHOPIFY_TIMEOUT_MS").pipe(
    Config.validate({ message: "must be a positive number of milliseconds", validation: (ms) => ms > 0 }),
    Config.withDefault(10_000)
  )
  if (Option.isNone(resolved)) {
    return yield* Config.fail("SHOPIFY_ACCESS_TOKEN is set but neither SHOPIFY_SHOP nor SHOPIFY_BASE_URL is")
  }
  return { accessToken, baseUrl: resolved.value, apiVersion, timeout: Duration.millis(timeoutMs) } satisfies Options
})
