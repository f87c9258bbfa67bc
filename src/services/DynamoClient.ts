import type { DynamoDBClient } from "@aws-sdk/client-dynamodb"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import { StoreUnavailable } from "./IdempotencyStore.js"

/** The one DynamoDB client of a runtime (scoped; see `layers/DynamoClient.ts`). */
export class DynamoClient extends Context.Tag("rp-mw/DynamoClient")<DynamoClient, DynamoDBClient>() {}

/**
 * Runs one SDK call as an Effect. Interruption aborts the HTTP request; every failure becomes
 * `StoreUnavailable` with the SDK exception as `cause`, so callers that expect one (e.g. a failed condition)
 * pick it out with `isAwsError`.
 */
export const attempt = <A>(operation: string, run: (signal: AbortSignal) => Promise<A>) =>
  Effect.tryPromise({ try: run, catch: (cause) => new StoreUnavailable({ operation, cause }) })

/** SDK exceptions are matched by `name` (their tag), never by `instanceof`: bundling can duplicate classes. */
export const isAwsError = (name: string) => (error: StoreUnavailable): boolean =>
  typeof error.cause === "object" && error.cause !== null && (error.cause as { name?: unknown }).name === name
