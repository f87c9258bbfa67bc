import {
  type AttributeValue,
  DeleteItemCommand,
  GetItemCommand,
  PutItemCommand,
  QueryCommand
} from "@aws-sdk/client-dynamodb"
import * as Clock from "effect/Clock"
import * as Config from "effect/Config"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Schema from "effect/Schema"
import { ConversationStateTable } from "../domain/Tables.js"
import { attempt, DynamoClient } from "../services/DynamoClient.js"
import { EventLog, EventRecord } from "../services/EventLog.js"
import { StoreUnavailable } from "../services/IdempotencyStore.js"
import { logKey, supersedes } from "./EventLogMemory.js"

type Item = Record<string, AttributeValue>

const retentionSeconds = 60 * 24 * 60 * 60
const dayMs = 24 * 60 * 60 * 1000
// Today first, then back a week; tomorrow too, in case the writer's clock ran ahead of ours around midnight.
const dayOffsets = [1, 0, -1, -2, -3, -4, -5, -6, -7]

/** Daily partitions keep `recent` a handful of Queries instead of a Scan. */
const entryKey = (key: string): Item => ({ pk: { S: `eventlog#${key.slice(0, 10)}` }, sk: { S: key } })
/** Where the current entry of an event lives, so a later outcome can replace it (no transactions in dynalite). */
const pointerKey = (eventId: string): Item => ({ pk: { S: `event#${eventId}` }, sk: { S: "eventlog" } })

const decode = Schema.decodeUnknown(Schema.parseJson(EventRecord))

export const layer = Layer.effect(
  EventLog,
  Effect.gen(function*() {
    const client = yield* DynamoClient
    const TableName = yield* Config.string("CONVERSATION_STATE_TABLE").pipe(
      Config.withDefault(ConversationStateTable.name)
    )

    const put = (item: Item) =>
      attempt("EventLog.record", (abortSignal) => client.send(new PutItemCommand({ TableName, Item: item }), { abortSignal }))

    // Entry first, pointer second, old entry deleted last: a crash in between leaves a duplicate, never a
    // gap, and `recent` drops duplicates anyway (it keeps the newest entry per event id).
    const record = Effect.fn("EventLogDynamo.record")(function*(entry: EventRecord) {
      const key = logKey(entry)
      const now = yield* Clock.currentTimeMillis
      const expires_at = { N: String(Math.floor(now / 1000) + retentionSeconds) }
      const pointer = yield* attempt("EventLog.record", (abortSignal) =>
        client.send(new GetItemCommand({ TableName, Key: pointerKey(entry.event_id), ConsistentRead: true }), {
          abortSignal
        }))
      const previous = pointer.Item?.["log_sk"]?.S
      if (previous !== undefined && !supersedes(key, previous)) return
      yield* put({ ...entryKey(key), record: { S: JSON.stringify(entry) }, expires_at })
      yield* put({ ...pointerKey(entry.event_id), log_sk: { S: key }, expires_at })
      if (previous !== undefined && previous !== key) {
        yield* attempt("EventLog.record", (abortSignal) =>
          client.send(new DeleteItemCommand({ TableName, Key: entryKey(previous) }), { abortSignal }))
      }
    })

    const query = (day: string, limit: number, startKey: Item | undefined) =>
      attempt("EventLog.recent", (abortSignal) =>
        client.send(
          new QueryCommand({
            TableName,
            KeyConditionExpression: "pk = :pk",
            ExpressionAttributeValues: { ":pk": { S: `eventlog#${day}` } },
            ScanIndexForward: false,
            ConsistentRead: true,
            Limit: limit,
            ...(startKey === undefined ? {} : { ExclusiveStartKey: startKey })
          }),
          { abortSignal }
        ))

    const recent = Effect.fn("EventLogDynamo.recent")(function*(limit: number) {
      const now = yield* Clock.currentTimeMillis
      const found: Array<EventRecord> = []
      const seen = new Set<string>()
      for (const offset of dayOffsets) {
        const day = new Date(now + offset * dayMs).toISOString().slice(0, 10)
        let startKey: Item | undefined
        do {
          if (found.length >= limit) return found
          // A little slack for duplicates, so one page usually suffices.
          const page = yield* query(day, Math.min(limit - found.length + 5, 1_000), startKey)
          for (const item of page.Items ?? []) {
            const entry = yield* decode(item["record"]?.S).pipe(
              Effect.mapError((cause) => new StoreUnavailable({ operation: "EventLog.recent", cause }))
            )
            if (seen.has(entry.event_id) || found.length >= limit) continue
            seen.add(entry.event_id)
            found.push(entry)
          }
          startKey = page.LastEvaluatedKey
        } while (startKey !== undefined)
      }
      return found
    })

    return { record, recent }
  })
)
