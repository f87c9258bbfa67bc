import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import type { ClassifierInput } from "../../../src/domain/Classification.js"
import { normalizeOrderName, type OrderRecord } from "../../../src/domain/OrderMatch.js"
import { callDownstream, richpanelRetry, shopifyRetry } from "../../../src/programs/RetryPolicies.js"
import { Classifier, ClassifierRateLimited, ClassifierTransient } from "../../../src/services/Classifier.js"
import type { CircuitBreaker } from "../../../src/services/CircuitBreaker.js"
import { OrderLookup, ShopifyTransient } from "../../../src/services/OrderLookup.js"
import type { RateLimiter } from "../../../src/services/RateLimiter.js"
import {
  Richpanel,
  type RichpanelError,
  RichpanelInvalid,
  RichpanelNotFound,
  RichpanelRateLimited,
  RichpanelTransient
} from "../../../src/services/Richpanel.js"
import { BOT_AUTHOR_ID } from "../script/Script.js"
import type { CallMethod, RichpanelCall, World } from "./World.js"

/**
 * The outside world as the worker's services see it: Richpanel (its tickets, latency, replica lag, account budget
 * and faults), OpenAI (the local rules classifier standing in for the model, with latency and faults) and Shopify.
 * `hook` is the crash point of the process making the call: it runs before each call and again once the call has
 * taken effect, so a crash can land between a write and its answer.
 */

export type Hook = (step: string) => Effect.Effect<void>

const NOT_FOUND = Symbol("not found")

const between = (world: World, [min, max]: readonly [number, number]) => world.rng.int(min, max)

export const simRichpanel = (world: World, process: string, hook: Hook) => {
  const profile = world.script.richpanel

  const call = <A>(
    method: CallMethod,
    ticketId: string,
    detail: { readonly body?: string; readonly tags?: ReadonlyArray<string> },
    apply: (now: number) => A | typeof NOT_FOUND
  ): Effect.Effect<A, RichpanelError> =>
    Effect.gen(function*() {
      yield* hook(`before:${method}`)
      const start = yield* Clock.currentTimeMillis
      const record: RichpanelCall = { method, ticketId, start, process, applied: false, ...detail }
      if (method === "sendReply") {
        const head = world.replyClaims.get(ticketId)
        if (head !== undefined) record.replyHead = head
      }
      world.calls.push(record)
      const fault = world.fault("richpanel", start)
      if (fault?.kind === "timeout") {
        yield* Effect.sleep("10 seconds")
        record.outcome = "timeout"
        return yield* new RichpanelTransient({ reason: "request timed out after 10000 ms" })
      }
      yield* Effect.sleep(between(world, method === "sendReply" ? profile.replyLatencyMs : profile.latencyMs))
      const now = yield* Clock.currentTimeMillis
      const budget = world.takeBudget(now)
      if (!budget.ok || fault?.kind === "429") {
        if (budget.ok) world.throttled++
        record.outcome = "429"
        const retryAfterMs = budget.ok ? 5_000 : budget.retryAfterMs
        return yield* world.rng.chance(profile.retryAfterShare)
          ? new RichpanelRateLimited({ retryAfterMs: Math.ceil(retryAfterMs / 1000) * 1000 })
          : new RichpanelRateLimited({})
      }
      if (fault?.kind === "error") {
        record.outcome = "error"
        return yield* new RichpanelTransient({ reason: "HTTP 503", status: 503 })
      }
      if (fault?.kind === "invalid" && method === "loadTicket") {
        record.outcome = "error"
        return yield* new RichpanelInvalid({ reason: "response body is not JSON", status: 200 })
      }
      const result = apply(now)
      if (result === NOT_FOUND) {
        record.outcome = "404"
        return yield* new RichpanelNotFound({ resource: `ticket ${ticketId}` })
      }
      record.applied = method !== "loadTicket" && method !== "linkedOrder"
      if (fault?.kind === "lost" && record.applied) {
        record.outcome = "lost"
        yield* hook(`after:${method}`)
        return yield* new RichpanelTransient({ reason: "connection reset after the request was sent" })
      }
      record.outcome = "ok"
      yield* hook(`after:${method}`)
      return result as A
    })

  const notFound = (_ticketId: string): typeof NOT_FOUND => NOT_FOUND
  const existing = (ticketId: string) => world.tickets.get(ticketId)

  return Richpanel.of({
    loadTicket: (envelope) =>
      call("loadTicket", envelope.conversation_id, {}, (now) => world.read(envelope.conversation_id, now) ?? notFound(envelope.conversation_id)),
    addTags: (ticketId, tags) =>
      call("addTags", ticketId, { tags }, () => {
        const ticket = existing(ticketId)
        if (ticket === undefined) return notFound(ticketId)
        for (const tag of tags) ticket.tags.add(tag)
        return undefined
      }),
    removeTags: (ticketId, tags) =>
      call("removeTags", ticketId, { tags }, () => {
        const ticket = existing(ticketId)
        if (ticket === undefined) return notFound(ticketId)
        for (const tag of tags) ticket.tags.delete(tag)
        return undefined
      }),
    addInternalNote: (ticketId, body) =>
      call("addInternalNote", ticketId, { body }, (now) => {
        if (existing(ticketId) === undefined) return notFound(ticketId)
        world.addComment(ticketId, { role: "bot-note", authorId: BOT_AUTHOR_ID, text: body, createdAt: now, attachmentCount: 0 })
        return undefined
      }),
    sendReply: (ticketId, body) =>
      call("sendReply", ticketId, { body }, (now) => {
        if (existing(ticketId) === undefined) return notFound(ticketId)
        world.addComment(ticketId, { role: "bot-reply", authorId: BOT_AUTHOR_ID, text: body, createdAt: now, attachmentCount: 0 })
        return undefined
      }),
    listTags: Effect.succeed([]),
    listUsers: Effect.succeed([])
  })
}

