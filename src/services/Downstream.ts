import * as Schema from "effect/Schema"
/** The external services every call to which is rate limited, circuit-broken and retried (DESIGN.md §4.5). */
export const Downstream = Schema.Literal("richpanel", "openai", "shopify")
export type Downstream = typeof Downstream.Type
