import { Headers, HttpClient, HttpClientRequest, type HttpClientError } from "@effect/platform"
import * as Clock from "effect/Clock"
import * as Config from "effect/Config"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import type { LinkedOrder } from "../domain/OrderMatch.js"
import { callDownstream, richpanelRetry } from "../programs/RetryPolicies.js"
import { CircuitBreaker } from "../services/CircuitBreaker.js"
import { RateLimiter } from "../services/RateLimiter.js"
import {
  type RichpanelError,
  RichpanelInvalid,
  RichpanelRateLimited,
  RichpanelTransient,
  RichpanelUnauthorized
} from "../services/Richpanel.js"
import { errorReason, isGatewayTimeout } from "./RichpanelDecode.js"
import { DEFAULT_BASE_URL, retryAfterMs } from "./RichpanelHttp.js"

const KEY_HEADER = "x-richpanel-key"

export interface Options {
  readonly apiKey: Redacted.Redacted<string>
  readonly baseUrl?: string | undefined
  readonly timeout?: Duration.DurationInput | undefined
}

const isObject = (u: unknown): u is Readonly<Record<string, unknown>> => typeof u === "object" && u !== null && !Array.isArray(u)
const text = (value: unknown): string | undefined =>
  typeof value === "string" && value.trim() !== "" ? value.trim() : typeof value === "number" && Number.isSafeInteger(value) ? String(value) : undefined

/**
 * `GET /v1/order/{conversationId}`'s body (shape unconfirmed, reference/richpanel.md §5): `{}` when nothing is linked,
 * `{orderId, appClientId}`, or a whole order (`orderName`, `orderId`, …), possibly under `order`. Only the name and
 * the store's id are kept; anything else in a full order (addresses, items, payment) is never read.
 */
export const decodeLinkedOrder = (body: unknown): Either.Either<Option.Option<LinkedOrder>, string> => {
  if (body === undefined) return Either.right(Option.none())
  if (!isObject(body)) return Either.left("linked order: the answer is not an object")
  const order = isObject(body["order"]) ? body["order"] : body
  const orderName = text(order["orderName"] ?? order["order_name"] ?? order["orderNumber"] ?? order["order_number"])
  const orderId = text(order["orderId"] ?? order["order_id"])
  if (orderName === undefined && orderId === undefined) return Either.right(Option.none())
  return Either.right(Option.some({ ...(orderName === undefined ? {} : { orderName }), ...(orderId === undefined ? {} : { orderId }) }))
}

const parseJson = (raw: string): Either.Either<unknown, string> => {
  try {
    return Either.right(raw.trim() === "" ? undefined : JSON.parse(raw))
  } catch {
    return Either.left("linked order: the answer is not JSON")
  }
}

const transportError = (error: HttpClientError.HttpClientError): RichpanelError =>
  error._tag === "RequestError" && error.reason !== "Transport"
    ? new RichpanelInvalid({ reason: error.message })
    : new RichpanelTransient({ reason: error.message })

const isOutage = (error: RichpanelError) => error._tag === "RichpanelTransient" || error._tag === "RichpanelRateLimited"

/** Richpanel's linked order, through `callDownstream("richpanel", …)` (the same limiter as every Richpanel call). */
export const make = (options: Options) =>
  Effect.gen(function*() {
    const client = yield* HttpClient.HttpClient
    const limiter = yield* RateLimiter
    const breaker = yield* CircuitBreaker
    const baseUrl = (options.baseUrl ?? DEFAULT_BASE_URL).replace(/\/+$/, "")
    const timeout = Duration.decode(options.timeout ?? "10 seconds")

    const once = (conversationId: string) =>
      client.execute(HttpClientRequest.get(`${baseUrl}/order/${encodeURIComponent(conversationId)}`).pipe(
        HttpClientRequest.setHeaders({ [KEY_HEADER]: Redacted.value(options.apiKey), accept: "application/json" })
      )).pipe(
        Effect.flatMap((response) => Effect.map(response.text, (raw) => ({ response, raw }))),
        Effect.timeoutFail({
          duration: timeout,
          onTimeout: () => new RichpanelTransient({ reason: `no answer within ${Duration.format(timeout)}` })
        }),
        Effect.catchTags({ RequestError: transportError, ResponseError: transportError }),
        Effect.flatMap(({ raw, response }) =>
          Effect.gen(function*() {
            const status = response.status
            const body = Either.getOrUndefined(parseJson(raw))
            const reason = errorReason(body) ?? `HTTP ${status}`
            // No order linked to the conversation (or no such conversation): nothing to look up.
            if (status === 404) return Option.none<LinkedOrder>()
            if (status === 429) {
              const wait = retryAfterMs(response.headers["retry-after"], yield* Clock.currentTimeMillis)
              return yield* new RichpanelRateLimited(wait === undefined ? {} : { retryAfterMs: wait })
            }
            if (status === 401 || status === 403) return yield* new RichpanelUnauthorized({ status })
            if (isGatewayTimeout(body) || status === 408 || status >= 500) return yield* new RichpanelTransient({ reason, status })
            if (status < 200 || status >= 300) return yield* new RichpanelInvalid({ reason, status })
            const parsed = yield* Either.mapLeft(parseJson(raw), (why) => new RichpanelInvalid({ reason: why, status }))
            return yield* Either.mapLeft(decodeLinkedOrder(parsed), (why) => new RichpanelInvalid({ reason: why, status }))
          })
        ),
        Effect.locallyWith(Headers.currentRedactedNames, (names) => [...names, KEY_HEADER])
      )

    const linkedOrder = Effect.fn("OrderLookup.linkedOrder")((conversationId: string) =>
      callDownstream("richpanel", once(conversationId), { retry: richpanelRetry, isBreakerFailure: isOutage }).pipe(
        Effect.provideService(RateLimiter, limiter),
        Effect.provideService(CircuitBreaker, breaker)
      )
    )
    return { linkedOrder }
  })

/** The same `RICHPANEL_*` settings as RichpanelHttp. */
export const options = Effect.gen(function*() {
  const apiKey = yield* Config.redacted("RICHPANEL_API_KEY")
  const baseUrl = yield* Config.string("RICHPANEL_BASE_URL").pipe(Config.withDefault(DEFAULT_BASE_URL))
  const timeoutMs = yield* Config.integer("RICHPANEL_TIMEOUT_MS").pipe(
    Config.validate({ message: "must be a positive number of milliseconds", validation: (ms) => ms > 0 }),
    Config.withDefault(10_000)
  )
  return { apiKey, baseUrl, timeout: Duration.millis(timeoutMs) } satisfies Options
})
