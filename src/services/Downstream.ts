import * as Context from "effect/Context"
import * as Schema from "effect/Schema"
/** The external services every call to which is rate limited, circuit-broken and retried (DESIGN.md §4.5). */
export const Downstream = Schema.Literal("richpanel", "openai", "shopify")
export type Downstream = typeof Downstream.Type

/**
 * The downstreams this runtime really calls. Without a key a stand-in answers (the rules classifier, the Richpanel
 * dry run, the sample store): its calls still go through the limiter and breaker, but they are not counted as
 * calls to the service, so dashboards and the 429-rate alarm see only real traffic. Default: all of them.
 */
export class LiveDownstreams extends Context.Reference<LiveDownstreams>()("rp-mw/LiveDownstreams", {
  defaultValue: (): ReadonlySet<Downstream> => new Set(Downstream.literals)
}) {}
