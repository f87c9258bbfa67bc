import { existsSync, readFileSync } from "node:fs"
import * as nodePath from "node:path"
import * as Effect from "effect/Effect"
import { defaultRoutingConfig, loadRoutingConfig } from "../domain/RoutingConfig.js"
import { BITEXT_MAPPING } from "../eval/bitextMapping.js"
import { parseCsvObjects } from "../eval/csv.js"
import { formatReport, score, textOnlyInput } from "../eval/evaluate.js"
import * as RulesClassifier from "../layers/RulesClassifier.js"
import { type Args, flag } from "./Args.js"

/** Where the dataset sits beside a checkout of this repository (`../shared/data/bitext/`). */
const DEFAULT_CSV = nodePath.resolve(import.meta.dirname, "../../../shared/data/bitext/customer_support_intents.csv")

/**
 * `rp-mw eval [--csv FILE]`: the local rules classifier (patterns from the routing config) on the Bitext
 * dataset, its intents mapped onto ours (`src/eval/bitextMapping.ts`): accuracy, macro-F1, per-intent P/R.
 * The OpenAI classifier is evaluated offline against a golden set instead (product spec §11), never from here.
 */
export const evalCommand = async (args: Args) => {
  const csv = flag(args, "csv") ?? process.env["BITEXT_CSV"] ?? DEFAULT_CSV
  if (!existsSync(csv)) throw new Error(`no dataset at ${csv}: pass --csv with the path of customer_support_intents.csv`)
  const routing = process.env["MW_ROUTING_CONFIG"] === undefined
    ? defaultRoutingConfig
    : await Effect.runPromise(loadRoutingConfig())
  const classifier = RulesClassifier.make(routing.rules_classifier.patterns)
  const rows = parseCsvObjects(readFileSync(csv, "utf8"))
  const labelled = rows.flatMap((row) => {
    const decision = BITEXT_MAPPING[row["intent"] ?? ""]
    return decision !== undefined && "intent" in decision ? [{ text: row["instruction"] ?? "", expected: decision.intent }] : []
  })
  console.log(`evaluating the rules classifier on ${labelled.length} of ${rows.length} rows (the rest have no counterpart intent)`)
  const predictions = await Effect.runPromise(
    Effect.forEach(labelled, ({ expected, text }) =>
      Effect.map(
        classifier.classify(textOnlyInput(text)),
        (c) => ({ expected, predicted: c.output.primary_intent })
      ))
  )
  console.log(formatReport(score(predictions)))
  return 0
}
