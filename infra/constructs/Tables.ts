import { RemovalPolicy } from "aws-cdk-lib"
import * as dynamodb from "aws-cdk-lib/aws-dynamodb"
import { Construct } from "constructs"
import { ConversationStateTable, IdempotencyTable, type TableDefinition } from "../../src/domain/Tables.js"

export interface TablesProps {
  readonly retainData: boolean
}

const stringKey = (name: string): dynamodb.Attribute => ({ name, type: dynamodb.AttributeType.STRING })

/**
 * The two tables, built from the same definitions the local runtime creates in dynalite (src/domain/Tables.ts),
 * so key schema and TTL attribute cannot drift between AWS and the laptop.
 */
export class Tables extends Construct {
  readonly idempotency: dynamodb.TableV2
  readonly conversationState: dynamodb.TableV2

  constructor(scope: Construct, id: string, props: TablesProps) {
    super(scope, id)
    const make = (constructId: string, definition: TableDefinition) =>
      new dynamodb.TableV2(this, constructId, {
        tableName: definition.name,
        partitionKey: stringKey(definition.partitionKey),
        ...(definition.sortKey === undefined ? {} : { sortKey: stringKey(definition.sortKey) }),
        timeToLiveAttribute: definition.ttlAttribute,
        billing: dynamodb.Billing.onDemand(),
        pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
        // Explicit SSE with the AWS managed key (visible in the template; no key policy to maintain).
        encryption: dynamodb.TableEncryptionV2.awsManagedKey(),
        deletionProtection: props.retainData,
        removalPolicy: props.retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY
      })
    this.idempotency = make("Idempotency", IdempotencyTable)
    this.conversationState = make("ConversationState", ConversationStateTable)
  }
}
