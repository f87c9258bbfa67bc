import { DynamoDBClient } from "@aws-sdk/client-dynamodb"
import { SQSClient } from "@aws-sdk/client-sqs"

/** Baseline for the ingress bundle: just the two AWS SDK clients it needs, kept referenced so nothing is shaken out. */
export const clients = [SQSClient, DynamoDBClient]
