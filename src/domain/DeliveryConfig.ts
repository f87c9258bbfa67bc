import type { DeliverySettings } from "./DeliveryEstimate.js"
import type { DeliveryWindows } from "./RoutingConfigSchema.js"

/** The routing config's `delivery` section (snake_case, as the support lead writes it) as the ETA arithmetic takes it. */
export const deliverySettings = (windows: DeliveryWindows): DeliverySettings => ({
  timeZone: windows.time_zone,
  preOrderTag: windows.pre_order_tag,
  preOrderStartDays: windows.pre_order_start_days,
  statusPageLink: windows.include_status_page_link,
  tiers: windows.tiers.map((tier) => ({
    name: tier.name,
    minDays: tier.min_days,
    maxDays: tier.max_days,
    keywords: tier.keywords
  }))
})
