/**
 * DynamoDB table definitions shared by the CDK stack and the local runtime (which creates the same tables
 * in dynalite), so the two can never drift.
 */
export interface TableDefinition {
  readonly name: string
  readonly partitionKey: string
  readonly sortKey?: string
  /** Epoch-seconds attribute DynamoDB TTL deletes on; code never trusts deletion and checks expiry itself. */
  readonly ttlAttribute: string
}

export const IdempotencyTable: TableDefinition = {
  name: "rp_mw_idempotency",
  partitionKey: "pk",
  ttlAttribute: "expires_at"
}

export const ConversationStateTable: TableDefinition = {
  name: "rp_mw_conversation_state",
  partitionKey: "pk",
  sortKey: "sk",
  ttlAttribute: "expires_at"
}

export const AllTables: ReadonlyArray<TableDefinition> = [IdempotencyTable, ConversationStateTable]
