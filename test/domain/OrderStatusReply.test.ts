import { describe, expect, it } from "@effect/vitest"
import { readFileSync } from "node:fs"
import { DEFAULT_DELIVERY_SETTINGS } from "../../src/domain/DeliveryEstimate.js"
import type { DisclosableOrder } from "../../src/domain/OrderMatch.js"
import { humanStatus, orderFinding, type OrderLookupResult, trackingLink } from "../../src/domain/OrderStatusReply.js"
import type { OrderFinding } from "../../src/domain/PolicyTypes.js"

// Mon 2 Nov 2026 09:00 New York; the message comes on Wednesday 4 Nov.
const MONDAY = "2026-11-02T14:00:00Z"
const WEDNESDAY = Date.parse("2026-11-04T15:00:00Z")

const UPS = { company: "UPS", number: "1Z999AA10123456784", url: "https://www.ups.com/track?tracknum=1Z999AA10123456784" }

const order = (overrides: Partial<DisclosableOrder> = {}): DisclosableOrder => ({
  name: "#1001",
  createdAt: MONDAY,
  fulfillmentStatus: "UNFULFILLED",
  cancelled: false,
  shippingTitle: "Standard Shipping",
  preOrder: false,
  statusPageUrl: "https://shop.example.com/orders/abc/authenticate?key=k",
  fulfillments: [],
  ...overrides
})
const shipped = (overrides: Partial<DisclosableOrder> = {}) =>
  order({
    fulfillmentStatus: "FULFILLED",
    fulfillments: [{ status: "SUCCESS", displayStatus: "IN_TRANSIT", tracking: [UPS] }],
    ...overrides
  })

const matched = (o: DisclosableOrder): OrderLookupResult => ({ _tag: "Matched", source: "customer", order: o })
const find = (o: DisclosableOrder, now = WEDNESDAY) => orderFinding(matched(o), now)

/** The catalogue the worker renders from: a finding must fill every required variable and nothing undeclared. */
const catalogue = JSON.parse(readFileSync(new URL("../../config/templates.json", import.meta.url), "utf8")) as {
  templates: Record<string, { variables: { required: Array<string>; optional: Array<string> } }>
}
const expectRenderable = (finding: OrderFinding) => {
  if (finding._tag !== "Reply") throw new Error(`expected a reply, got ${finding._tag}`)
  const template = catalogue.templates[finding.templateId]
  expect(template).toBeDefined()
  const declared = [...(template?.variables.required ?? []), ...(template?.variables.optional ?? [])]
  for (const name of Object.keys(finding.variables)) expect(declared).toContain(name)
  for (const name of template?.variables.required ?? []) expect(finding.variables[name]).toBeTruthy()
  return finding
}

