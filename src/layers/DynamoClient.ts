import { DynamoDBClient, type DynamoDBClientConfig } from "@aws-sdk/client-dynamodb"
import * as Config from "effect/Config"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import { DynamoClient } from "../services/DynamoClient.js"

const make = (config: DynamoDBClientConfig) =>
  Layer.scoped(
    DynamoClient,
    Effect.acquireRelease(
      Effect.sync(() =>
        new DynamoDBClient({
          ...config,
          // Our own Schedules own retries; SDK retries would multiply them and delay a fail-closed 503.
          maxAttempts: 1,
          // A hung connection must fail fast too, or the webhook outlives Richpanel's timeout.
          requestHandler: { connectionTimeout: 1_000, requestTimeout: 5_000 }
        })
      ),
      (client) => Effect.sync(() => client.destroy())
    )
  )

/** Region from `AWS_REGION` (default us-east-2); `DYNAMODB_ENDPOINT` points at a local dynalite. */
export const layer = Layer.unwrapEffect(
  Effect.gen(function*() {
    const region = yield* Config.string("AWS_REGION").pipe(Config.withDefault("us-east-2"))
    const endpoint = yield* Config.option(Config.string("DYNAMODB_ENDPOINT"))
    return make(Option.match(endpoint, {
      onNone: () => ({ region }),
      onSome: (url) => ({ region, endpoint: url })
    }))
  })
)

/** A client for dynalite (local runtime, tests): fixed dummy credentials, which dynalite does not check. */
export const layerEndpoint = (endpoint: string) =>
  make({ region: "us-east-2", endpoint, credentials: { accessKeyId: "local", secretAccessKey: "local" } })
