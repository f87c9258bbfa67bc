import { type AttributeValue, GetItemCommand, PutItemCommand, UpdateItemCommand } from "@aws-sdk/client-dynamodb"
import * as Clock from "effect/Clock"
import * as Config from "effect/Config"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Random from "effect/Random"
import * as Record from "effect/Record"
import * as Schema from "effect/Schema"
import { ConversationStateTable } from "../domain/Tables.js"
import type { Downstream } from "../services/Downstream.js"
import { attempt, DynamoClient, isAwsError } from "../services/DynamoClient.js"
import { type RateLimit, RateLimiter, RateLimiterUnavailable } from "../services/RateLimiter.js"
import { type BucketState, checkCost, defaultLimits, initialBucket, take } from "./RateLimiterMemory.js"

type Item = { [name: string]: AttributeValue }

/** The bucket as read, with the version a write must still find; 0 = no item yet. */
interface Stored {
  readonly state: BucketState
  readonly version: number
}

const key = (downstream: Downstream): Item => ({
  [ConversationStateTable.partitionKey]: { S: `ratelimit#${downstream}` },
  [ConversationStateTable.sortKey ?? "sk"]: { S: "bucket" }
})
const num = (n: number): AttributeValue => ({ N: String(n) })
const decodeSpent = Schema.decodeUnknown(Schema.parseJson(Schema.Array(Schema.Tuple(Schema.Number, Schema.Number))))
const readNumber = (item: Item, name: string) => (item[name]?.N === undefined ? undefined : Number(item[name]?.N))

/** An item written only by `pauseUntil` has no bucket yet: its tokens start full. */
const fromItem = (limit: RateLimit, item: Item | undefined, now: number) => {
  const fresh = initialBucket(limit, now)
  if (item === undefined) return Effect.succeed<Stored>({ state: fresh, version: 0 })
  return Effect.map(decodeSpent(item["spent"]?.S ?? "[]"), (spent): Stored => ({
    state: {
      tokens: readNumber(item, "tokens") ?? fresh.tokens,
      refilledAt: readNumber(item, "refilled_at") ?? fresh.refilledAt,
      spent,
      pausedUntil: readNumber(item, "paused_until") ?? 0
    },
    version: readNumber(item, "version") ?? 0
  }))
}

/**
 * One bucket per downstream for every worker, in the conversation-state table: read, compute on this
 * worker's Clock, write back only if the version is unchanged. The fibers of one worker queue on a local
 * mutex first, so races are between workers only; a worker that finds the bucket empty sleeps until its
 * tokens are due instead of polling DynamoDB.
 */
export const layer = (limits: Record<Downstream, RateLimit>) =>
  Layer.effect(
    RateLimiter,
    Effect.gen(function*() {
      const client = yield* DynamoClient
      const TableName = yield* Config.string("CONVERSATION_STATE_TABLE").pipe(
        Config.withDefault(ConversationStateTable.name)
      )
      const mutexes = yield* Effect.all(Record.map(limits, () => Effect.makeSemaphore(1)))

      const read = (downstream: Downstream, now: number) =>
        attempt("RateLimiter.read", (abortSignal) =>
          client.send(new GetItemCommand({ TableName, Key: key(downstream), ConsistentRead: true }), { abortSignal })).pipe(
            Effect.flatMap(({ Item: item }) => fromItem(limits[downstream], item, now))
          )

      /** `false` when another worker wrote first. Tokens are floored to micro-tokens: never a DynamoDB `1e-7`. */
      const write = (downstream: Downstream, state: BucketState, version: number) =>
        attempt("RateLimiter.write", (abortSignal) =>
          client.send(
            new PutItemCommand({
              TableName,
              Item: {
                ...key(downstream),
                tokens: num(Math.floor(state.tokens * 1e6) / 1e6),
                refilled_at: num(state.refilledAt),
                spent: { S: JSON.stringify(state.spent) },
                paused_until: num(state.pausedUntil),
                version: num(version + 1)
              },
              ...(version === 0
                ? { ConditionExpression: `attribute_not_exists(${ConversationStateTable.partitionKey})` }
                : {
                  ConditionExpression: "#version = :version",
                  ExpressionAttributeNames: { "#version": "version" },
                  ExpressionAttributeValues: { ":version": num(version) }
                })
            }),
            { abortSignal }
          )).pipe(
            Effect.as(true),
            Effect.catchIf(isAwsError("ConditionalCheckFailedException"), () => Effect.succeed(false))
          )

      const acquire = Effect.fn("RateLimiterDynamo.acquire")(function*(downstream: Downstream, cost: number = 1) {
        const limit = limits[downstream]
        yield* checkCost(downstream, limit, cost)
        yield* mutexes[downstream].withPermits(1)(Effect.gen(function*() {
          while (true) {
            const now = yield* Clock.currentTimeMillis
            const stored = yield* read(downstream, now)
            const next = take(limit, stored.state, cost, now)
            if (next._tag === "Wait") {
              yield* Effect.sleep(Duration.millis(next.until - now))
            } else if (yield* write(downstream, next.state, stored.version)) {
              return
            } else {
              // Lost a race: the winners woke at the same instant, so spread the re-reads out.
              yield* Effect.sleep(Duration.millis(yield* Random.nextRange(5, 25)))
            }
          }
        })).pipe(Effect.mapError((cause) => new RateLimiterUnavailable({ downstream, cause })))
      })

      // Bumping the version makes a concurrent acquire's write fail, so it re-reads and sees the pause.
      const pauseUntil = (downstream: Downstream, untilEpochMs: number) =>
        attempt("RateLimiter.pauseUntil", (abortSignal) =>
          client.send(
            new UpdateItemCommand({
              TableName,
              Key: key(downstream),
              UpdateExpression: "SET paused_until = :until ADD #version :one",
              ConditionExpression: "attribute_not_exists(paused_until) OR paused_until < :until",
              ExpressionAttributeNames: { "#version": "version" },
              ExpressionAttributeValues: { ":until": num(untilEpochMs), ":one": num(1) }
            }),
            { abortSignal }
          )).pipe(
            // A longer pause is already in place.
            Effect.catchIf(isAwsError("ConditionalCheckFailedException"), () => Effect.void),
            Effect.asVoid,
            Effect.mapError((cause) => new RateLimiterUnavailable({ downstream, cause })),
            Effect.withSpan("RateLimiterDynamo.pauseUntil")
          )

      return { acquire, pauseUntil }
    })
  )

export const layerDefault = layer(defaultLimits)
