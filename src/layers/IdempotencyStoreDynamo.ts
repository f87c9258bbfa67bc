import {
  type AttributeValue,
  DeleteItemCommand,
  GetItemCommand,
  PutItemCommand,
  UpdateItemCommand
} from "@aws-sdk/client-dynamodb"
import * as Clock from "effect/Clock"
import * as Config from "effect/Config"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import { IdempotencyTable } from "../domain/Tables.js"
import { attempt, DynamoClient, isAwsError } from "../services/DynamoClient.js"
import {
  type ClaimOptions,
  ClaimOutcome,
  type IdempotencyRecord,
  IdempotencyStore,
  StoreUnavailable
} from "../services/IdempotencyStore.js"
import { inProgress, isClaimable, isExpired, outcomeOf } from "./IdempotencyStoreMemory.js"

type Item = Record<string, AttributeValue>

// Mirrors `isClaimable`. `status` and `data` are DynamoDB reserved words, hence the placeholders.
const claimable = `attribute_not_exists(${IdempotencyTable.partitionKey}) OR expires_at < :nowSec` +
  " OR (#status = :inprogress AND lease_expires_at < :nowMs)"

// A failed condition followed by a read that finds the record gone or claimable means it changed in between
// (released, expired); a few tries settle that, more would only hide a bug.
const maxClaimAttempts = 3

const key = (k: string): Item => ({ [IdempotencyTable.partitionKey]: { S: k } })
const num = (n: number): AttributeValue => ({ N: String(n) })

const toItem = (record: IdempotencyRecord): Item => ({
  ...key(record.key),
  status: { S: record.status },
  lease_expires_at: num(record.leaseExpiresAt),
  expires_at: num(record.expiresAt)
})

const readNumber = (item: Item, name: string): number | undefined => {
  const value = item[name]?.N
  return value === undefined ? undefined : Number(value)
}

/** Throws on an item this code did not write; the caller maps that to `StoreUnavailable`. */
const fromItem = (k: string, item: Item): IdempotencyRecord => {
  const status = item["status"]?.S
  const expiresAt = readNumber(item, "expires_at")
  if ((status !== "IN_PROGRESS" && status !== "COMPLETED") || expiresAt === undefined) {
    throw new Error(`malformed idempotency item for ${k}`)
  }
  const completedAt = readNumber(item, "completed_at")
  const data = item["data"]?.S
  return {
    key: k,
    status,
    leaseExpiresAt: readNumber(item, "lease_expires_at") ?? 0,
    expiresAt,
    ...(completedAt === undefined ? {} : { completedAt }),
    ...(data === undefined ? {} : { data: JSON.parse(data) as unknown })
  }
}

export const layer = Layer.effect(
  IdempotencyStore,
  Effect.gen(function*() {
    const client = yield* DynamoClient
    const TableName = yield* Config.string("IDEMPOTENCY_TABLE").pipe(Config.withDefault(IdempotencyTable.name))

    /** `Some(Acquired)` when the conditional put won, `None` when the condition failed. */
    const put = (k: string, options: ClaimOptions, nowMs: number) =>
      attempt("IdempotencyStore.claim", (abortSignal) =>
        client.send(
          new PutItemCommand({
            TableName,
            Item: toItem(inProgress(k, options, nowMs)),
            ConditionExpression: claimable,
            ExpressionAttributeNames: { "#status": "status" },
            ExpressionAttributeValues: {
              ":nowSec": num(Math.floor(nowMs / 1000)),
              ":nowMs": num(nowMs),
              ":inprogress": { S: "IN_PROGRESS" }
            },
            // On success this returns the replaced record, i.e. a takeover (dynalite supports it on success;
            // the on-failure variant it ignores, so classification below always reads).
            ReturnValues: "ALL_OLD"
          }),
          { abortSignal }
        )).pipe(
          Effect.map((out) => Option.some(ClaimOutcome.Acquired({ takeover: out.Attributes !== undefined }))),
          Effect.catchIf(isAwsError("ConditionalCheckFailedException"), () => Effect.succeedNone)
        )

    const read = (k: string, operation: string) =>
      attempt(operation, (abortSignal) =>
        client.send(new GetItemCommand({ TableName, Key: key(k), ConsistentRead: true }), { abortSignal })).pipe(
          Effect.flatMap(({ Item: item }) =>
            item === undefined ? Effect.succeedNone : Effect.try({
              try: () => Option.some(fromItem(k, item)),
              catch: (cause) => new StoreUnavailable({ operation, cause })
            })
          )
        )

    const claim = Effect.fn("IdempotencyStoreDynamo.claim")(function*(k: string, options: ClaimOptions) {
      for (let i = 0; i < maxClaimAttempts; i++) {
        const now = yield* Clock.currentTimeMillis
        const acquired = yield* put(k, options, now)
        if (Option.isSome(acquired)) return acquired.value
        const existing = yield* read(k, "IdempotencyStore.claim")
        if (Option.isSome(existing) && !isClaimable(existing.value, now)) return outcomeOf(existing.value)
      }
      return yield* new StoreUnavailable({ operation: "IdempotencyStore.claim", cause: "record changed on every attempt" })
    })

    const complete = Effect.fn("IdempotencyStoreDynamo.complete")(
      function*(k: string, options: { readonly data?: unknown; readonly ttlSeconds: number }) {
        const now = yield* Clock.currentTimeMillis
        // Data that is not JSON is a caller bug: the throw here becomes a defect, not StoreUnavailable.
        const json = options.data === undefined ? undefined : JSON.stringify(options.data)
        const set = "SET #status = :completed, completed_at = :now, expires_at = :expiresAt"
        yield* attempt("IdempotencyStore.complete", (abortSignal) =>
          client.send(
            new UpdateItemCommand({
              TableName,
              Key: key(k),
              UpdateExpression: json === undefined ? `${set} REMOVE #data` : `${set}, #data = :data`,
              ExpressionAttributeNames: { "#status": "status", "#data": "data" },
              ExpressionAttributeValues: {
                ":completed": { S: "COMPLETED" },
                ":now": num(now),
                ":expiresAt": num(Math.floor(now / 1000) + options.ttlSeconds),
                ...(json === undefined ? {} : { ":data": { S: json } })
              }
            }),
            { abortSignal }
          ))
      }
    )

    const release = (k: string) =>
      attempt("IdempotencyStore.release", (abortSignal) =>
        client.send(new DeleteItemCommand({ TableName, Key: key(k) }), { abortSignal })).pipe(
          Effect.asVoid,
          Effect.withSpan("IdempotencyStoreDynamo.release")
        )

    const get = (k: string) =>
      Effect.flatMap(Clock.currentTimeMillis, (now) =>
        Effect.map(read(k, "IdempotencyStore.get"), Option.filter((r) => !isExpired(r, now)))).pipe(
          Effect.withSpan("IdempotencyStoreDynamo.get")
        )

    return { claim, complete, release, get }
  })
)
