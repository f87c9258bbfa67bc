import { describe, expect, it } from "@effect/vitest"
import {
  addBusinessDays,
  businessDaysBetween,
  DEFAULT_DELIVERY_SETTINGS,
  type DeliverySettings,
  estimateDelivery,
  formatStoreDate,
  isPreOrder,
  localDay,
  shippingTier
} from "../../src/domain/DeliveryEstimate.js"

const at = (iso: string) => Date.parse(iso)
const tiers = DEFAULT_DELIVERY_SETTINGS.tiers
const day = (iso: string) => Math.round(Date.parse(`${iso}T00:00:00Z`) / 86_400_000)

// 2026-11-02 is a Monday; 14:00Z is 09:00 in New York.
const MONDAY = "2026-11-02T14:00:00Z"

describe("shipping tier (spec §7.3, top-down)", () => {
  it.each([
    ["Priority Mail", "Priority"],
    ["Overnight Air", "Priority"],
    ["Next-Day Delivery", "Priority"],
    ["Rushed delivery", "Rushed"],
    ["UPS Express Saver", "Rushed"],
    ["Expedited", "Rushed"],
    ["Standard Shipping", "Standard"],
    ["FedEx Ground", "Standard"],
    ["Economy", "Standard"],
    ["FREE SHIPPING", "Standard"],
    // Top-down: the first tier with a keyword wins.
    ["Free Express Shipping", "Rushed"],
    ["Priority Ground", "Priority"]
  ])("%s → %s", (title, tier) => {
    expect(shippingTier(title, tiers)?.name).toBe(tier)
  })

  it("matches keywords at word starts only, and knows nothing about other titles", () => {
    expect(shippingTier("Carefree parcel", tiers)).toBeUndefined()
    expect(shippingTier("Local pickup", tiers)).toBeUndefined()
    expect(shippingTier(undefined, tiers)).toBeUndefined()
  })
})

describe("business-day arithmetic", () => {
  it("skips weekends when adding and counting", () => {
    expect(addBusinessDays(day("2026-11-06"), 1)).toBe(day("2026-11-09")) // Fri + 1 → Mon
    expect(addBusinessDays(day("2026-11-07"), 1)).toBe(day("2026-11-09")) // Sat + 1 → Mon
    expect(addBusinessDays(day("2026-11-02"), 5)).toBe(day("2026-11-09")) // Mon + 5 → next Mon
    expect(businessDaysBetween(day("2026-11-06"), day("2026-11-09"))).toBe(1) // Fri → Mon
    expect(businessDaysBetween(day("2026-11-09"), day("2026-11-06"))).toBe(0) // backwards: 0
  })

  it("takes the calendar date in the store's zone, not UTC", () => {
    // Friday 23:30 in New York is already Saturday in UTC.
    expect(localDay(at("2026-10-31T03:30:00Z"), "America/New_York")).toBe(day("2026-10-30"))
    expect(localDay(at("2026-10-31T03:30:00Z"), "UTC")).toBe(day("2026-10-31"))
    expect(localDay(at("2026-10-30T23:30:00Z"), "Europe/Berlin")).toBe(day("2026-10-31"))
  })
})

