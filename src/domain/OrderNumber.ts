/**
 * Order numbers as customers type them (spec §7.1): `#1001`, `order 1001`, `order no. 1001`, `order number: 1001-A`,
 * `order#1001`, `ord-1001`, or a bare `45821` / `1001-A`. Deterministic, and it never picks between candidates.
 *
 * First everything that only looks like a number is blanked out (links, emails, cards, phones, dates, times,
 * prices, ZIP+4, decimals); then numbers next to an order cue (`order …`, `#`) are taken, and only when there is
 * none, bare numbers. Two different candidates at the same level are `Ambiguous`: the caller asks rather than
 * guesses. A bare number is weak evidence (a lone "90210" may be a zip code); that is acceptable because the
 * match (OrderMatch) still needs the customer's email or phone, so a wrong guess costs a lookup, never a disclosure.
 */
export type OrderNumberScan =
  | { readonly _tag: "None" }
  /** `orderNumber` is digits plus an optional `-SUFFIX`, without `#`, upper-cased. */
  | { readonly _tag: "Found"; readonly orderNumber: string; readonly cued: boolean }
  | { readonly _tag: "Ambiguous"; readonly candidates: ReadonlyArray<string> }

// Neither whitespace nor a word character: a blanked span cannot glue a cue to a number or split one.
const BLANK = "\u00b7"

