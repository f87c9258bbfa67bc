import type { MessageTooLarge } from "../services/EventQueue.js"
import { PayloadTooLarge } from "./IngressErrors.js"

/** The reference size for a 413 when the queue did not say its limit: SQS's 1 MiB MaximumMessageSize default. */
const SQS_MAX_MESSAGE_BYTES = 1_048_576

const CAUSE = "too many or too large attachments, tags or other fields"

/** The queue refused the envelope: a 413 with the sizes when the queue said them. */
export const refusedByQueue = (error: MessageTooLarge): PayloadTooLarge => {
  const size = error.sizeBytes === undefined ? "" : ` (${error.sizeBytes} bytes)`
  const limit = error.maxBytes === undefined ? "" : ` of ${error.maxBytes} bytes`
  return new PayloadTooLarge({
    message: `the message envelope${size} is over the event queue's maximum message size${limit}: ${CAUSE}`,
    limitBytes: error.maxBytes ?? SQS_MAX_MESSAGE_BYTES
  })
}
