import { SQSClient } from "@aws-sdk/client-sqs"
import * as Config from "effect/Config"
import * as Effect from "effect/Effect"

/**
 * A scoped SQS client (destroyed with its scope). The SDK's own retries are off (`maxAttempts: 1`): our named
 * Schedules own retries. `SQS_ENDPOINT` points it at a test endpoint.
 */
export const sqsClient = Effect.gen(function* () {
  const region = yield* Config.string("AWS_REGION").pipe(Config.withDefault("us-east-2"))
  const endpoint = yield* Config.option(Config.string("SQS_ENDPOINT"))
  return yield* Effect.acquireRelease(
    Effect.sync(() =>
      new SQSClient({
        region,
        maxAttempts: 1,
        // A hung connection must end in a clean 503 (ingress) or a retry, not in the Lambda's own timeout.
        requestHandler: { connectionTimeout: 1_000, requestTimeout: 3_000 },
        ...(endpoint._tag === "Some" ? { endpoint: endpoint.value } : {})
      })
    ),
    (client) => Effect.sync(() => client.destroy())
  )
})
