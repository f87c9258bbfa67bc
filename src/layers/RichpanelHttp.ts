import { Headers, HttpClient, HttpClientRequest, type HttpClientError } from "@effect/platform"
import * as Clock from "effect/Clock"
import * as Config from "effect/Config"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import type { EventEnvelope } from "../domain/Envelope.js"
import {
  Richpanel,
  type RichpanelError,
  RichpanelInvalid,
  RichpanelNotFound,
  RichpanelRateLimited,
  RichpanelTransient,
  RichpanelUnauthorized
} from "../services/Richpanel.js"
import { decodeTagPage, decodeTicket, decodeUserPage, errorReason, isGatewayTimeout, type ListPage } from "./RichpanelDecode.js"

export const DEFAULT_BASE_URL = "https://api.richpanel.com/v1"
const KEY_HEADER = "x-richpanel-key"
const PER_PAGE = 100
/** 20 × 100 items is far beyond any tenant's tags or agents; more means `next_page` is not what we think. */
const MAX_PAGES = 20

export interface Options {
  readonly apiKey: Redacted.Redacted<string>
  /** Default `https://api.richpanel.com/v1`; tests point it at a loopback server. */
  readonly baseUrl?: string | undefined
  /** The Richpanel user replies are sent as; without it `sendReply` fails (Richpanel requires `author_id`). */
  readonly botAuthorId?: string | undefined
  /** Per request, body included. Default 10 s. */
  readonly timeout?: Duration.DurationInput | undefined
}

const parseJson = (text: string): Either.Either<unknown, string> => {
  try {
    return Either.right(text.trim() === "" ? undefined : JSON.parse(text))
  } catch {
    return Either.left("response body is not JSON")
  }
}

