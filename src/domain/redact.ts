/**
 * PII and secret redaction (product spec §9) for everything that leaves the process as text: logs, traces,
 * metrics, decision records, notes. Over-redacting is cheap, leaking is not, so patterns lean wide — except
 * for the things people need to read in a log: ISO dates, times, prices, order numbers, zip codes.
 *
 * Every pattern is compiled once and written to run in linear time on hostile input (bodies are up to
 * 256 KiB): a match may only start where a run of its characters starts (look-behind), repetitions are
 * bounded, and decisions that would need backtracking are made in a replacer function instead.
 */

/** `ci("st")` → `[Ss][Tt]`: case-insensitive words inside a regex that is otherwise case-sensitive. */
const ci = (word: string) => word.replace(/[a-z]/gi, (c) => `[${c.toUpperCase()}${c.toLowerCase()}]`)
const anyOf = (words: ReadonlyArray<string>) => words.join("|")

// ---- secrets -------------------------------------------------------------------------------------------

/** The whole header value, scheme included (`Basic …` as much as `Bearer …`). */
const AUTH_HEADER = /(?<![\w-])((?:proxy-)?authorization["']?\s*[:=]\s*["']?)[^\n\r"',;&]+/gi

const BEARER = /\b([Bb]earer\s+)[A-Za-z0-9\-._~+/]{12,}=*/g

const SECRET_KEYS = [
  "access_token", "refresh_token", "id_token", "client_secret", "api[_-]?key", "x-api-key", "x-webhook-token",
  "x-richpanel-key", "password", "passwd", "pwd", "secret", "token", "key"
]
/** `token=…`, `"password": "…"`, `key: …` — the key stays (it says what was removed), the value goes. */
const KEY_VALUE = new RegExp(
  `(?<![\\w-])((?:${anyOf(SECRET_KEYS)})["']?\\s*[:=]\\s*)(?!\\[)("[^"\\n]*"|'[^'\\n]*'|[^\\s&"',;<>\\[\\]{}()]+)`,
  "gi"
)

const PREFIXED_TOKEN = new RegExp(
  [
    "\\bsk-[A-Za-z0-9_-]{16,}", // OpenAI (sk-…, sk-proj-…)
    "\\b[sr]k_(?:live|test)_[A-Za-z0-9]{10,}", // Stripe
    "\\brp_[A-Za-z0-9_-]{8,}", // Richpanel
    "\\bshp(?:at|ss|ca|pa)_[A-Za-z0-9]{16,}", // Shopify
    "\\b(?:AKIA|ASIA)[A-Z0-9]{16}\\b", // AWS access key id
    "\\bgh[pousr]_[A-Za-z0-9]{20,}", // GitHub
    "(?<![\\w-])eyJ[\\w-]{4,}\\.[\\w-]{4,}\\.[\\w-]*" // JWT
  ].join("|"),
  "g"
)

/** Long opaque runs; kept when they read like words or ids (all lower-case slugs, upper-case UUIDs). */
const LONG_TOKEN = /(?<![A-Za-z0-9+/_-])[A-Za-z0-9+/_-]{32,}={0,2}/g
const looksRandom = (run: string) =>
  (/^[0-9a-fA-F]+$/.test(run) && /\d/.test(run) && /[a-fA-F]/.test(run)) ||
  (/[A-Z]/.test(run) && /[a-z]/.test(run) && /\d/.test(run))

// ---- contact data --------------------------------------------------------------------------------------

const EMAIL = /(?<![\w.!#$%&'*+/=?^`{|}~-])[\w.!#$%&'*+/=?^`{|}~-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+/g

/** ISO dates are matched first and kept, so `2024-03-15 2024-03-16` never reads as a card. */
const CARD = /(?<!\d)(\d{4}-\d{2}-\d{2}(?!\d))|(?<![\d+])(?:\d[ -]?){12,18}\d(?!\d)/g

const PHONE = new RegExp(
  [
    // kept: dates (2024-03-15, 15.03.2024, 03/15/24 — not 06-12-34-56-78, which continues)
    "(?<!\\d)(\\d{4}-\\d{1,2}-\\d{1,2}(?!\\d)|\\d{1,2}([./-])\\d{1,2}\\2\\d{2,4}(?![./-]?\\d))",
    // +44 20 7946 0958, +1 (415) 555-2671, +447911123456
    "(?<![\\w+])\\+\\d{1,3}(?:[ .-]?(?:\\(\\d{1,4}\\)|\\d{1,6})){1,5}",
    // national with trunk 0: 020 7946 0958, (020) 7946 0958, 06 12 34 56 78
    "(?<![\\w.-])(?:\\(0\\d{1,4}\\)[ .-]?\\d{2,8}|0\\d{1,4}[ .-]\\d{2,8})(?:[ .-]\\d{2,8}){0,3}(?!\\d)",
    // North America: 415-555-2671, (415) 555-2671, 1 415 555 2671, 4155552671
    "(?<!\\w)(?:1[ .-]?)?(?:\\(\\d{3}\\)[ .-]?|\\d{3}[ .-]?)\\d{3}[ .-]?\\d{4}(?!\\d)",
    // local: 555-2671 (a separator is required, so a bare 7-digit order number stays)
    "(?<![\\w.-])\\d{3}[ .-]\\d{4}(?!\\d|[.-]\\d)"
  ].join("|"),
  "g"
)
const countDigits = (s: string) => s.replace(/\D/g, "").length

const STREET_SUFFIX = [
  ...["street", "st", "avenue", "ave", "road", "rd", "boulevard", "blvd", "ln", "dr", "terrace", "ter", "ct", "pl",
    "highway", "hwy", "parkway", "pkwy"].map(ci),
  // common English words, so only capitalised: "2 more on the way" is not an address
  "Lane", "Drive", "Way", "Court", "Place", "LANE", "DRIVE", "WAY", "COURT", "PLACE"
]
const NOT_STREET_WORD = ["the", "a", "an", "of", "on", "in", "at", "to", "for", "from", "by", "my", "your", "our", "their",
  "his", "her", "its", "this", "that", "and", "or", "but", "is", "are", "was", "were", "down", "up", "across", "along"]
  .map(ci)
const UNIT = ["apt", "apartment", "unit", "suite", "ste", "#"].map(ci)
const ADDRESS = new RegExp(
  `(?<![\\w$#.,/-])\\d{1,6}[A-Za-z]?(?:-\\d{1,4})?\\s+` +
    `(?:(?!(?:${anyOf(NOT_STREET_WORD)})\\s)[A-Za-z0-9][A-Za-z0-9.'-]*\\s+){1,4}?` +
    `(?:${anyOf(STREET_SUFFIX)})\\b\\.?` +
    `(?:,?\\s*(?:${anyOf(UNIT)})\\.?\\s*#?\\s*[A-Za-z0-9-]{1,8}\\b)?` +
    `|\\b[Pp]\\.?\\s?[Oo]\\.?\\s*${ci("box")}\\s+\\d+`,
  "g"
)

type Replacer = (match: string, ...groups: Array<string | undefined>) => string

/** Carrier tracking (spec §9 `[TRACKING]`): links to a tracking page, UPS `1Z…` numbers, 20–34 digit runs (USPS, DHL). */
const TRACKING_URL = /\bhttps?:\/\/[^\s"'<>]*(?:track|trck|trknbr)[^\s"'<>]*/gi
const TRACKING_NUMBER = /\b1Z[0-9A-Z]{16}\b|(?<!\d)\d{20,34}(?!\d)/g

const RULES: ReadonlyArray<readonly [RegExp, string | Replacer]> = [
  [AUTH_HEADER, "$1[SECRET]"],
  [BEARER, "$1[SECRET]"],
  // before key=value and token rules, so an address that contains `=` or `sk-` still reads as one email
  [EMAIL, "[EMAIL]"],
  [TRACKING_URL, "[TRACKING]"],
  [TRACKING_NUMBER, "[TRACKING]"],
  [KEY_VALUE, (_, key, value) => {
    const quote = value?.startsWith("\"") || value?.startsWith("'") ? value.charAt(0) : ""
    return `${key}${quote}[SECRET]${quote}`
  }],
  [PREFIXED_TOKEN, "[SECRET]"],
  [LONG_TOKEN, (run) => (looksRandom(run) ? "[SECRET]" : run)],
  [CARD, (match, isoDate) => (isoDate !== undefined ? match : "[CARD]")],
  [PHONE, (match, date) => (date !== undefined || countDigits(match) < 7 ? match : "[PHONE]")],
  [ADDRESS, "[ADDRESS]"]
]

/** Replaces emails, phones, card-like numbers, tracking, street addresses and secrets with `[EMAIL]`-style markers. */
export const redact = (text: string): string =>
  RULES.reduce(
    (acc, [pattern, replacement]) =>
      typeof replacement === "string" ? acc.replace(pattern, replacement) : acc.replace(pattern, replacement),
    text
  )

// ---- structured values ---------------------------------------------------------------------------------

export const REDACTED = "[REDACTED]"
const MAX_DEPTH = 32

/** Keys whose whole value is replaced, whatever it looks like; compared without case, `-` or `_`. */
const SENSITIVE_KEYS = new Set([
  "text", "body", "plainbody", "authorization", "xrichpanelkey", "apikey", "xapikey", "cookie", "setcookie"
])
const SENSITIVE_PREFIXES = ["address", "secret"]
const SENSITIVE_SUFFIXES = ["email", "phone", "token", "password", "secret", "apikey"]

const isSensitiveName = (k: string): boolean =>
  SENSITIVE_KEYS.has(k) || SENSITIVE_PREFIXES.some((p) => k.startsWith(p)) || SENSITIVE_SUFFIXES.some((s) => k.endsWith(s))

/** Dotted keys (span attributes: `http.request.header.x-richpanel-key`) are judged by their last part too. */
const isSensitiveKey = (key: string): boolean => {
  const k = key.toLowerCase().replace(/[-_\s]/g, "")
  return isSensitiveName(k) || isSensitiveName(k.slice(k.lastIndexOf(".") + 1))
}

const copyEntries = (entries: ReadonlyArray<readonly [string, unknown]>, ancestors: WeakSet<object>, depth: number) =>
  Object.fromEntries(entries.map(([key, v]) => [
    redact(key),
    isSensitiveKey(key) && v !== undefined && v !== null ? REDACTED : copy(v, ancestors, depth + 1)
  ]))

const copyObject = (value: object, ancestors: WeakSet<object>, depth: number): unknown => {
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? "Invalid Date" : value.toISOString()
  if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer) return "[Binary]"
  if (Array.isArray(value)) return value.map((v) => copy(v, ancestors, depth + 1))
  if (value instanceof Map) return copy([...value.entries()], ancestors, depth)
  if (value instanceof Set) return copy([...value.values()], ancestors, depth)
  const own = Object.keys(value).map((key): readonly [string, unknown] => [key, (value as Record<string, unknown>)[key]])
  // Error's name and message are not enumerable, and the message is where PII usually hides.
  const entries = value instanceof Error ? [["name", value.name] as const, ["message", value.message] as const, ...own] : own
  return copyEntries(entries, ancestors, depth)
}

const copy = (value: unknown, ancestors: WeakSet<object>, depth: number): unknown => {
  switch (typeof value) {
    case "string":
      return redact(value)
    case "bigint": // JSON.stringify throws on BigInt, and a big integer may be a card number
      return redact(value.toString())
    case "symbol":
      return "[Symbol]"
    case "function":
      return "[Function]"
    case "object":
      break
    default:
      return value
  }
  if (value === null) return null
  if (ancestors.has(value)) return "[Circular]"
  if (depth >= MAX_DEPTH) return "[Truncated]"
  ancestors.add(value)
  try {
    return copyObject(value, ancestors, depth)
  } catch {
    return "[Unreadable]" // a throwing getter or proxy must not turn a log line into a crash
  } finally {
    ancestors.delete(value)
  }
}

/**
 * Deep copy for logging: every string goes through `redact`, sensitive keys lose their value entirely
 * (null/undefined stay, they carry no data), cycles become `"[Circular]"`. Never throws; the result is
 * always `JSON.stringify`-safe.
 */
export const redactValue = (value: unknown): unknown => copy(value, new WeakSet(), 0)
