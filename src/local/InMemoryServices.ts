import * as Layer from "effect/Layer"
import * as ConversationStoreMemory from "../layers/ConversationStoreMemory.js"
import * as EventLogMemory from "../layers/EventLogMemory.js"
import * as IdempotencyStoreMemory from "../layers/IdempotencyStoreMemory.js"
import * as LocalEventQueue from "../layers/LocalEventQueue.js"
import * as LocalQueueControl from "../layers/LocalQueueControl.js"
import * as ModeSwitchMemory from "../layers/ModeSwitchMemory.js"
import * as Integrations from "../layers/Integrations.js"
import * as WorkerServices from "../layers/WorkerServices.js"
import type { AppConfig } from "../services/AppConfig.js"
import type { LocalFifoQueue } from "./LocalFifoQueue.js"

/**
 * Every service of the local runtime in memory, around one local queue: the benchmark's setting (measure the
 * code, not the disk) and a quick way to run the whole pipeline in a test. Nothing survives the process.
 */
export const inMemoryServices = <E>(queue: LocalFifoQueue, config: Layer.Layer<AppConfig, E>) =>
  Layer.mergeAll(
    LocalEventQueue.layer(queue),
    LocalQueueControl.layer(queue),
    IdempotencyStoreMemory.layer,
    EventLogMemory.layer,
    ConversationStoreMemory.layer,
    ModeSwitchMemory.layer,
    WorkerServices.local.pipe(Layer.provideMerge(Integrations.rateLimiterMemory))
  ).pipe(Layer.provideMerge(config))
