import * as Layer from "effect/Layer"
import type { OpsSummary } from "../programs/ops/OpsReport.js"
import * as AppConfigLive from "../layers/AppConfig.js"
import * as EmfMetrics from "../layers/EmfMetrics.js"
import * as Integrations from "../layers/Integrations.js"
import * as Logging from "../layers/Logging.js"
import * as SecretsConfig from "../layers/SecretsConfig.js"
import * as SqsQueueStats from "../layers/SqsQueueStats.js"
import * as Tracing from "../layers/Tracing.js"
import { opsHandler } from "./opsHandler.js"
import { recoveringRuntime } from "./Runner.js"

/** Production wiring: SQS attributes for the DLQ report, Richpanel (key from Secrets Manager) for the tag drift. */
export const OpsLive = Layer.mergeAll(
  SqsQueueStats.layer,
  Integrations.richpanel,
  Integrations.liveDownstreams,
  Tracing.layer("rp-mw-ops"),
  EmfMetrics.layer
).pipe(Layer.provideMerge(AppConfigLive.layer), Layer.provide(SecretsConfig.layer), Layer.provide(Logging.layer))

// One runtime per Lambda container, reused; a failed start-up (a secret missing, Secrets Manager unreachable) is
// rebuilt on the next scheduled run, so a fixed secret is picked up without waiting for a new container.
const runtime = recoveringRuntime(OpsLive)

export const handler = (event?: unknown): Promise<OpsSummary> => opsHandler(runtime)(event)
