import type { ConversationState } from "../services/ConversationStore.js"
import type { AwaitingChange } from "./PolicyTypes.js"
import type { RoutingConfig } from "./RoutingConfigSchema.js"

const HOUR_MS = 60 * 60 * 1000

/**
 * Applies a plan's `stateChange.awaiting` to the stored state (product spec §7.4), so every caller counts
 * attempts the same way. Call it only once the ask has really been sent. A lapsed flow never carries its
 * attempts into a new one: after expiry the customer starts afresh.
 */
export const applyAwaitingChange = (
  state: ConversationState,
  change: AwaitingChange,
  now: number,
  config: RoutingConfig
): ConversationState => {
  switch (change) {
    case "keep":
      return state
    case "clear": {
      const { awaiting: _cleared, ...rest } = state
      return rest
    }
    case "start": {
      const live = state.awaiting !== undefined && now < state.awaiting.expires_at ? state.awaiting : undefined
      return {
        ...state,
        awaiting: {
          kind: "order_number",
          attempts: (live?.attempts ?? 0) + 1,
          since: live?.since ?? now,
          expires_at: now + config.awaiting_order_number.expiry_hours * HOUR_MS
        }
      }
    }
  }
}
