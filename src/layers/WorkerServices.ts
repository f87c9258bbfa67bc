import * as Layer from "effect/Layer"
import * as CircuitBreakerMemory from "./CircuitBreakerMemory.js"
import * as Integrations from "./Integrations.js"
import * as OrderLookupSelection from "./OrderLookupSelection.js"
import * as WorkerSettingsLive from "./WorkerSettings.js"

/**
 * The worker's external parts that are the same everywhere: Richpanel (or its dry run), the classifier (OpenAI or
 * rules), a breaker per downstream (one per process: each Lambda container trips on what it sees), the settings.
 * Stores, the limiter and queue control differ between AWS and the laptop and are added by each runtime.
 */
const shared = Layer.mergeAll(
  Integrations.richpanel,
  Integrations.classifier,
  CircuitBreakerMemory.layer(),
  Integrations.liveDownstreams
).pipe(
  Layer.provideMerge(WorkerSettingsLive.layer)
)

/**
 * Order lookups go through the same limiter and breakers as every other call, so they are built on top of the
 * shared parts; the runtime still supplies the RateLimiter.
 */
const withOrderLookup = (orderLookup: typeof OrderLookupSelection.orderLookupLocal) =>
  orderLookup.pipe(Layer.provideMerge(shared))

/** The laptop: Shopify when a token is set, else the sample store, so "where is my order?" can be tried. */
export const local = withOrderLookup(OrderLookupSelection.orderLookupLocal)
/** AWS: Shopify when a token is set, else no lookup (order questions go to a human; never sample data). */
export const lambda = withOrderLookup(OrderLookupSelection.orderLookupLambda)