describe("orderFinding (spec §7.2)", () => {
  it("match with tracking → t_order_status_verified with carrier, number and link; no status page by default", () => {
    expect(expectRenderable(find(shipped()))).toEqual({
      _tag: "Reply",
      templateId: "t_order_status_verified",
      handOver: false,
      reason: "order:tracking",
      variables: {
        order_id: "#1001",
        order_status: "In transit",
        fulfillment_status: "Fulfilled",
        tracking_company: "UPS",
        tracking_number: "1Z999AA10123456784",
        tracking_url: UPS.url
      }
    })
  })

  it("links Shopify's order status page (address, items) only when the routing config turns it on", () => {
    const page = "https://shop.example.com/orders/abc/authenticate?key=k"
    const on = { ...DEFAULT_DELIVERY_SETTINGS, statusPageLink: true }
    const noTracking = order({ fulfillmentStatus: "FULFILLED", fulfillments: [{ status: "SUCCESS", tracking: [] }] })
    for (const o of [shipped(), noTracking]) {
      const off = expectRenderable(orderFinding(matched(o), WEDNESDAY))
      expect(off._tag === "Reply" ? off.variables : {}).not.toHaveProperty("status_url")
      expect(JSON.stringify(off)).not.toContain("authenticate")
      expect(expectRenderable(orderFinding(matched(o), WEDNESDAY, on))).toMatchObject({ variables: { status_url: page } })
    }
    // Turned on, an order without a page still renders (the line drops out).
    const { statusPageUrl: _, ...withoutPage } = shipped()
    expect(expectRenderable(orderFinding(matched(withoutPage), WEDNESDAY, on))).not.toHaveProperty("variables.status_url")
  })

  it("builds the link from the carrier's pattern when Shopify has none (or only a non-https one)", () => {
    const usps = { company: "USPS", number: "9400111899223856928499" }
    const finding = find(shipped({ fulfillments: [{ status: "SUCCESS", tracking: [usps] }] }))
    expect(finding).toMatchObject({
      variables: { tracking_url: "https://tools.usps.com/go/TrackConfirmAction?tLabels=9400111899223856928499" }
    })
    expect(trackingLink({ ...usps, url: "http://tracker.example/9400" })).toBe(
      "https://tools.usps.com/go/TrackConfirmAction?tLabels=9400111899223856928499"
    )
    expect(trackingLink({ company: "FedEx", number: "1234 5678" })).toBe("https://www.fedex.com/fedextrack/?trknbr=1234%205678")
    expect(trackingLink({ company: "Local courier", number: "X1" })).toBeUndefined()
    expect(trackingLink({ company: "UPS" })).toBeUndefined()
  })

  it("uses the newest live fulfillment with a number; a cancelled one does not count", () => {
    const finding = find(shipped({
      fulfillmentStatus: "PARTIALLY_FULFILLED",
      fulfillments: [
        { status: "SUCCESS", displayStatus: "DELIVERED", tracking: [UPS] },
        { status: "SUCCESS", displayStatus: "IN_TRANSIT", tracking: [{ company: "DHL", number: "JD0001" }] },
        { status: "CANCELLED", displayStatus: "CANCELED", tracking: [{ company: "UPS", number: "1ZCANCELLED" }] }
      ]
    }))
    expect(expectRenderable(finding)).toMatchObject({
      variables: { order_status: "In transit", fulfillment_status: "Partially fulfilled", tracking_company: "DHL", tracking_number: "JD0001" }
    })
  })

  it("shipped without a tracking number → status only, no ETA promise", () => {
    const finding = expectRenderable(find(order({ fulfillmentStatus: "FULFILLED", fulfillments: [{ status: "SUCCESS", tracking: [] }] })))
    expect(finding).toMatchObject({ templateId: "t_order_status_verified", reason: "order:shipped-no-tracking", handOver: false })
    expect(Object.keys(finding._tag === "Reply" ? finding.variables : {})).not.toContain("tracking_number")
  })

  it("no tracking, inside the window → t_order_eta_no_tracking_verified (the spec's Monday/Wednesday example)", () => {
    expect(expectRenderable(find(order()))).toEqual({
      _tag: "Reply",
      templateId: "t_order_eta_no_tracking_verified",
      handOver: false,
      reason: "order:eta",
      variables: {
        order_id: "#1001",
        shipping_bucket: "Standard",
        eta_remaining_human: "1–3 business days",
        order_created_date_human: "November 2, 2026"
      }
    })
  })

  it("a pre-order counts from order date + 45 days, also while Shopify holds it", () => {
    for (const fulfillmentStatus of ["UNFULFILLED", "ON_HOLD", "SCHEDULED"]) {
      expect(find(order({ preOrder: true, fulfillmentStatus }))).toMatchObject({
        templateId: "t_order_eta_no_tracking_verified",
        variables: { eta_remaining_human: "34–36 business days" }
      })
    }
  })

  it("late (window passed) → t_shipping_delay_verified and a human", () => {
    const finding = expectRenderable(find(order(), Date.parse("2026-11-20T15:00:00Z")))
    expect(finding).toEqual({
      _tag: "Reply",
      templateId: "t_shipping_delay_verified",
      handOver: true,
      reason: "order:late",
      variables: { order_id: "#1001", order_status: "Processing", fulfillment_status: "Unfulfilled", order_created_at: "November 2, 2026" }
    })
  })

  it("unknown shipping tier, or an order on hold → the delay reply and a human, never a guessed date", () => {
    expect(expectRenderable(find(order({ shippingTitle: "Local pickup" })))).toMatchObject({
      templateId: "t_shipping_delay_verified",
      handOver: true,
      reason: "order:unknown-shipping-tier"
    })
    const { shippingTitle: _omit, ...noShippingLine } = order()
    expect(find(noShippingLine)).toMatchObject({ templateId: "t_shipping_delay_verified", handOver: true })
    expect(expectRenderable(find(order({ fulfillmentStatus: "ON_HOLD" })))).toMatchObject({
      templateId: "t_shipping_delay_verified",
      handOver: true,
      reason: "order:on_hold",
      variables: { fulfillment_status: "On hold" }
    })
  })

  it("cancelled → no reply, a human (even with tracking)", () => {
    expect(find(shipped({ cancelled: true }))).toEqual({ _tag: "HandOver", reason: "order:cancelled" })
  })

  it("several candidates → no reply, a human", () => {
    expect(orderFinding({ _tag: "Several", source: "customer", count: 2 }, WEDNESDAY)).toEqual({
      _tag: "HandOver",
      reason: "order:several-candidates"
    })
  })

  it("none, and a contact mismatch, are the same NotFound towards the customer (the ask-for-number reply)", () => {
    const reasons = ["no-order-number", "not-found", "linked-not-found", "contact-mismatch", "no-contact"] as const
    for (const reason of reasons) {
      const finding = orderFinding({ _tag: "NotFound", reason }, WEDNESDAY)
      expect(finding).toEqual({ _tag: "NotFound", reason: `order:${reason}` })
    }
  })

  it("takes variables only from the disclosable projection", () => {
    // Fields a careless layer might have left on the object at runtime: none may reach a template variable.
    const widened = {
      ...shipped(),
      email: "jane.doe@example.com",
      phone: "+1 555 010 0100",
      shippingAddress: "1 Elm Street, Springfield",
      note: "leave with neighbour",
      lineItems: ["Trail Runner"]
    } as DisclosableOrder
    for (const o of [widened, { ...widened, fulfillments: [] }, { ...widened, fulfillments: [], fulfillmentStatus: "ON_HOLD" }]) {
      const finding = find(o)
      const text = JSON.stringify(finding)
      for (const secret of ["jane.doe", "555", "Elm", "neighbour", "Trail"]) expect(text).not.toContain(secret)
    }
  })

  it("reads the store time zone from the settings", () => {
    const lateEvening = order({ createdAt: "2026-11-03T03:30:00Z" }) // Mon 2 Nov 22:30 in New York
    expect(find(lateEvening)).toMatchObject({ variables: { order_created_date_human: "November 2, 2026" } })
    const berlin = { ...DEFAULT_DELIVERY_SETTINGS, timeZone: "Europe/Berlin" }
    expect(orderFinding(matched(lateEvening), WEDNESDAY, berlin)).toMatchObject({
      variables: { order_created_date_human: "November 3, 2026", eta_remaining_human: "2–4 business days" }
    })
  })

  it("humanStatus turns enum values into words", () => {
    expect(humanStatus("IN_TRANSIT")).toBe("In transit")
    expect(humanStatus("FULFILLED")).toBe("Fulfilled")
  })
})
