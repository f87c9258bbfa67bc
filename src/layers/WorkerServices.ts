import * as Layer from "effect/Layer"
import * as CircuitBreakerMemory from "./CircuitBreakerMemory.js"
import * as Integrations from "./Integrations.js"
import * as WorkerSettingsLive from "./WorkerSettings.js"

/**
 * The worker's external parts that are the same everywhere: Richpanel (or its dry run), the classifier (OpenAI or
 * rules), a breaker per downstream (one per process: each Lambda container trips on what it sees), the settings.
 * Stores, the limiter and queue control differ between AWS and the laptop and are added by each runtime.
 */
export const layer = Layer.mergeAll(Integrations.richpanel, Integrations.classifier, CircuitBreakerMemory.layer()).pipe(
  Layer.provideMerge(WorkerSettingsLive.layer)
)
