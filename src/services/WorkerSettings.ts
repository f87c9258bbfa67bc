import * as Context from "effect/Context"
import type * as Either from "effect/Either"
import type * as Option from "effect/Option"
import type { RoutingConfig } from "../domain/RoutingConfigSchema.js"
import type { Classifier } from "./Classifier.js"

/** The channel variant of a template: email copy, or the short livechat copy. */
export type ReplyChannel = "email" | "livechat"

/**
 * What the worker decides with, loaded and validated once per runtime: the routing config, the approved
 * templates (as a renderer, so a reply can only ever come from one of them) and our own Richpanel identity.
 */
export class WorkerSettings extends Context.Tag("rp-mw/WorkerSettings")<WorkerSettings, {
  readonly routing: RoutingConfig
  /** Our bot user: replies are sent as it, and its comments are recognised as our own. */
  readonly botAuthorId: Option.Option<string>
  /** Renders an approved template; Left = why it cannot be sent (unknown, disabled, missing variable). */
  readonly renderReply: (
    templateId: string,
    channel: ReplyChannel,
    variables: Readonly<Record<string, string>>
  ) => Either.Either<string, string>
  /**
   * The local rules classifier, kept at hand when the model fails: its guess goes into the decision record
   * for the agent who picks the ticket up. It never drives routing or a reply (product spec §4.5).
   */
  readonly rulesClassifier: Classifier["Type"]
  /** Messages a worker may take before the queue gives up on it (the DLQ's maxReceiveCount). */
  readonly maxReceiveCount: number
}>() {}
