import { writeFileSync } from "node:fs"

/** A target on the measured value itself or on value/baseline. */
export interface Target {
  readonly on: "value" | "ratio"
  readonly op: "<=" | ">="
  readonly limit: number
}

/** One line of the table and of `bench/results.json`. `value` is null when the measure could not be taken. */
export interface Entry {
  readonly name: string
  readonly value: number | null
  readonly unit: string
  readonly baseline: number | null
  readonly ratio: number | null
  readonly target: Target | null
}

export const met = (entry: Entry): boolean | null => {
  if (entry.target === null) return null
  const actual = entry.target.on === "ratio" ? entry.ratio : entry.value
  if (actual === null || !Number.isFinite(actual)) return false
  return entry.target.op === "<=" ? actual <= entry.target.limit : actual >= entry.target.limit
}

const num = (value: number | null, digits: number) =>
  value === null || !Number.isFinite(value) ? "n/a" : value.toLocaleString("en-US", { maximumFractionDigits: digits })

const figure = (value: number | null, unit: string) => num(value, unit === "bytes" || unit === "req/s" || unit === "msg/s" ? 0 : 2)

const targetText = (target: Target | null) => (target === null ? "-" : `${target.on} ${target.op} ${target.limit}`)

const metText = (entry: Entry) => {
  const ok = met(entry)
  return ok === null ? "-" : ok ? "yes" : "NO"
}

export const renderTable = (entries: ReadonlyArray<Entry>): string => {
  const header = ["measure", "value", "unit", "baseline", "ratio", "target", "met?"]
  const rows = entries.map((e) => [e.name, figure(e.value, e.unit), e.unit, figure(e.baseline, e.unit), num(e.ratio, 3), targetText(e.target), metText(e)])
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => (row[i] ?? "").length)))
  const numeric = new Set([1, 3, 4])
  const line = (cells: ReadonlyArray<string>) =>
    cells.map((cell, i) => (numeric.has(i) ? cell.padStart(widths[i] ?? 0) : cell.padEnd(widths[i] ?? 0))).join("  ").trimEnd()
  return [line(header), widths.map((w) => "-".repeat(w)).join("  "), ...rows.map(line)].join("\n")
}

export const writeResults = (file: string, entries: ReadonlyArray<Entry>) =>
  writeFileSync(file, JSON.stringify(entries, null, 2) + "\n")
