import { scenarios } from "./scenarios.js"
import { describeFailure, narrate, simulate, simulateSeed } from "./Simulate.js"

/**
 * `npm run sim -- --seeds N [--from S] [--verbose]`: plays N generated scripts (seeds S … S+N-1) and prints what
 * it checked and every violation. `SIM_SEED=<n> npm run sim` replays one seed and narrates it message by message.
 * Exits 1 when any invariant failed.
 */

const flag = (name: string): string | undefined => {
  const i = process.argv.indexOf(`--${name}`)
  return i === -1 ? undefined : process.argv[i + 1]
}

if (process.argv.includes("--scenarios")) {
  const only = flag("scenarios-only")
  let failed = 0
  for (const { defect, script } of scenarios) {
    if (only !== undefined && String(defect) !== only) continue
    const outcome = simulate(script)
    const verdict = outcome.violations.length === 0 ? "ok" : `${outcome.violations.length} violation(s)`
    console.log(`defect ${defect}: ${script.name}: ${verdict} (${outcome.checks} checks)`)
    for (const v of outcome.violations.slice(0, 8)) console.log(`  ${v.invariant} ${v.detail}`)
    if (process.argv.includes("--verbose")) console.log(narrate(outcome.trace))
    if (outcome.violations.length > 0) failed++
  }
  process.exit(failed > 0 ? 1 : 0)
}

const replay = process.env["SIM_SEED"]
const seeds = replay !== undefined ? [Number(replay)] : (() => {
  const count = Number(flag("seeds") ?? "200")
  const from = Number(flag("from") ?? "1")
  if (!Number.isInteger(count) || count < 1 || !Number.isInteger(from)) {
    console.error("usage: npm run sim -- --seeds N [--from S] [--verbose]   or   SIM_SEED=<n> npm run sim")
    process.exit(2)
  }
  return Array.from({ length: count }, (_, i) => from + i)
})()
const verbose = replay !== undefined || process.argv.includes("--verbose")

const started = Date.now()
const totals = { scripts: 0, conversations: 0, messages: 0, replies: 0, checks: 0, crashes: 0, richpanelCalls: 0, failed: 0, violations: 0 }
for (const seed of seeds) {
  const outcome = simulateSeed(seed)
  totals.scripts++
  totals.conversations += outcome.conversations
  totals.messages += outcome.messages
  totals.replies += outcome.replies
  totals.checks += outcome.checks
  totals.crashes += outcome.crashes
  totals.richpanelCalls += outcome.richpanelCalls
  if (outcome.violations.length > 0) {
    totals.failed++
    totals.violations += outcome.violations.length
    console.log(describeFailure(outcome))
  }
  if (verbose) console.log(narrate(outcome.trace))
  if (totals.scripts % 100 === 0 && seeds.length > 100) {
    process.stderr.write(`… ${totals.scripts}/${seeds.length} seeds, ${totals.failed} failing, ${((Date.now() - started) / 1000).toFixed(0)} s\n`)
  }
}
const seconds = (Date.now() - started) / 1000
console.log(
  `seeds ${seeds[0]}–${seeds.at(-1)}: ${totals.scripts} scripts, ${totals.conversations} conversations, ${totals.messages} customer messages, ` +
    `${totals.replies} replies, ${totals.richpanelCalls} Richpanel calls, ${totals.crashes} crashes, ${totals.checks} invariant checks, ` +
    `${totals.failed} failing scripts (${totals.violations} violations), ${seconds.toFixed(1)} s`
)
process.exit(totals.failed > 0 ? 1 : 0)