/** OpenAI: the local rules classifier, with the model's latency and the script's failures. */
export const simClassifier = (world: World, hook: Hook, rules: Classifier["Type"]) =>
  Classifier.of({
    classify: (input: ClassifierInput) =>
      Effect.gen(function*() {
        yield* hook("before:classify")
        const start = yield* Clock.currentTimeMillis
        const fault = world.fault("openai", start)
        if (fault?.kind === "timeout") {
          yield* Effect.sleep("20 seconds")
          return yield* new ClassifierTransient({ reason: "request timed out" })
        }
        yield* Effect.sleep(world.rng.int(250, 1_200))
        if (fault?.kind === "429") return yield* new ClassifierRateLimited({ retryAfterMs: 2_000 })
        if (fault !== undefined) return yield* new ClassifierTransient({ reason: "HTTP 500", status: 500 })
        const result = yield* rules.classify(input)
        yield* hook("after:classify")
        return { ...result, source: "openai" as const, model: "sim-model" }
      })
  })

const toRecord = (order: World["orders"][number], now: number): OrderRecord => ({
  id: `gid://shopify/Order/${order.id}`,
  name: order.name,
  createdAt: new Date(now - order.createdDaysAgo * 86_400_000).toISOString(),
  ...(order.email === undefined ? {} : { email: order.email }),
  ...(order.phone === undefined ? {} : { phone: order.phone }),
  fulfillmentStatus: order.fulfillment,
  ...(order.cancelled ? { cancelledAt: new Date(now - 86_400_000).toISOString() } : {}),
  tags: [],
  shippingTitle: order.shippingTitle,
  statusPageUrl: order.statusUrl,
  fulfillments: order.tracking === undefined ? [] : [{
    status: "SUCCESS",
    displayStatus: "IN_TRANSIT",
    createdAt: new Date(now - 86_400_000).toISOString(),
    tracking: [{ company: order.tracking.company, number: order.tracking.number }]
  }]
})

/**
 * Shopify orders and Richpanel's linked order. Like the real layers, each call goes through the limiter, the
 * breaker and the retry schedule itself; the linked order is a Richpanel request and spends Richpanel's budget.
 */
export const simOrderLookup = (world: World, process: string, hook: Hook) =>
  Effect.map(Effect.context<RateLimiter | CircuitBreaker>(), (gates) => OrderLookup.of({
    findOrders: (query) =>
      callDownstream("shopify", Effect.gen(function*() {
        yield* hook("before:findOrders")
        const now = yield* Clock.currentTimeMillis
        yield* Effect.sleep(world.rng.int(100, 400))
        if (world.fault("shopify", now) !== undefined) return yield* new ShopifyTransient({ reason: "HTTP 502", status: 502 })
        const wanted = query.orderNumber === undefined ? undefined : normalizeOrderName(query.orderNumber)
        const found = world.orders
          .filter((o) => (wanted !== undefined && normalizeOrderName(o.name) === wanted) || (query.orderId !== undefined && query.orderId.endsWith(o.id)))
          .slice(0, 2)
          .map((o) => toRecord(o, now))
        yield* hook("after:findOrders")
        return found
      }), { retry: shopifyRetry, isBreakerFailure: (e) => e._tag === "ShopifyTransient" }).pipe(Effect.provide(gates)),
    linkedOrder: (conversationId) =>
      callDownstream("richpanel", Effect.gen(function*() {
        yield* hook("before:linkedOrder")
        const start = yield* Clock.currentTimeMillis
        const record: RichpanelCall = { method: "linkedOrder", ticketId: conversationId, start, process, applied: false }
        world.calls.push(record)
        yield* Effect.sleep(world.rng.int(80, 300))
        const budget = world.takeBudget(yield* Clock.currentTimeMillis)
        if (!budget.ok) {
          record.outcome = "429"
          return yield* new RichpanelRateLimited({ retryAfterMs: budget.retryAfterMs })
        }
        record.outcome = "ok"
        const linked = world.conversation(conversationId).linkedOrderId
        return linked === undefined ? Option.none() : Option.some({ orderId: linked })
      }), { retry: richpanelRetry, isBreakerFailure: () => false }).pipe(Effect.provide(gates))
  }))
