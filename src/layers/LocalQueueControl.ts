import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type { LocalFifoQueue } from "../local/LocalFifoQueue.js"
import { QueueControl, VisibilityChangeFailed } from "../services/QueueControl.js"

/** The local FIFO queue's ChangeMessageVisibility, so the local runtime backs off exactly as SQS does. */
export const layer = (queue: LocalFifoQueue) =>
  Layer.succeed(
    QueueControl,
    QueueControl.of({
      delayRetry: (receiptHandle, delaySeconds) =>
        queue
          .changeMessageVisibility(receiptHandle, Math.min(delaySeconds, 43_200) * 1000)
          .pipe(Effect.mapError((cause) => new VisibilityChangeFailed({ cause })))
    })
  )
