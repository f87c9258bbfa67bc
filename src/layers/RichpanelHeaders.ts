import { AUTO_REPLY_HEADER_NAMES } from "../domain/AutoReply.js"

/**
 * Mail headers from a Richpanel comment's `metadata`. The API documents `metadata: {}` and nothing more, so every
 * plausible shape is read and anything else is ignored (never an error): `headers` as an object or as a list of
 * `{name, value}` pairs (or `[name, value]`), and top-level keys named like the headers (`auto_submitted`,
 * `autoSubmitted`, `Auto-Submitted`). Only the headers the auto-reply detector reads are kept: the others (To,
 * Cc, Received…) carry addresses we have no use for.
 */

const WANTED = new Set(AUTO_REPLY_HEADER_NAMES)
const MAX_VALUE_CHARS = 1_000

const isObject = (u: unknown): u is Readonly<Record<string, unknown>> =>
  typeof u === "object" && u !== null && !Array.isArray(u)

/** "Auto-Submitted", "auto_submitted", "autoSubmitted" → "auto-submitted". */
const headerName = (key: string): string =>
  key.trim().replace(/([a-z0-9])([A-Z])/g, "$1-$2").replace(/_/g, "-").toLowerCase()

/** A header's value: a string or a scalar; a repeated header (a list) is joined. */
const headerValue = (value: unknown): string | undefined => {
  if (typeof value === "string") return value.slice(0, MAX_VALUE_CHARS)
  if (typeof value === "number" || typeof value === "boolean") return String(value)
  if (!Array.isArray(value)) return undefined
  const parts = value.filter((item): item is string => typeof item === "string")
  return parts.length === 0 ? undefined : parts.join(", ").slice(0, MAX_VALUE_CHARS)
}

const pairOf = (item: unknown): readonly [unknown, unknown] | undefined => {
  if (Array.isArray(item)) return item.length === 2 ? [item[0], item[1]] : undefined
  if (!isObject(item)) return undefined
  return [item["name"] ?? item["key"] ?? item["Name"], item["value"] ?? item["Value"]]
}

const entriesOf = (headers: unknown): ReadonlyArray<readonly [unknown, unknown]> =>
  isObject(headers)
    ? Object.entries(headers)
    : Array.isArray(headers)
    ? headers.flatMap((item) => {
      const pair = pairOf(item)
      return pair === undefined ? [] : [pair]
    })
    : []

/** The wanted headers found in `metadata`, names lower-cased; `undefined` when there are none. */
export const commentHeaders = (metadata: unknown): Readonly<Record<string, string>> | undefined => {
  if (!isObject(metadata)) return undefined
  const found = new Map<string, string>()
  for (const [key, raw] of [...Object.entries(metadata), ...entriesOf(metadata["headers"])]) {
    if (typeof key !== "string") continue
    const name = headerName(key)
    const value = headerValue(raw)
    if (WANTED.has(name) && value !== undefined && !found.has(name)) found.set(name, value)
  }
  return found.size === 0 ? undefined : Object.fromEntries(found)
}
