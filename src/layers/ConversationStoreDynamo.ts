import { type AttributeValue, GetItemCommand, PutItemCommand } from "@aws-sdk/client-dynamodb"
import * as Config from "effect/Config"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import { ConversationStateTable } from "../domain/Tables.js"
import { ConversationState, ConversationStore } from "../services/ConversationStore.js"
import { attempt, DynamoClient, isAwsError } from "../services/DynamoClient.js"
import { StoreUnavailable } from "../services/IdempotencyStore.js"
import { makeConversationStore, type StoredState } from "./ConversationStoreMemory.js"

type Item = Record<string, AttributeValue>

const pk = ConversationStateTable.partitionKey
const sk = ConversationStateTable.sortKey ?? "sk"
const key = (conversationId: string): Item => ({ [pk]: { S: `conv#${conversationId}` }, [sk]: { S: "state" } })
const num = (n: number): AttributeValue => ({ N: String(n) })

// The state travels as one JSON attribute (it is only ever read whole); `version` and `expires_at` are also
// top-level attributes because the write condition and DynamoDB TTL need them.
const decodeState = Schema.decodeUnknown(Schema.parseJson(ConversationState))

// Mirrors the memory store's check. A conversation seen as new may replace an expired record TTL has not
// deleted yet; two writers racing for that both fail but one, because the winner moves `expires_at` forward.
const absentOrExpired = `attribute_not_exists(${pk}) OR expires_at < :nowSec`

export const layer = Layer.effect(
  ConversationStore,
  Effect.gen(function*() {
    const client = yield* DynamoClient
    const TableName = yield* Config.string("CONVERSATION_STATE_TABLE").pipe(
      Config.withDefault(ConversationStateTable.name)
    )

    const read = (conversationId: string) =>
      attempt("ConversationStore.read", (abortSignal) =>
        client.send(new GetItemCommand({ TableName, Key: key(conversationId), ConsistentRead: true }), {
          abortSignal
        })).pipe(
          Effect.flatMap(({ Item: item }) => {
            if (item === undefined) return Effect.succeedNone
            const expiresAt = Number(item["expires_at"]?.N)
            return decodeState(item["state"]?.S).pipe(
              Effect.filterOrFail(() => Number.isFinite(expiresAt), () => "no expires_at"),
              Effect.map((state): Option.Option<StoredState> => Option.some({ state, expiresAt })),
              Effect.mapError((cause) => new StoreUnavailable({ operation: "ConversationStore.read", cause }))
            )
          })
        )

    const write = (conversationId: string, next: StoredState, expected: number, nowMs: number) =>
      attempt("ConversationStore.write", (abortSignal) =>
        client.send(
          new PutItemCommand({
            TableName,
            Item: {
              ...key(conversationId),
              state: { S: JSON.stringify(next.state) },
              version: num(next.state.version),
              updated_at: num(next.state.updated_at),
              expires_at: num(next.expiresAt)
            },
            ...(expected === 0
              ? {
                ConditionExpression: absentOrExpired,
                ExpressionAttributeValues: { ":nowSec": num(Math.floor(nowMs / 1000)) }
              }
              : {
                ConditionExpression: "#version = :expected",
                ExpressionAttributeNames: { "#version": "version" },
                ExpressionAttributeValues: { ":expected": num(expected) }
              })
          }),
          { abortSignal }
        )).pipe(
          Effect.as(true),
          Effect.catchIf(isAwsError("ConditionalCheckFailedException"), () => Effect.succeed(false))
        )

    return makeConversationStore({ read, write })
  })
)
