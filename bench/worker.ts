import type { SQSEvent } from "aws-lambda"
import type * as Layer from "effect/Layer"
import * as ManagedRuntime from "effect/ManagedRuntime"
import { workerHandler } from "../src/lambda/workerHandler.js"
import type { Classifier } from "../src/services/Classifier.js"
import type { Entry } from "./table.js"
import { queueBodies, sqsBatches } from "./workerFixtures.js"
import { instantClassifier, newTally, rulesClassifier, type Tally, workerServices } from "./workerServices.js"

export interface WorkerBenchOptions {
  readonly messages: number
  readonly conversations: number
  readonly batchSize: number
  /** Timed passes per side, alternating so drift on a shared machine hits every side alike. */
  readonly rounds: number
  readonly progress: (line: string) => void
}

interface Pass {
  readonly ms: number
  readonly tally: Tally
}

/** One Lambda container: the SQS handler over every batch in turn, on a runtime built (and emptied) per pass. */
const runPipeline = async (classifier: Layer.Layer<Classifier>, batches: ReadonlyArray<SQSEvent>): Promise<Pass> => {
  const tally = newTally()
  const runtime = ManagedRuntime.make(workerServices(classifier, tally))
  try {
    await runtime.runtime()
    const handler = workerHandler(runtime)
    let failures = 0
    const started = performance.now()
    for (const batch of batches) failures += (await handler(batch)).batchItemFailures.length
    const ms = performance.now() - started
    if (failures > 0) throw new Error(`worker: ${failures} records failed (expected none with instant fakes)`)
    return { ms, tally }
  } finally {
    await runtime.dispose()
  }
}

/**
 * The work no pipeline can avoid: parse each body, and one Map lookup + insert for each store or Richpanel
 * operation the pipeline made for it (`opsPerMessage`, counted on the pipeline's own passes).
 */
const runBare = (batches: ReadonlyArray<SQSEvent>, opsPerMessage: number): Pass => {
  const tally = newTally()
  const store = new Map<string, number>()
  const started = performance.now()
  for (const batch of batches) {
    for (const record of batch.Records) {
      const envelope = JSON.parse(record.body) as { readonly conversation_id: string; readonly event_id: string }
      for (let op = 0; op < opsPerMessage; op++) {
        const key = `${envelope.conversation_id}#${op}`
        store.set(key, (store.get(key) ?? 0) + 1)
      }
      tally.ops += opsPerMessage
    }
  }
  return { ms: performance.now() - started, tally }
}

const sum = (passes: ReadonlyArray<Pass>) => passes.reduce((total, p) => total + p.ms, 0)

const describeTally = (t: Tally, n: number) =>
  `${(t.ops / n).toFixed(2)} ops/msg, ${t.loadTicket} ticket reads, ${t.richpanelWrites} Richpanel writes (${t.replies} replies), ` +
  `${t.logLines} log lines; outcomes ${[...t.outcomes].map(([o, c]) => `${o} ${c}`).join(", ")}`

/** Worker throughput in live mode with zero-latency fakes, rules classifier and instant classifier, against bare work. */
export const benchWorker = async (options: WorkerBenchOptions): Promise<ReadonlyArray<Entry>> => {
  const n = options.messages
  options.progress(`worker: ${n} envelopes over ${options.conversations} conversations, SQS batches of ${options.batchSize}, live mode`)
  const batches = sqsBatches(queueBodies(n, options.conversations), options.batchSize)
  const instant = instantClassifier()

  // Warm-up: JIT, and the instant classifier learns its answers; the rules pass also counts ops per message.
  const warm = await runPipeline(rulesClassifier, batches)
  await runPipeline(instant.layer, batches)
  const opsPerMessage = Math.ceil(warm.tally.ops / n)
  runBare(batches, opsPerMessage)
  options.progress(`worker: warm-up ${(warm.ms / 1000).toFixed(1)} s; ${describeTally(warm.tally, n)}`)

  const rules: Array<Pass> = []
  const fixed: Array<Pass> = []
  const bare: Array<Pass> = []
  const missesBefore = instant.misses()
  for (let round = 1; round <= options.rounds; round++) {
    options.progress(`worker: round ${round}/${options.rounds}, ${n} messages each: bare, rules classifier, instant classifier`)
    bare.push(runBare(batches, opsPerMessage))
    rules.push(await runPipeline(rulesClassifier, batches))
    fixed.push(await runPipeline(instant.layer, batches))
  }
  if (instant.misses() !== missesBefore) throw new Error("worker: the instant classifier met a text it had not learnt")
  const total = n * options.rounds
  const us = { bare: (sum(bare) * 1000) / total, rules: (sum(rules) * 1000) / total, fixed: (sum(fixed) * 1000) / total }
  const rate = (usPerMessage: number) => 1e6 / usPerMessage
  options.progress(
    `worker: rules ${us.rules.toFixed(1)} µs/msg (${rate(us.rules).toFixed(0)} msg/s), instant ${us.fixed.toFixed(1)} µs/msg ` +
      `(${rate(us.fixed).toFixed(0)} msg/s), bare ${us.bare.toFixed(2)} µs/msg at ${opsPerMessage} ops/msg; ` +
      `rules classifier ≈ ${(us.rules - us.fixed).toFixed(1)} µs/msg`
  )
  const throughput = (name: string, value: number): Entry => ({
    name, value, unit: "msg/s", baseline: rate(us.bare), ratio: value / rate(us.bare), target: null
  })
  const cost = (name: string, value: number): Entry => ({
    name, value, unit: "µs/msg", baseline: us.bare, ratio: value / us.bare, target: null
  })
  return [
    throughput("worker_throughput_rules_classifier", rate(us.rules)),
    throughput("worker_throughput_instant_classifier", rate(us.fixed)),
    cost("worker_cost_rules_classifier", us.rules),
    cost("worker_cost_instant_classifier", us.fixed)
  ]
}
