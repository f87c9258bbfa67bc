import { checkTrace, type Violation } from "./check/Invariants.js"
import { runScript, type Trace } from "./RunScript.js"
import { generate } from "./script/Generate.js"
import type { Script } from "./script/Script.js"

/** One script played and judged, with the figures a run report adds up. */
export interface Outcome {
  readonly script: Script
  readonly violations: ReadonlyArray<Violation>
  readonly checks: number
  /** Messages only id-only webhooks announced, on reads that lagged behind them (see `Verdict.unidentifiable`). */
  readonly unidentifiable: number
  readonly conversations: number
  readonly messages: number
  readonly replies: number
  readonly richpanelCalls: number
  readonly crashes: number
  readonly virtualMs: number
  readonly trace: Trace
}

export const simulate = (script: Script): Outcome => {
  const trace = runScript(script)
  const { checks, unidentifiable, violations } = checkTrace(trace)
  const comments = [...trace.world.tickets.values()].flatMap((t) => t.comments)
  return {
    script,
    violations,
    checks,
    unidentifiable,
    conversations: trace.world.tickets.size,
    messages: comments.filter((c) => c.role === "customer").length,
    replies: trace.world.calls.filter((c) => c.method === "sendReply" && c.applied).length,
    richpanelCalls: trace.world.calls.length,
    crashes: trace.world.crashes.length,
    virtualMs: trace.virtualMs,
    trace
  }
}

export const simulateSeed = (seed: number): Outcome => simulate(generate(seed))

/** A failing run, told so that a person can replay and read it. */
export const describeFailure = (outcome: Outcome): string => {
  const lines = [
    `${outcome.script.name}: ${outcome.violations.length} violation(s) — replay with SIM_SEED=${outcome.script.seed} npm run sim`,
    ...outcome.violations.slice(0, 12).map((v) => `  ${v.invariant} ${v.detail}`),
    ...(outcome.violations.length > 12 ? [`  … and ${outcome.violations.length - 12} more`] : [])
  ]
  return lines.join("\n")
}

/** The script and what happened, message by message: for reading a failure. */
export const narrate = (trace: Trace): string => {
  const { world } = trace
  const t = (ms: number) => `+${((ms - world.startMs) / 1000).toFixed(1)}s`
  const lines: Array<string> = [`mode ${trace.script.mode}, bot id ${trace.script.botAuthorKnown ? "set" : "unset"}, pollers ${trace.script.pollers}`]
  lines.push(`faults: ${JSON.stringify(trace.script.faults)}`)
  lines.push(`crashes: ${JSON.stringify(world.crashes.map((c) => ({ ...c, at: t(c.at) })))}`)
  for (const ticket of world.tickets.values()) {
    lines.push(`${ticket.conversation.id} (${ticket.conversation.channel}, customer ${ticket.conversation.customerId}, profile ${JSON.stringify(ticket.conversation.profile)}) tags: ${[...ticket.tags].join(" ")}`)
    for (const c of ticket.comments) {
      lines.push(`  ${t(c.createdAt)} ${c.id} ${c.role}${c.truth === undefined ? "" : ` [${c.truth.label}]`}: ${c.text.slice(0, 90).replace(/\n/g, " ")}`)
    }
    for (const r of trace.records.filter((r) => r.conversation_id === ticket.conversation.id).slice().reverse()) {
      const d = (r.decision ?? {}) as { intent?: string; tags?: ReadonlyArray<string>; reply?: string | null; reasons?: ReadonlyArray<string> }
      lines.push(`  record ${r.event_id} ${r.outcome}${r.reason === undefined ? "" : `:${r.reason}`} covers [${(r.messages ?? []).join(",")}] ${d.intent ?? ""} ${d.reply ?? ""} ${(d.reasons ?? []).join(",")}`)
    }
    for (const c of world.calls.filter((c) => c.ticketId === ticket.conversation.id)) {
      lines.push(`  call ${t(c.start)} ${c.process} ${c.method} ${c.outcome ?? "pending"}${c.applied ? " applied" : ""}${c.replyHead === undefined ? "" : ` head=${c.replyHead}`}${c.tags === undefined ? "" : ` ${c.tags.join(",")}`}`)
    }
    for (const w of world.webhooks.filter((w) => w.conversation === ticket.conversation.id)) {
      lines.push(`  webhook ${t(w.at)} ${w.commentId ?? "-"} ${w.label} → ${w.status} ${w.eventId ?? ""}`)
    }
  }
  return lines.join("\n")
}
