import type { Mode } from "../../../src/services/AppConfig.js"
import type { IntentId } from "../../../src/domain/Taxonomy.js"

/**
 * A simulation script: the people, orders and conversations of one run and everything that happens to them, as
 * data. Generated from a seed (`Generate.ts`) or written by hand (`scenarios.ts`); `RunScript.ts` plays it through
 * the real ingress and worker programs, and `Invariants.ts` judges the result against what the script knows to be
 * true of every message (its "truth").
 */

export interface Person {
  readonly id: string
  readonly email?: string
  readonly phone?: string
}

export interface SimOrder {
  /** `#1001`. */
  readonly name: string
  /** Shopify's numeric id. */
  readonly id: string
  readonly ownerId: string
  readonly email?: string
  readonly phone?: string
  readonly fulfillment: "FULFILLED" | "UNFULFILLED"
  readonly tracking?: { readonly company: string; readonly number: string }
  /** Unique per order, so a reply that carries it is recognised. */
  readonly statusUrl: string
  readonly createdDaysAgo: number
  readonly shippingTitle: string
  readonly cancelled: boolean
}

export interface SimConversation {
  readonly id: string
  /** Who is really writing (the owner of their orders, or a stranger). */
  readonly customerId: string
  /** What Richpanel's customer profile shows. */
  readonly profile: { readonly email?: string; readonly phone?: string }
  /** Raw Richpanel channel (`email`, `livechat`, `instagram_message`…). */
  readonly channel: string
  /** Store id of the order Richpanel links to the conversation, if any. */
  readonly linkedOrderId?: string
  /** The e-mail subject of the ticket (it belongs to its first message). */
  readonly subject?: string
}

/** What the script knows about a customer message, whatever the middleware makes of it. */
export interface MessageTruth {
  /** `auto-reply`: written by the customer's mail system, not by the customer. */
  readonly kind: "genuine" | "auto-reply"
  /** The P0 intent whose keyword (possibly disguised) the text carries. */
  readonly tier0?: IntentId
  /** A short label for reports ("order-with-number", "chargeback/zero-width"…). */
  readonly label: string
}

export interface WebhookPlan {
  /** `flat-no-id`: a flat body without `message_id` (the message is known by its words only). */
  readonly shape: "flat" | "flat-no-id" | "ticket" | "id-only"
  /** Delay (ms after the comment exists) of each delivery: none = dropped, two = delivered twice. */
  readonly deliveries: ReadonlyArray<number>
}

export type Action =
  | {
    readonly at: number
    readonly kind: "customer"
    readonly conversation: string
    readonly text: string
    readonly truth: MessageTruth
    readonly webhook: WebhookPlan
    readonly attachments?: number
  }
  | {
    readonly at: number
    readonly kind: "agent"
    readonly conversation: string
    readonly text: string
    /** The agent closes the ticket with the reply. */
    readonly close: boolean
    /** A rule that (wrongly) fires on agents' messages too. */
    readonly webhook?: WebhookPlan
  }
  /** An operator sets the kill switch (`mode`) or clears it (`null`). */
  | { readonly at: number; readonly kind: "mode"; readonly mode: Mode | null }
  /** A body posted to the webhook as is (hostile or malformed input); `expect` is the answer class it must get. */
  | {
    readonly at: number
    readonly kind: "raw-webhook"
    readonly label: string
    readonly body: string
    readonly expect: "2xx" | "4xx"
  }

/** A period during which calls to one dependency fail. */
export interface FaultWindow {
  readonly target: "richpanel" | "openai" | "shopify" | "store" | "queue"
  readonly from: number
  readonly to: number
  /**
   * `error`: 5xx / unavailable, nothing applied. `timeout`: no answer for 10 s (the client's timeout), nothing
   * applied. `lost`: a write is applied, then the answer is lost. `429`: Richpanel says too many requests.
   * `invalid`: a ticket read answers a body the client cannot read (Richpanel only; reads only).
   */
  readonly kind: "error" | "timeout" | "lost" | "429" | "invalid"
  /** Share of calls in the window that fail. */
  readonly rate: number
}

export interface RichpanelProfile {
  /** Richpanel's own limit, enforced by the fake: requests per 30 s for the whole account. */
  readonly limitPer30s: number
  /** Share of 429 answers that carry a Retry-After header. */
  readonly retryAfterShare: number
  readonly latencyMs: readonly [number, number]
  /** send-message can take much longer: the bot's reply lands late. */
  readonly replyLatencyMs: readonly [number, number]
  /** Share of ticket reads served from a replica that lags. */
  readonly staleReadShare: number
  readonly staleLagMs: readonly [number, number]
  /** Requests per 30 s other integrations of the shop spend from the same budget. */
  readonly otherIntegrationsPer30s: number
}

export interface Script {
  readonly name: string
  readonly seed: number
  /** `MW_MODE` of the deployment. */
  readonly mode: Mode
  /** `RICHPANEL_BOT_AUTHOR_ID` is set. */
  readonly botAuthorKnown: boolean
  /** Queue pollers (concurrent workers). */
  readonly pollers: number
  /**
   * How messages reach the worker: `local` as the local runtime's consumer does (batches of 1, no deadline), or
   * `lambda` as the deployed stack does (its largest accepted batch size, records not started after the
   * invocation's deadline handed back). Default `local`.
   */
  readonly consumer?: "local" | "lambda"
  readonly people: ReadonlyArray<Person>
  readonly orders: ReadonlyArray<SimOrder>
  readonly conversations: ReadonlyArray<SimConversation>
  /** Sorted by `at` (ms after the start). */
  readonly actions: ReadonlyArray<Action>
  readonly richpanel: RichpanelProfile
  readonly faults: ReadonlyArray<FaultWindow>
  /**
   * Process crashes. `worker[g]`: the g-th worker process dies at that step (a store, Richpanel, OpenAI or Shopify
   * call, before or after it took effect) counted from its start, and restarts 3 s later. `ingress`: the webhook
   * requests that die at those global ingress steps.
   */
  readonly crashes: { readonly worker: ReadonlyArray<number>; readonly ingress: ReadonlyArray<number> }
}

export const calmRichpanel: RichpanelProfile = {
  limitPer30s: 50,
  retryAfterShare: 1,
  latencyMs: [80, 400],
  replyLatencyMs: [200, 1_500],
  staleReadShare: 0,
  staleLagMs: [0, 0],
  otherIntegrationsPer30s: 0
}

export const BOT_AUTHOR_ID = "user-bot"
export const AGENT_AUTHOR_ID = "user-agent-7"
