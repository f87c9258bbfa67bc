import {
  type AttributeDefinition,
  CreateTableCommand,
  DescribeTableCommand,
  type KeySchemaElement
} from "@aws-sdk/client-dynamodb"
import * as Effect from "effect/Effect"
import * as Schedule from "effect/Schedule"
import type { TableDefinition } from "../domain/Tables.js"
import { attempt, DynamoClient, isAwsError } from "../services/DynamoClient.js"
import { StoreUnavailable } from "../services/IdempotencyStore.js"

const keys = (table: TableDefinition) => {
  const names = table.sortKey === undefined ? [table.partitionKey] : [table.partitionKey, table.sortKey]
  const keySchema: Array<KeySchemaElement> = names.map((name, i) => ({
    AttributeName: name,
    KeyType: i === 0 ? "HASH" : "RANGE"
  }))
  const attributes: Array<AttributeDefinition> = names.map((name) => ({ AttributeName: name, AttributeType: "S" }))
  return { keySchema, attributes }
}

// dynalite (createTableMs: 0) and real DynamoDB on-demand tables are usually ACTIVE within a few seconds.
const untilActive = Schedule.recurUntil((status: string | undefined) => status === "ACTIVE").pipe(
  Schedule.intersect(Schedule.spaced("200 millis")),
  Schedule.intersect(Schedule.recurs(150)),
  Schedule.passthrough
)

const ensureTable = Effect.fn("DynamoTables.ensureTable")(function*(table: TableDefinition) {
  const client = yield* DynamoClient
  const { attributes, keySchema } = keys(table)
  yield* attempt("CreateTable", (abortSignal) =>
    client.send(
      new CreateTableCommand({
        TableName: table.name,
        BillingMode: "PAY_PER_REQUEST",
        AttributeDefinitions: attributes,
        KeySchema: keySchema
      }),
      { abortSignal }
    )).pipe(Effect.catchIf(isAwsError("ResourceInUseException"), () => Effect.void)) // already there
  const status = yield* attempt("DescribeTable", (abortSignal) =>
    client.send(new DescribeTableCommand({ TableName: table.name }), { abortSignal })
      .then((out) => out.Table?.TableStatus)).pipe(
      Effect.repeat(untilActive)
    )
  if (status !== "ACTIVE") {
    return yield* new StoreUnavailable({ operation: "DescribeTable", cause: `${table.name} is ${status}` })
  }
})

/**
 * Creates each table (on-demand, string keys) unless it exists, and waits until it is ACTIVE. TTL is not
 * switched on here: dynalite has no TTL API, and the CDK stack sets it from the same definitions.
 */
export const ensureTables = (definitions: ReadonlyArray<TableDefinition>) =>
  Effect.forEach(definitions, ensureTable, { discard: true })
