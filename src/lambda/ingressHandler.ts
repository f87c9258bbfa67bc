import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from "aws-lambda"
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Tracing from "../layers/Tracing.js"
import { ingest } from "../programs/Ingress.js"
import { acceptedAnswer, rejectionAnswer } from "../programs/IngressHttp.js"
import type { AppConfig } from "../services/AppConfig.js"
import type { EventQueue } from "../services/EventQueue.js"
import type { IdempotencyStore } from "../services/IdempotencyStore.js"
import * as Metrics from "../services/Metrics.js"
import { toApiGatewayResult, toIngressRequest } from "./apiGateway.js"
import type { Runner } from "./Runner.js"

type IngressServices = EventQueue | IdempotencyStore | AppConfig

const unavailable = { status: 503, headers: { "content-type": "application/json" }, body: '{"error":"unavailable","message":"internal error; retry later"}' }

/**
 * The thin Lambda adapter: decode the API Gateway event, run the ingress program, render the answer.
 * A defect (a bug) still answers 503, never a crash, so Richpanel's delivery is not lost to an exception.
 * The invocation's spans are flushed before the answer goes back (Lambda freezes the sandbox after it), and the
 * acknowledgement latency includes that flush, since the sender waits for it too.
 */
export const ingressHandler =
  (runtime: Runner<IngressServices>) =>
  (event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> =>
    runtime.runPromise(
      Effect.gen(function* () {
        const started = yield* Clock.currentTimeMillis
        const answer = yield* ingest(toIngressRequest(event)).pipe(
          Effect.match({ onSuccess: acceptedAnswer, onFailure: rejectionAnswer }),
          Effect.catchAllDefect((defect) => Effect.logError("ingress defect", defect).pipe(Effect.as(unavailable))),
          Effect.ensuring(Tracing.flush)
        )
        yield* Metrics.emit("AckLatency", (yield* Clock.currentTimeMillis) - started, {})
        return toApiGatewayResult(answer)
      })
    )