describe("estimateDelivery", () => {
  const standard = { createdAt: MONDAY, shippingTitle: "Standard Shipping", preOrder: false }

  it("the spec example: Standard ordered Monday, message Wednesday → 1–3 business days", () => {
    expect(estimateDelivery(standard, at("2026-11-04T15:00:00Z"))).toEqual({
      _tag: "Window",
      tier: "Standard",
      preOrder: false,
      earliest: "2026-11-05",
      latest: "2026-11-09",
      remainingMin: 1,
      remainingMax: 3,
      late: false,
      text: "1–3 business days"
    })
  })

  it("counts a weekend order from the next business day", () => {
    const saturday = { createdAt: "2026-11-07T16:00:00Z", shippingTitle: "Express", preOrder: false }
    expect(estimateDelivery(saturday, at("2026-11-08T12:00:00Z"))).toMatchObject({
      earliest: "2026-11-09",
      latest: "2026-11-10",
      text: "1–2 business days",
      late: false
    })
  })

  it("floors at 0 once the early end has passed, and says one day in the singular", () => {
    expect(estimateDelivery(standard, at("2026-11-06T15:00:00Z"))).toMatchObject({ remainingMin: 0, remainingMax: 1, text: "0–1 business days" })
    const priority = { createdAt: "2026-11-06T15:00:00Z", shippingTitle: "Priority", preOrder: false }
    expect(estimateDelivery(priority, at("2026-11-06T20:00:00Z"))).toMatchObject({ earliest: "2026-11-09", text: "1 business day" })
    expect(estimateDelivery(priority, at("2026-11-07T20:00:00Z"))).toMatchObject({ text: "1 business day", late: false })
  })

  it("is late on the last day of the window and after it", () => {
    expect(estimateDelivery(standard, at("2026-11-09T15:00:00Z"))).toMatchObject({ remainingMax: 0, late: true, text: "0 business days" })
    expect(estimateDelivery(standard, at("2026-12-01T15:00:00Z"))).toMatchObject({ remainingMin: 0, remainingMax: 0, late: true })
    expect(estimateDelivery(standard, at("2026-11-06T15:00:00Z"))).toMatchObject({ late: false })
  })

  it("starts a pre-order's window 45 calendar days after the order", () => {
    // Mon 2 Nov + 45 days = Thu 17 Dec; Standard → Tue 22 Dec … Thu 24 Dec.
    expect(estimateDelivery({ ...standard, preOrder: true }, at("2026-11-04T15:00:00Z"))).toMatchObject({
      preOrder: true,
      earliest: "2026-12-22",
      latest: "2026-12-24",
      remainingMin: 34,
      remainingMax: 36,
      text: "34–36 business days",
      late: false
    })
  })

  it("uses the store calendar across the DST change (New York, 1 Nov 2026)", () => {
    // Ordered Fri 30 Oct 23:30 EDT (Sat in UTC); message Mon 2 Nov 00:30 EST (05:30 UTC), after the clocks went back.
    const friday = { createdAt: "2026-10-31T03:30:00Z", shippingTitle: "Ground", preOrder: false }
    expect(estimateDelivery(friday, at("2026-11-02T05:30:00Z"))).toMatchObject({
      earliest: "2026-11-04",
      latest: "2026-11-06",
      text: "2–4 business days"
    })
    // A Friday-night and a Saturday order both start counting on Monday, so here the zone cannot show. A Thursday
    // 23:30 EDT order is a Friday one in UTC, and a Tuesday 22:30 EST message a Wednesday one: there it does.
    const thursday = { createdAt: "2026-10-30T03:30:00Z", shippingTitle: "Ground", preOrder: false }
    const tuesdayEvening = at("2026-11-04T03:30:00Z")
    expect(estimateDelivery(thursday, tuesdayEvening)).toMatchObject({
      earliest: "2026-11-03",
      latest: "2026-11-05",
      remainingMin: 0,
      remainingMax: 2,
      late: false
    })
    const utc: DeliverySettings = { ...DEFAULT_DELIVERY_SETTINGS, timeZone: "UTC" }
    expect(estimateDelivery(thursday, tuesdayEvening, utc)).toMatchObject({ earliest: "2026-11-04", latest: "2026-11-06" })
    // Thursday 5 Nov 22:00 EST (03:00 UTC on the 6th) is still the window's last day in New York: late, 0 left.
    expect(estimateDelivery(thursday, at("2026-11-06T03:00:00Z"))).toMatchObject({ remainingMax: 0, late: true })
  })

  it("reports an unknown tier or an unreadable order date instead of guessing", () => {
    expect(estimateDelivery({ ...standard, shippingTitle: "Local pickup" }, at(MONDAY))).toEqual({ _tag: "Unknown", reason: "shipping-tier" })
    expect(estimateDelivery({ createdAt: MONDAY, preOrder: false }, at(MONDAY))).toEqual({ _tag: "Unknown", reason: "shipping-tier" })
    expect(estimateDelivery({ ...standard, createdAt: "yesterday" }, at(MONDAY))).toEqual({ _tag: "Unknown", reason: "order-date" })
  })

  it("takes configured tiers", () => {
    const freight: DeliverySettings = {
      ...DEFAULT_DELIVERY_SETTINGS,
      tiers: [{ name: "Freight", minDays: 7, maxDays: 10, keywords: ["freight"] }, ...tiers]
    }
    expect(estimateDelivery({ ...standard, shippingTitle: "Standard Freight" }, at(MONDAY), freight)).toMatchObject({
      tier: "Freight",
      text: "7–10 business days"
    })
  })
})

describe("pre-order tag and dates", () => {
  it("recognises the tag ignoring case, spaces and hyphens", () => {
    expect(isPreOrder(["VIP", "Pre-order"], "Pre-order")).toBe(true)
    expect(isPreOrder(["preorder"], "Pre-order")).toBe(true)
    expect(isPreOrder(["PRE ORDER"], "Pre-order")).toBe(true)
    expect(isPreOrder(["preordered-2025"], "Pre-order")).toBe(false)
    expect(isPreOrder([], "Pre-order")).toBe(false)
  })

  it("formats the order date on the store's calendar", () => {
    expect(formatStoreDate("2026-10-31T03:30:00Z", "America/New_York")).toBe("October 30, 2026")
    expect(formatStoreDate("not a date", "America/New_York")).toBeUndefined()
  })
})