const MASKS: ReadonlyArray<RegExp> = [
  /\b(?:https?:\/\/|www\.)\S+/gi,
  /[\w.+-]+@[\w-]+(?:\.[\w-]+)+/g,
  /\b(?:\d{4}[ -]){3}\d{4}\b|\b\d{4}[ -]\d{6}[ -]\d{5}\b|\b\d{13,19}\b/g,
  /(?<![\w#])(?:\+?1[\s.-]?)?(?:\(\d{3}\)|\d{3})[\s.-]?\d{3}[\s.-]?\d{4}(?!\w)/g,
  /\+\d{1,3}(?:[\s.-]?\(?\d{1,4}\)?){2,5}/g,
  /(?<![\w#-])\d{3}[.-]\d{4}(?![\w-])/g,
  /(?<!\w)\d{1,4}[/.-]\d{1,2}[/.-]\d{1,4}(?!\w)|(?<![\w/])\d{1,2}\/\d{1,2}(?![\w/])/g,
  /\b\d{1,2}:\d{2}(?::\d{2})?\b|\b(?:1[0-2]|0?[1-9])(?:\s?[ap]\.?m\b\.?|[0-5]\d[ap]\.?m\b\.?)/gi,
  /\b\d{5}-\d{4}\b/g,
  /[$€£¥]\s?\d[\d,.]*|\d[\d,.]*\s?(?:[$€£¥]|(?:usd|eur|gbp|cad|aud|dollars?|bucks|euros?)\b)/gi,
  /\d+(?:[.,]\d+)+|\d+\s?%/g
]

const NUM = String.raw`(\d{3,10}(?:-[A-Za-z][A-Za-z0-9]{0,3})?)(?![\w]|[.,]\d|-\d)`
const WORD_CUED = new RegExp(String.raw`\b(?:orders?|ord)\b\.?(?:\s*(?:no\b\.?|number|num|nr\b\.?|id\b|#))?(?:\s*(?:is\b|was\b|=|:|#|-|\())*\s*#?\s?${NUM}`, "gi")
const HASH_CUED = new RegExp(String.raw`(?<![\w&])#\s?${NUM}`, "g")
/** "#1001 and #1002", "orders 1001, 1002": a list after one cue is cued too. */
const LIST_NEXT = new RegExp(String.raw`^\s*(?:,|&|\/|\band\b|\bor\b)\s*#?\s?${NUM}`, "i")
const BARE = /(?<![\w#$€£¥@/\\.,:-])(\d{4,7}(?:-[A-Za-z][A-Za-z0-9]{0,3})?)(?![\w]|[.,]\d|-\d|[/:]\d)/g

/** Numbers that name something else: `ticket #123`, `apt 1204`, `zip 02139`, `my number is 5551234`. */
const OTHER_THING_BEFORE = new RegExp(
  String.raw`\b(?:zip|zipcode|postal|postcode|post code|apt|apartment|suite|ste|unit|room|rm|floor|invoice|inv|ticket|case|ref|reference|receipt|bill|account|acct|customer|member|sku|item|model|part|serial|tracking|track|box|phone|tel|mobile|cell|call|text|fax|ext|extension|pin|code|password|otp|card|flight|gate|confirmation|conf|promo|coupon|claim|rma|po|number|id|no)\b\.?` +
    String.raw`\s*(?:code|number|no\.?|num|#|id)?\s*(?:is|was|=|:|#)?\s*#?\s?$`,
  "i"
)
const STATES = "AL|AK|AZ|AR|CA|CO|CT|DE|FL|GA|HI|ID|IL|IN|IA|KS|KY|LA|ME|MD|MA|MI|MN|MS|MO|MT|NE|NV|NH|NJ|NM|NY|NC|ND|OH|OK|OR|PA|RI|SC|SD|TN|TX|UT|VT|VA|WA|WV|WI|WY|DC"
/** `Beverly Hills, CA 90210`: a city (or comma) before a state code before five digits is an address. */
const STATE_BEFORE = new RegExp(String.raw`(?:,\s*|\b[A-Z][a-z]+\s+)(?:${STATES})\s*$`)
const QUANTITY_AFTER =
  /^\s*(?:x\b|items?\b|pcs\b|pieces?\b|units?\b|pairs?\b|packs?\b|boxes\b|(?:business )?days?\b|hours?\b|hrs?\b|minutes?\b|mins?\b|weeks?\b|months?\b|years?\b|yrs?\b|times\b|lbs?\b|pounds?\b|kgs?\b|grams?\b|g\b|oz\b|ml\b|mm\b|cm\b|km\b|miles?\b|inch(?:es)?\b|ft\b|feet\b|points?\b|people\b)/i
const STREET_AFTER =
  /^\s+((?:[A-Za-z][\w'.-]*\s+){1,3})(?:st|street|ave|avenue|rd|road|blvd|boulevard|dr|drive|ln|lane|way|ct|court|pl|place|pkwy|parkway|hwy|highway|ter|terrace|cir|circle)\b/i

interface Hit {
  readonly value: string
  readonly end: number
}

const isYear = (digits: string) => /^(?:19|20)\d\d$/.test(digits)
const isStreetNumber = (after: string) => {
  const street = STREET_AFTER.exec(after)
  return street !== null && /^[A-Z]/.test(street[1] ?? "")
}

/** Every match of a cue pattern, plus the numbers listed right after it. */
const cuedHits = (text: string, pattern: RegExp, accept: (start: number, end: number) => boolean): Array<Hit> => {
  const hits: Array<Hit> = []
  for (const match of text.matchAll(pattern)) {
    let value = match[1]
    let end = match.index + match[0].length
    while (value !== undefined) {
      if (accept(end - value.length, end)) hits.push({ value, end })
      const next = LIST_NEXT.exec(text.slice(end))
      value = next?.[1]
      end += next?.[0].length ?? 0
    }
  }
  return hits
}

const verdict = (hits: ReadonlyArray<Hit>, cued: boolean): OrderNumberScan => {
  const inOrder = [...hits].sort((a, b) => a.end - b.end)
  const candidates = [...new Set(inOrder.map((hit) => hit.value.toUpperCase()))]
  const [only] = candidates
  if (only === undefined) return { _tag: "None" }
  return candidates.length === 1 ? { _tag: "Found", orderNumber: only, cued } : { _tag: "Ambiguous", candidates }
}

export const scanOrderNumbers = (text: string): OrderNumberScan => {
  const masked = MASKS.reduce((t, mask) => t.replace(mask, (m) => BLANK.repeat(m.length)), text.normalize("NFKC"))
  const before = (start: number) => masked.slice(Math.max(0, start - 40), start)
  const notOther = (start: number) => !OTHER_THING_BEFORE.test(before(start))
  const notQuantity = (end: number) => !QUANTITY_AFTER.test(masked.slice(end))

  const cued = [
    ...cuedHits(masked, WORD_CUED, (_, end) => notQuantity(end)),
    ...cuedHits(masked, HASH_CUED, (start) => notOther(start))
  ]
  if (cued.length > 0) return verdict(cued, true)

  const bare = [...masked.matchAll(BARE)].flatMap((match): Array<Hit> => {
    const value = match[1] ?? ""
    const start = match.index
    const end = start + value.length
    const digits = value.split("-")[0] ?? ""
    const address = digits.length === 5 && STATE_BEFORE.test(before(start))
    const plain = value === digits
    const ok = notOther(start) && !address && !(plain && isYear(digits)) && notQuantity(end) && !isStreetNumber(masked.slice(end))
    return ok ? [{ value, end }] : []
  })
  return verdict(bare, false)
}

/** The one order number in `text`; undefined when there is none or when several differ (ask, never guess). */
export const extractOrderNumber = (text: string): string | undefined => {
  const scan = scanOrderNumbers(text)
  return scan._tag === "Found" ? scan.orderNumber : undefined
}
