/**
 * Delivery windows for an unshipped order (spec §7.3): business days Mon–Fri in the store's time zone, no holidays.
 * Pure: the caller passes the instants (`now` from Clock). Days are counted on the store's calendar, so an order
 * placed Friday 23:30 in New York is a Friday order even though it is Saturday in UTC, and DST never shifts a day.
 */

export interface ShippingTier {
  readonly name: string
  readonly minDays: number
  readonly maxDays: number
  /** Matched at the start of a word of the shipping-method title, case-insensitively ("rush" matches "Rushed"). */
  readonly keywords: ReadonlyArray<string>
}

export interface DeliverySettings {
  /** Checked top-down: the first tier with a keyword in the title wins. */
  readonly tiers: ReadonlyArray<ShippingTier>
  /** IANA zone of the store's calendar. */
  readonly timeZone: string
  /** Order tag marking a pre-order, compared ignoring case, spaces and hyphens ("Pre-order" = "preorder"). */
  readonly preOrderTag: string
  /** A pre-order's window starts this many calendar days after the order date. */
  readonly preOrderStartDays: number
  /**
   * Whether the verified reply links Shopify's order status page. Off by default: the page shows the address and
   * items that spec §7.5 keeps out of replies, to whoever holds the link. Not an ETA input: it sits here because it
   * lives in the routing config's `delivery` section, which reaches the order finding as these settings.
   */
  readonly statusPageLink: boolean
}

export const DEFAULT_DELIVERY_SETTINGS: DeliverySettings = {
  tiers: [
    { name: "Priority", minDays: 1, maxDays: 1, keywords: ["priority", "overnight", "next day"] },
    { name: "Rushed", minDays: 1, maxDays: 2, keywords: ["rush", "express", "expedited"] },
    { name: "Standard", minDays: 3, maxDays: 5, keywords: ["standard", "ground", "economy", "free"] }
  ],
  timeZone: "America/New_York",
  preOrderTag: "Pre-order",
  preOrderStartDays: 45,
  statusPageLink: false
}

export interface EtaInput {
  /** ISO instant the order was placed (Shopify `createdAt`). */
  readonly createdAt: string
  readonly shippingTitle?: string | undefined
  readonly preOrder: boolean
}

export type DeliveryEstimate =
  | { readonly _tag: "Unknown"; readonly reason: "shipping-tier" | "order-date" }
  | {
    readonly _tag: "Window"
    readonly tier: string
    readonly preOrder: boolean
    /** Store-calendar dates (YYYY-MM-DD) of the earliest and latest arrival. */
    readonly earliest: string
    readonly latest: string
    /** Business days from the message date to each end, floored at 0. */
    readonly remainingMin: number
    readonly remainingMax: number
    /** The latest arrival date is today or past: the window gives the customer nothing to wait for. */
    readonly late: boolean
    /** "1–3 business days", "1 business day". */
    readonly text: string
  }

const DAY_MS = 86_400_000
const words = (text: string) => ` ${text.toLowerCase().replace(/[^a-z0-9]+/g, " ").trim()}`

export const shippingTier = (title: string | undefined, tiers: ReadonlyArray<ShippingTier>): ShippingTier | undefined => {
  if (title === undefined) return undefined
  const normalized = words(title)
  return tiers.find((tier) => tier.keywords.some((keyword) => normalized.includes(words(keyword))))
}

export const isPreOrder = (tags: ReadonlyArray<string>, preOrderTag: string): boolean => {
  const wanted = preOrderTag.toLowerCase().replace(/[^a-z0-9]/g, "")
  return tags.some((tag) => tag.toLowerCase().replace(/[^a-z0-9]/g, "") === wanted)
}

const formatters = new Map<string, Intl.DateTimeFormat>()
const formatter = (timeZone: string) => {
  const cached = formatters.get(timeZone)
  if (cached !== undefined) return cached
  const made = new Intl.DateTimeFormat("en-US", { timeZone, year: "numeric", month: "numeric", day: "numeric" })
  formatters.set(timeZone, made)
  return made
}

export const isValidTimeZone = (timeZone: string): boolean => {
  try {
    formatter(timeZone)
    return true
  } catch {
    return false
  }
}

/** The store-calendar date of an instant, as a day number (days since 1970-01-01). */
export const localDay = (instantMs: number, timeZone: string): number => {
  const parts = formatter(timeZone).formatToParts(new Date(instantMs))
  const part = (type: Intl.DateTimeFormatPartTypes) => Number(parts.find((p) => p.type === type)?.value)
  return Math.round(Date.UTC(part("year"), part("month") - 1, part("day")) / DAY_MS)
}

const isoDay = (day: number) => new Date(day * DAY_MS).toISOString().slice(0, 10)
// 1970-01-01 was a Thursday.
const isWeekend = (day: number) => {
  const weekday = (((day + 4) % 7) + 7) % 7
  return weekday === 0 || weekday === 6
}

export const addBusinessDays = (day: number, count: number): number => {
  let current = day
  for (let left = count; left > 0;) {
    current += 1
    if (!isWeekend(current)) left -= 1
  }
  return current
}

/** Weekdays after `from` up to and including `to`; 0 when `to` is not after `from`. */
export const businessDaysBetween = (from: number, to: number): number => {
  let count = 0
  for (let day = from + 1; day <= to; day++) if (!isWeekend(day)) count += 1
  return count
}

export const remainingText = (min: number, max: number): string =>
  min === max ? `${max} business day${max === 1 ? "" : "s"}` : `${min}–${max} business days`

export const estimateDelivery = (
  input: EtaInput,
  nowMs: number,
  settings: DeliverySettings = DEFAULT_DELIVERY_SETTINGS
): DeliveryEstimate => {
  const created = Date.parse(input.createdAt)
  if (Number.isNaN(created)) return { _tag: "Unknown", reason: "order-date" }
  const tier = shippingTier(input.shippingTitle, settings.tiers)
  if (tier === undefined) return { _tag: "Unknown", reason: "shipping-tier" }
  const start = localDay(created, settings.timeZone) + (input.preOrder ? settings.preOrderStartDays : 0)
  const earliest = addBusinessDays(start, tier.minDays)
  const latest = addBusinessDays(start, tier.maxDays)
  const today = localDay(nowMs, settings.timeZone)
  const remainingMin = businessDaysBetween(today, earliest)
  const remainingMax = businessDaysBetween(today, latest)
  return {
    _tag: "Window",
    tier: tier.name,
    preOrder: input.preOrder,
    earliest: isoDay(earliest),
    latest: isoDay(latest),
    remainingMin,
    remainingMax,
    late: remainingMax === 0,
    text: remainingText(remainingMin, remainingMax)
  }
}

/** "November 2, 2026" on the store's calendar, for `order_created_date_human`. */
export const formatStoreDate = (iso: string, timeZone: string): string | undefined => {
  const instant = Date.parse(iso)
  return Number.isNaN(instant)
    ? undefined
    : new Intl.DateTimeFormat("en-US", { timeZone, year: "numeric", month: "long", day: "numeric" }).format(instant)
}
