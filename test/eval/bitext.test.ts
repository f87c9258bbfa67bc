import { describe, expect, it } from "@effect/vitest"
import { Effect, Schema } from "effect"
import { existsSync, readFileSync } from "node:fs"
import type { ClassifierOutput } from "../../src/domain/Classification.js"
import type { IntentId } from "../../src/domain/Taxonomy.js"
import { defaultRoutingConfig } from "../../src/domain/RoutingConfig.js"
import { formatReport, score } from "../../src/eval/evaluate.js"
import { textOnlyInput } from "../../src/eval/evaluate.js"
import * as RulesClassifier from "../../src/layers/RulesClassifier.js"
import { BITEXT_MAPPING, HUMAN_REQUESTED_INTENTS } from "../../src/eval/bitextMapping.js"
import { parseCsv, parseCsvObjects } from "../../src/eval/csv.js"

/**
 * The rules classifier on the Bitext customer-support dataset (CDLA-Sharing-1.0), its intents mapped onto ours
 * by `bitextMapping.ts`. Floors sit a few points under the measured values, so a pattern edit that makes the
 * rules worse fails here. The dataset lives outside the repository (`BITEXT_CSV` overrides the path).
 */
const CSV = process.env.BITEXT_CSV ?? "/work/shared/data/bitext/customer_support_intents.csv"

// Measured with the routing config's rules_classifier.patterns: accuracy 0.945, macro-F1 0.948; recall order status 0.982, cancel
// 0.935, refund 0.959; order-status precision 1.000; HUMAN_REQUESTED recall 0.938, raised on 0 of 4,353 other rows.
// Floors sit ~3 points lower. (The first draft of the patterns, written from the taxonomy alone: 0.446 / 0.507.)
const FLOORS = { accuracy: 0.92, macroF1: 0.92, humanRequestedRecall: 0.9 }
const RECALL_FLOORS: Partial<Record<IntentId, number>> = { order_status_tracking: 0.95, cancel_order: 0.9, refund_request: 0.93 }
/** Tier 2 replies hang on order status, so its precision matters most (spec gate: ≥ 0.90). */
const ORDER_STATUS_PRECISION_FLOOR = 0.97
const MAX_FALSE_HUMAN_REQUESTED = 0.01

const input = textOnlyInput

describe("csv", () => {
  it("reads quoted commas, doubled quotes, line breaks and CRLF", () => {
    expect(parseCsv("a,b,c\r\n1,\"x, \"\"y\"\"\nz\",3\n\"\",,\n")).toEqual([
      ["a", "b", "c"],
      ["1", "x, \"y\"\nz", "3"],
      ["", "", ""]
    ])
    expect(parseCsvObjects("h1,h2\nv1,v2")).toEqual([{ h1: "v1", h2: "v2" }])
    expect(() => parseCsv("a,\"b\n")).toThrow(/unterminated/)
    expect(() => parseCsvObjects("a,b\n1,2,3\n")).toThrow(/3 fields/)
  })
})

describe.skipIf(!existsSync(CSV))("bitext evaluation of the rules classifier", () => {
  const rows = existsSync(CSV) ? parseCsvObjects(readFileSync(CSV, "utf8")) : []
  // The shipped patterns: `rules_classifier.patterns` of config/routing.json.
  const patterns = Schema.decodeUnknownSync(RulesClassifier.RulesPatterns)(defaultRoutingConfig.rules_classifier.patterns)
  const classifier = RulesClassifier.make(patterns)

  it("the dataset parses completely and every one of its intents has a mapping decision", () => {
    expect(rows).toHaveLength(4514)
    const intents = new Set(rows.map((r) => r.intent!))
    expect(intents.size).toBe(27)
    for (const intent of intents) expect(BITEXT_MAPPING, intent).toHaveProperty(intent)
  })

  it.effect("meets the accuracy, macro-F1, per-intent recall and HUMAN_REQUESTED floors", () =>
    Effect.gen(function*() {
      const outputs = yield* Effect.forEach(rows, (row) =>
        Effect.map(classifier.classify(input(row.instruction!)), (c): readonly [Record<string, string>, ClassifierOutput] => [row, c.output]))
      const predictions = outputs.flatMap(([row, output]) => {
        const decision = BITEXT_MAPPING[row.intent!]
        return decision && "intent" in decision ? [{ expected: decision.intent, predicted: output.primary_intent }] : []
      })
      const report = score(predictions)
      const asksHuman = outputs.filter(([row]) => HUMAN_REQUESTED_INTENTS.has(row.intent!))
      const others = outputs.filter(([row]) => !HUMAN_REQUESTED_INTENTS.has(row.intent!))
      const flagged = (o: ClassifierOutput) => o.risk_flags.includes("HUMAN_REQUESTED")
      const humanRecall = asksHuman.filter(([, o]) => flagged(o)).length / asksHuman.length
      const falseHuman = others.filter(([, o]) => flagged(o)).length / others.length

      console.log(
        `${formatReport(report, { confusions: 12 })}\n` +
          `HUMAN_REQUESTED recall ${(humanRecall * 100).toFixed(1)}% (n = ${asksHuman.length}), ` +
          `raised on other rows ${(falseHuman * 100).toFixed(2)}% (n = ${others.length})`
      )

      expect(report.accuracy).toBeGreaterThanOrEqual(FLOORS.accuracy)
      expect(report.macroF1).toBeGreaterThanOrEqual(FLOORS.macroF1)
      for (const [intent, floor] of Object.entries(RECALL_FLOORS)) {
        expect(report.perIntent.find((m) => m.intent === intent)?.recall ?? 0, intent).toBeGreaterThanOrEqual(floor)
      }
      expect(report.perIntent.find((m) => m.intent === "order_status_tracking")?.precision ?? 0)
        .toBeGreaterThanOrEqual(ORDER_STATUS_PRECISION_FLOOR)
      expect(humanRecall).toBeGreaterThanOrEqual(FLOORS.humanRequestedRecall)
      expect(falseHuman).toBeLessThanOrEqual(MAX_FALSE_HUMAN_REQUESTED)
    }))
})
