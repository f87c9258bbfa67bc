import { type AttributeValue, DeleteItemCommand, GetItemCommand, PutItemCommand } from "@aws-sdk/client-dynamodb"
import * as Config from "effect/Config"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import { ConversationStateTable } from "../domain/Tables.js"
import { AppConfig } from "../services/AppConfig.js"
import { attempt, DynamoClient } from "../services/DynamoClient.js"
import { StoreUnavailable } from "../services/IdempotencyStore.js"
import { ModeOverride, ModeSwitch } from "../services/ModeSwitch.js"
import { makeModeSwitch } from "./ModeSwitchMemory.js"

type Item = Record<string, AttributeValue>

// One item in the conversation-state table, with no `expires_at`: TTL must never lift a kill switch.
const Key: Item = {
  [ConversationStateTable.partitionKey]: { S: "config#mode" },
  [ConversationStateTable.sortKey ?? "sk"]: { S: "override" }
}

const decodeOverride = Schema.decodeUnknown(ModeOverride)

export const layer = Layer.effect(
  ModeSwitch,
  Effect.gen(function*() {
    const client = yield* DynamoClient
    const { mode } = yield* AppConfig
    const TableName = yield* Config.string("CONVERSATION_STATE_TABLE").pipe(
      Config.withDefault(ConversationStateTable.name)
    )

    // Strongly consistent, so a switch pulled a moment ago is never hidden by a lagging replica. An item that
    // does not decode (hand-edited in the console) counts as unreadable: workers keep the last mode they knew.
    const read = attempt("ModeSwitch.getOverride", (abortSignal) =>
      client.send(new GetItemCommand({ TableName, Key, ConsistentRead: true }), { abortSignal })).pipe(
        Effect.flatMap(({ Item: item }) =>
          item === undefined
            ? Effect.succeedNone
            : decodeOverride({
              mode: item["mode"]?.S,
              reason: item["reason"]?.S,
              set_by: item["set_by"]?.S,
              set_at: item["set_at"]?.S
            }).pipe(
              Effect.map(Option.some),
              Effect.mapError((cause) => new StoreUnavailable({ operation: "ModeSwitch.getOverride", cause }))
            )
        )
      )

    const write = (override: ModeOverride) =>
      attempt("ModeSwitch.setOverride", (abortSignal) =>
        client.send(
          new PutItemCommand({
            TableName,
            Item: {
              ...Key,
              mode: { S: override.mode },
              reason: { S: override.reason },
              set_by: { S: override.set_by },
              set_at: { S: override.set_at }
            }
          }),
          { abortSignal }
        )).pipe(Effect.asVoid)

    const clear = attempt("ModeSwitch.clearOverride", (abortSignal) =>
      client.send(new DeleteItemCommand({ TableName, Key }), { abortSignal })).pipe(Effect.asVoid)

    return yield* makeModeSwitch(mode, { read, write, clear })
  })
)
