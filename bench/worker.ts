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
  /** Passes over all messages per side, each on fresh (empty) stores. */
  readonly rounds: number
  /** Batches per slice: the sides take turns slice by slice, so drift on a shared machine hits them alike. */
  readonly sliceBatches: number
  readonly progress: (line: string) => void
}

/** One side of the comparison: runs some batches, and accumulates the time they took. */
interface Side {
  readonly label: string
  ms: number
  readonly run: (batches: ReadonlyArray<SQSEvent>) => Promise<void>
  readonly close: () => Promise<void>
}

/** One Lambda container: the SQS handler on a runtime of its own, batch after batch. */
const pipeline = async (label: string, classifier: Layer.Layer<Classifier>, tally: Tally): Promise<Side> => {
  const runtime = ManagedRuntime.make(workerServices(classifier, tally))
  await runtime.runtime()
  const handler = workerHandler(runtime)
  return {
    label,
    ms: 0,
    run: async (batches) => {
      for (const batch of batches) {
        const failed = (await handler(batch)).batchItemFailures.length
        if (failed > 0) throw new Error(`worker ${label}: ${failed} records failed (expected none with instant fakes)`)
      }
    },
    close: () => runtime.dispose()
  }
}

/**
 * The work no pipeline can avoid: parse each body, and one Map lookup + insert for each store or Richpanel
 * operation the pipeline made for it (`opsPerMessage`, counted on the warm-up pass).
 */
const bare = (opsPerMessage: number): Side => {
  const store = new Map<string, number>()
  return {
    label: "bare",
    ms: 0,
    run: async (batches) => {
      for (const batch of batches) {
        for (const record of batch.Records) {
          const envelope = JSON.parse(record.body) as { readonly conversation_id: string }
          for (let op = 0; op < opsPerMessage; op++) {
            const key = `${envelope.conversation_id}#${op}`
            store.set(key, (store.get(key) ?? 0) + 1)
          }
        }
      }
    },
    close: async () => store.clear()
  }
}

/** Every side over every batch, slice by slice, alternating the order of the sides from one slice to the next. */
const interleave = async (sides: ReadonlyArray<Side>, batches: ReadonlyArray<SQSEvent>, sliceBatches: number) => {
  for (let start = 0, slice = 0; start < batches.length; start += sliceBatches, slice++) {
    const part = batches.slice(start, start + sliceBatches)
    for (const side of slice % 2 === 0 ? sides : [...sides].reverse()) {
      const started = performance.now()
      await side.run(part)
      side.ms += performance.now() - started
    }
  }
}

const describeTally = (t: Tally, n: number) =>
  `${(t.ops / n).toFixed(2)} store/Richpanel ops per message, ${t.loadTicket} ticket reads, ${t.richpanelWrites} Richpanel writes ` +
  `(${t.replies} replies), ${t.logLines} log lines; outcomes ${[...t.outcomes].map(([o, c]) => `${o} ${c}`).join(", ")}`

/** Worker throughput in live mode with zero-latency fakes, rules classifier and instant classifier, against bare work. */
export const benchWorker = async (options: WorkerBenchOptions): Promise<ReadonlyArray<Entry>> => {
  const n = options.messages
  options.progress(`worker: ${n} envelopes over ${options.conversations} conversations, SQS batches of ${options.batchSize}, live mode`)
  const batches = sqsBatches(queueBodies(n, options.conversations), options.batchSize)
  const instant = instantClassifier()

  // Warm-up: every text is new to the instant classifier, so it asks the rules classifier and learns the answer;
  // the JIT sees the whole path, and the pass counts the operations per message for the bare baseline.
  const warmTally = newTally()
  const warm = await pipeline("warm-up", instant.layer, warmTally)
  await interleave([warm], batches, batches.length)
  await warm.close()
  const opsPerMessage = Math.ceil(warmTally.ops / n)
  options.progress(`worker: warm-up ${(warm.ms / 1000).toFixed(1)} s; ${describeTally(warmTally, n)}`)

  const totals = { bare: 0, rules: 0, instant: 0 }
  const learnt = instant.misses()
  for (let round = 1; round <= options.rounds; round++) {
    options.progress(`worker: round ${round}/${options.rounds}: bare, rules classifier and instant classifier take turns every ${options.sliceBatches} batches`)
    const sides = [bare(opsPerMessage), await pipeline("rules", rulesClassifier, newTally()), await pipeline("instant", instant.layer, newTally())]
    await interleave(sides, batches, options.sliceBatches)
    for (const side of sides) await side.close()
    const [b, r, i] = sides.map((s) => s.ms)
    totals.bare += b ?? 0
    totals.rules += r ?? 0
    totals.instant += i ?? 0
    options.progress(`worker: round ${round}: rules ${(((r ?? 0) * 1000) / n).toFixed(0)}, instant ${(((i ?? 0) * 1000) / n).toFixed(0)}, bare ${(((b ?? 0) * 1000) / n).toFixed(2)} µs/msg`)
  }
  if (instant.misses() !== learnt) throw new Error("worker: the instant classifier met a text it had not learnt")
  const total = n * options.rounds
  const us = { bare: (totals.bare * 1000) / total, rules: (totals.rules * 1000) / total, instant: (totals.instant * 1000) / total }
  const rate = (usPerMessage: number) => 1e6 / usPerMessage
  options.progress(
    `worker: rules ${us.rules.toFixed(1)} µs/msg (${rate(us.rules).toFixed(0)} msg/s), instant ${us.instant.toFixed(1)} µs/msg ` +
      `(${rate(us.instant).toFixed(0)} msg/s), bare ${us.bare.toFixed(2)} µs/msg at ${opsPerMessage} ops/msg; ` +
      `rules classifier ≈ ${(us.rules - us.instant).toFixed(1)} µs/msg`
  )
  const throughput = (name: string, value: number): Entry => ({
    name, value, unit: "msg/s", baseline: rate(us.bare), ratio: value / rate(us.bare), target: null
  })
  const cost = (name: string, value: number): Entry => ({
    name, value, unit: "µs/msg", baseline: us.bare, ratio: value / us.bare, target: null
  })
  return [
    throughput("worker_throughput_rules_classifier", rate(us.rules)),
    throughput("worker_throughput_instant_classifier", rate(us.instant)),
    cost("worker_cost_rules_classifier", us.rules),
    cost("worker_cost_instant_classifier", us.instant)
  ]
}
