import * as ConfigProvider from "effect/ConfigProvider"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"
import * as Option from "effect/Option"
import { defaultRoutingConfig } from "../src/domain/RoutingConfig.js"
import * as CircuitBreakerMemory from "../src/layers/CircuitBreakerMemory.js"
import * as ConversationStoreMemory from "../src/layers/ConversationStoreMemory.js"
import { ticketFromEnvelope } from "../src/layers/DryRunRichpanel.js"
import * as EventLogMemory from "../src/layers/EventLogMemory.js"
import * as IdempotencyStoreMemory from "../src/layers/IdempotencyStoreMemory.js"
import { makeJsonLogger } from "../src/layers/Logging.js"
import * as ModeSwitchMemory from "../src/layers/ModeSwitchMemory.js"
import * as SampleStoreOrderLookup from "../src/layers/SampleStoreOrderLookup.js"
import * as RateLimiterMemory from "../src/layers/RateLimiterMemory.js"
import * as RulesClassifier from "../src/layers/RulesClassifier.js"
import * as WorkerSettingsLive from "../src/layers/WorkerSettings.js"
import { AppConfig } from "../src/services/AppConfig.js"
import { Classifier } from "../src/services/Classifier.js"
import type { Classification } from "../src/domain/Classification.js"
import { ConversationStore } from "../src/services/ConversationStore.js"
import { EventLog } from "../src/services/EventLog.js"
import { IdempotencyStore } from "../src/services/IdempotencyStore.js"
import { QueueControl } from "../src/services/QueueControl.js"
import type { RateLimit } from "../src/services/RateLimiter.js"
import { Richpanel } from "../src/services/Richpanel.js"

/**
 * Every service the worker needs, answering at once: the src in-memory stores, limiter and breaker, the real
 * settings layer, a Richpanel that keeps one Map entry per write, and no queue. Counters are plain increments
 * around the same effects (no extra Effect nodes), so the pass that is timed is the pass that is counted.
 */
export interface Tally {
  /** Store and Richpanel operations, reads included: what the bare baseline does one Map lookup + insert for. */
  ops: number
  loadTicket: number
  richpanelWrites: number
  replies: number
  logLines: number
  readonly outcomes: Map<string, number>
}

export const newTally = (): Tally => ({ ops: 0, loadTicket: 0, richpanelWrites: 0, replies: 0, logLines: 0, outcomes: new Map() })

/** The unlimited limit `Integrations` gives integrations that call nothing (a leaky bucket: O(1) per take). */
const UNLIMITED: RateLimit = { limit: 1_000_000, intervalMs: 1_000, capacity: 1_000_000 }

const richpanel = (tally: Tally) => {
  const tickets = new Map<string, number>()
  const write = (ticketId: string) =>
    Effect.sync(() => {
      tally.ops++
      tally.richpanelWrites++
      tickets.set(ticketId, (tickets.get(ticketId) ?? 0) + 1)
    })
  return Layer.succeed(Richpanel, Richpanel.of({
    loadTicket: (envelope) =>
      Effect.sync(() => {
        tally.ops++
        tally.loadTicket++
        return ticketFromEnvelope(envelope)
      }),
    addTags: write,
    removeTags: write,
    addInternalNote: write,
    sendReply: (ticketId) => Effect.zipLeft(write(ticketId), Effect.sync(() => void tally.replies++)),
    listTags: Effect.succeed([]),
    listUsers: Effect.succeed([])
  }))
}

const patterns = defaultRoutingConfig.rules_classifier.patterns

/** The src rules classifier, as the worker runs it without an OpenAI key. */
export const rulesClassifier = RulesClassifier.layer(patterns)

/**
 * Answers at once with what the rules classifier says for that text, looked up in a Map filled on the warm-up
 * pass: the same decisions (so the same downstream path) as with the rules classifier, minus its cost.
 */
export const instantClassifier = () => {
  const rules = RulesClassifier.make(patterns)
  const answers = new Map<string, Classification>()
  let misses = 0
  const layer = Layer.succeed(Classifier, Classifier.of({
    classify: (input) => {
      const known = answers.get(input.text)
      if (known !== undefined) return Effect.succeed(known)
      misses++
      return Effect.tap(rules.classify(input), (answer) => Effect.sync(() => void answers.set(input.text, answer)))
    }
  }))
  return { layer, misses: () => misses }
}

const counted = (tally: Tally) =>
  Layer.mergeAll(
    Layer.effect(IdempotencyStore, Effect.map(IdempotencyStore, (store) => ({
      claim: (key, options) => (tally.ops++, store.claim(key, options)),
      complete: (key, options) => (tally.ops++, store.complete(key, options)),
      release: (key) => (tally.ops++, store.release(key)),
      get: (key) => (tally.ops++, store.get(key))
    }))).pipe(Layer.provide(IdempotencyStoreMemory.layer)),
    Layer.effect(ConversationStore, Effect.map(ConversationStore, (store) => ({
      get: (id) => (tally.ops++, store.get(id)),
      update: (id, change) => (tally.ops++, store.update(id, change))
    }))).pipe(Layer.provide(ConversationStoreMemory.layer)),
    Layer.effect(EventLog, Effect.map(EventLog, (log) => ({
      record: (entry) => {
        tally.ops++
        tally.outcomes.set(entry.outcome, (tally.outcomes.get(entry.outcome) ?? 0) + 1)
        return log.record(entry)
      },
      recent: log.recent
    }))).pipe(Layer.provide(EventLogMemory.layer))
  )

const liveConfig = Layer.succeed(AppConfig, {
  mode: "live",
  webhookToken: Option.none(),
  richpanelApiKey: Option.none(),
  openaiApiKey: Option.none(),
  shopifyAccessToken: Option.none()
})

/** A fresh set per pass (empty stores); the JSON logger formats every line as in Lambda, then drops it. */
export const workerServices = (classifier: Layer.Layer<Classifier>, tally: Tally) =>
  Layer.mergeAll(
    counted(tally),
    ModeSwitchMemory.layer,
    RateLimiterMemory.layer({ richpanel: UNLIMITED, openai: UNLIMITED, shopify: UNLIMITED }),
    CircuitBreakerMemory.layer(),
    Layer.succeed(QueueControl, QueueControl.of({ delayRetry: () => Effect.void })),
    WorkerSettingsLive.layer,
    richpanel(tally),
    classifier,
    SampleStoreOrderLookup.layer
  ).pipe(
    Layer.provideMerge(liveConfig),
    Layer.provideMerge(Logger.replace(Logger.defaultLogger, makeJsonLogger(() => void tally.logLines++))),
    Layer.provide(Layer.setConfigProvider(ConfigProvider.fromMap(new Map([["RICHPANEL_BOT_AUTHOR_ID", "user-bot"]]))))
  )