/** `Retry-After` is seconds or an HTTP date; anything else counts as absent (the worker backs off anyway). */
export const retryAfterMs = (value: string | undefined, now: number): number | undefined => {
  const trimmed = value?.trim() ?? ""
  if (/^\d+(?:\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000)
  const date = trimmed === "" ? Number.NaN : Date.parse(trimmed)
  return Number.isNaN(date) ? undefined : Math.max(0, date - now)
}

/** Every non-2xx answer (and a gateway timeout dressed as 2xx) as the service's own error. */
const statusError = (status: number, body: unknown, retryAfter: number | undefined, resource: string) => {
  const reason = errorReason(body) ?? `HTTP ${status}`
  if (status === 429) return new RichpanelRateLimited(retryAfter === undefined ? {} : { retryAfterMs: retryAfter })
  if (status === 401 || status === 403) return new RichpanelUnauthorized({ status })
  if (isGatewayTimeout(body) || status === 408 || status >= 500) return new RichpanelTransient({ reason, status })
  if (status === 404) return new RichpanelNotFound({ resource })
  return status >= 200 && status < 300 ? undefined : new RichpanelInvalid({ reason, status })
}

const transportError = (error: HttpClientError.HttpClientError): RichpanelError =>
  error._tag === "RequestError" && error.reason !== "Transport"
    ? new RichpanelInvalid({ reason: error.message })
    : new RichpanelTransient({ reason: error.message })

/** The service on the platform HttpClient. No retries here: the worker owns rate limiting and retries. */
export const make = (options: Options) =>
  Effect.gen(function*() {
    const client = yield* HttpClient.HttpClient
    const baseUrl = (options.baseUrl ?? DEFAULT_BASE_URL).replace(/\/+$/, "")
    const timeout = Duration.decode(options.timeout ?? "10 seconds")
    const ticketUrl = (id: string, action = "") => `${baseUrl}/tickets/${encodeURIComponent(id)}${action}`

    /** One exchange: the 2xx body parsed as JSON (undefined if empty), or the mapped error. */
    const send = (request: HttpClientRequest.HttpClientRequest, resource: string) =>
      client.execute(
        request.pipe(HttpClientRequest.setHeaders({ [KEY_HEADER]: Redacted.value(options.apiKey), accept: "application/json" }))
      ).pipe(
        Effect.flatMap((response) => Effect.map(response.text, (text) => ({ response, text }))),
        Effect.timeoutFail({
          duration: timeout,
          onTimeout: () => new RichpanelTransient({ reason: `no answer within ${Duration.format(timeout)}` })
        }),
        Effect.catchTags({ RequestError: transportError, ResponseError: transportError }),
        Effect.flatMap(({ response, text }) =>
          Effect.gen(function*() {
            const parsed = parseJson(text)
            const body = Either.getOrUndefined(parsed)
            const retryAfter = retryAfterMs(response.headers["retry-after"], yield* Clock.currentTimeMillis)
            const error = statusError(response.status, body, retryAfter, resource)
            return error === undefined ? parsed : yield* error
          })
        ),
        // The HttpClient span records request headers; the API key must not be one of them.
        Effect.locallyWith(Headers.currentRedactedNames, (names) => [...names, KEY_HEADER])
      )

    const readJson = (request: HttpClientRequest.HttpClientRequest, resource: string) =>
      send(request, resource).pipe(
        Effect.flatMap(Either.match({
          onLeft: (reason) => new RichpanelInvalid({ reason }),
          onRight: Effect.succeed
        }))
      )
    const write = (url: string, body: unknown, resource: string) =>
      Effect.asVoid(send(HttpClientRequest.put(url).pipe(HttpClientRequest.bodyUnsafeJson(body)), resource))

    const listAll = <A>(path: string, decode: (body: unknown, page: number) => Either.Either<ListPage<A>, string>) =>
      Effect.gen(function*() {
        const all: Array<A> = []
        for (let page: number | undefined = 1, fetched = 0; page !== undefined; fetched++) {
          if (fetched === MAX_PAGES) return yield* new RichpanelInvalid({ reason: `${path} has more than ${MAX_PAGES} pages` })
          const request: HttpClientRequest.HttpClientRequest = HttpClientRequest.get(`${baseUrl}${path}`).pipe(
            HttpClientRequest.setUrlParams({ page: String(page), per_page: String(PER_PAGE) })
          )
          const body: unknown = yield* readJson(request, path)
          const result: ListPage<A> = yield* Either.mapLeft(decode(body, page), (reason) => new RichpanelInvalid({ reason }))
          all.push(...result.items)
          page = result.items.length === 0 ? undefined : result.nextPage
        }
        return all
      })

    const tagsRequest = (action: "add-tags" | "remove-tags") => (ticketId: string, tags: ReadonlyArray<string>) =>
      tags.length === 0 ? Effect.void : write(ticketUrl(ticketId, `/${action}`), { tags }, `ticket ${ticketId}`)

    return Richpanel.of({
      loadTicket: Effect.fn("Richpanel.loadTicket")(function*(envelope: EventEnvelope) {
        const id = envelope.conversation_id
        const body = yield* readJson(HttpClientRequest.get(ticketUrl(id)), `ticket ${id}`)
        return yield* Either.mapLeft(decodeTicket(body, id), (reason) => new RichpanelInvalid({ reason, status: 200 }))
      }),
      addTags: Effect.fn("Richpanel.addTags")(tagsRequest("add-tags")),
      removeTags: Effect.fn("Richpanel.removeTags")(tagsRequest("remove-tags")),
      addInternalNote: Effect.fn("Richpanel.addInternalNote")((ticketId: string, body: string) =>
        write(ticketUrl(ticketId), { ticket: { comment: { body, sender_type: "operator", public: false } } }, `ticket ${ticketId}`)
      ),
      sendReply: Effect.fn("Richpanel.sendReply")((ticketId: string, body: string) =>
        options.botAuthorId === undefined
          ? new RichpanelInvalid({
            reason: "RICHPANEL_BOT_AUTHOR_ID is not set: set it to the id of the Richpanel user replies are sent as"
          })
          : write(ticketUrl(ticketId, "/send-message"), { body, author_id: options.botAuthorId }, `ticket ${ticketId}`)
      ),
      listTags: listAll("/tags", decodeTagPage).pipe(Effect.withSpan("Richpanel.listTags")),
      listUsers: listAll("/users", decodeUserPage).pipe(Effect.withSpan("Richpanel.listUsers"))
    })
  })

const nonEmpty = (value: string) => Option.some(value.trim()).pipe(Option.filter((s) => s !== ""))

/** Reads `RICHPANEL_*` from the environment; compose it only when an API key is set (else DryRunRichpanel). */
export const layer = Layer.effect(
  Richpanel,
  Effect.gen(function*() {
    const apiKey = yield* Config.redacted("RICHPANEL_API_KEY")
    const baseUrl = yield* Config.string("RICHPANEL_BASE_URL").pipe(Config.withDefault(DEFAULT_BASE_URL))
    const botAuthorId = yield* Config.option(Config.string("RICHPANEL_BOT_AUTHOR_ID")).pipe(
      Config.map(Option.flatMap(nonEmpty))
    )
    const timeoutMs = yield* Config.integer("RICHPANEL_TIMEOUT_MS").pipe(
      Config.validate({ message: "must be a positive number of milliseconds", validation: (ms) => ms > 0 }),
      Config.withDefault(10_000)
    )
    return yield* make({ apiKey, baseUrl, botAuthorId: Option.getOrUndefined(botAuthorId), timeout: Duration.millis(timeoutMs) })
  })
)

/** `make` as a layer, for tests and for callers that already hold the settings. */
export const layerWith = (options: Options) => Layer.effect(Richpanel, make(options))
