import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as DynamoClientLive from "../layers/DynamoClient.js"
import * as EventLogDynamo from "../layers/EventLogDynamo.js"
import { EventLog } from "../services/EventLog.js"
import type { EventView } from "./Http.js"

/**
 * The deployed stack's recent decisions, read from its event log in DynamoDB (`CONVERSATION_STATE_TABLE`, default
 * `rp_mw_conversation_state`) with the caller's AWS credentials and `AWS_REGION`, as the AWS CLI would.
 */
export const fetchAwsEvents = (limit: number): Promise<ReadonlyArray<EventView>> =>
  Effect.runPromise(
    Effect.flatMap(EventLog, (log) => log.recent(limit)).pipe(
      Effect.map((records) => records as ReadonlyArray<EventView>),
      Effect.provide(EventLogDynamo.layer.pipe(Layer.provide(DynamoClientLive.layer)))
    )
  )
