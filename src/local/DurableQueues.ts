import * as nodePath from "node:path"
import * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import type { JournalError } from "./JournalEntry.js"
import { LocalFifoQueue, type LocalFifoQueueOptions } from "./LocalFifoQueue.js"
import { QueueJournal } from "./QueueJournal.js"

export interface DurableQueuesOptions extends Omit<LocalFifoQueueOptions, "name" | "deadLetterQueue" | "journal"> {
  /** Directory for the journals `<name>.jsonl` and `<deadLetterName>.jsonl` (e.g. `<MW_DATA_DIR>/queues`). */
  readonly dir: string
  /** e.g. `rp-mw-events.fifo` */
  readonly name: string
  /** Defaults to `name` with `-dlq` before `.fifo` (`rp-mw-events-dlq.fifo`), as in the CDK stack. */
  readonly deadLetterName?: string
}

export interface DurableQueues {
  readonly queue: LocalFifoQueue
  readonly deadLetterQueue: LocalFifoQueue
}

/**
 * The local runtime's queue pair, each restored from its own journal (the DLQ first: the main queue holds a
 * reference to it). Journals close when the scope closes.
 */
export const makeDurableQueues = (
  options: DurableQueuesOptions
): Effect.Effect<DurableQueues, JournalError, Scope.Scope> =>
  Effect.gen(function*() {
    const { dir, name, deadLetterName, ...tuning } = options
    const dlqName = deadLetterName ?? name.replace(/(\.fifo)?$/, "-dlq$1")
    const deadLetterQueue = yield* LocalFifoQueue.make({
      name: dlqName,
      journal: yield* QueueJournal.file(nodePath.join(dir, `${dlqName}.jsonl`))
    })
    const queue = yield* LocalFifoQueue.make({
      ...tuning,
      name,
      deadLetterQueue,
      journal: yield* QueueJournal.file(nodePath.join(dir, `${name}.jsonl`))
    })
    return { queue, deadLetterQueue }
  })
