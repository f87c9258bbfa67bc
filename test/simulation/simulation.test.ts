import { describe, expect, it } from "@effect/vitest"
import { scenarios } from "./scenarios.js"
import { describeFailure, simulate, simulateSeed } from "./Simulate.js"

/**
 * The conversation simulator in the suite: every named regression scenario, then a fixed range of generated seeds.
 * `npm run sim -- --seeds 2000` runs many more; `SIM_SEED=<n> npm run sim` replays and narrates one.
 */

/** Seeds every `npm test` plays (fixed, so a red run is reproducible with `SIM_SEED`). */
export const SUITE_SEEDS = { from: 1, count: 120 }

describe("conversation simulator: named regression scenarios", () => {
  for (const { defect, script } of scenarios) {
    it(`defect ${defect}: ${script.name}`, () => {
      const outcome = simulate(script)
      expect(outcome.violations, describeFailure(outcome)).toEqual([])
      expect(outcome.checks).toBeGreaterThan(0)
    })
  }
})

/** What the generated seeds exercised, added up across the chunks below. */
const seen = { messages: 0, replies: 0, tier0: 0, autoReplies: 0, crashes: 0, staleReads: 0, throttled: 0, killSwitch: 0, duplicates: 0 }

describe("conversation simulator: generated conversations", () => {
  const chunk = 20
  for (let start = SUITE_SEEDS.from; start < SUITE_SEEDS.from + SUITE_SEEDS.count; start += chunk) {
    const end = Math.min(start + chunk, SUITE_SEEDS.from + SUITE_SEEDS.count) - 1
    it(`seeds ${start}–${end} keep every invariant`, () => {
      const failures: Array<string> = []
      let messages = 0
      for (let seed = start; seed <= end; seed++) {
        const outcome = simulateSeed(seed)
        messages += outcome.messages
        tally(outcome)
        if (outcome.violations.length > 0) failures.push(describeFailure(outcome))
      }
      expect(failures, failures.join("\n\n")).toEqual([])
      // The generator must keep producing conversations worth checking.
      expect(messages).toBeGreaterThan(chunk * 2)
    }, 120_000)
  }

  // A simulator that never produces the hard cases proves nothing: the seeds must reach each of them.
  it("the seeds reach replies, Tier 0, auto-replies, crashes, stale reads, 429s, the kill switch and duplicate webhooks", () => {
    for (const [what, count] of Object.entries(seen)) expect(count, what).toBeGreaterThan(0)
  })
})

const tally = (outcome: ReturnType<typeof simulateSeed>) => {
  const { script, world } = outcome.trace
  const comments = [...world.tickets.values()].flatMap((t) => t.comments)
  seen.messages += outcome.messages
  seen.replies += outcome.replies
  seen.tier0 += comments.filter((c) => c.truth?.tier0 !== undefined).length
  seen.autoReplies += comments.filter((c) => c.truth?.kind === "auto-reply").length
  seen.crashes += outcome.crashes
  seen.staleReads += world.staleReads
  seen.throttled += world.throttled
  seen.killSwitch += script.actions.filter((a) => a.kind === "mode").length
  seen.duplicates += world.webhooks.filter((w, i) => world.webhooks.findIndex((o) => o.commentId === w.commentId && o.eventId === w.eventId) !== i).length
}
