import * as Effect from "effect/Effect"
import type { Readable } from "node:stream"

/**
 * How much of an oversize body is read and thrown away before answering. A client still sending when the server
 * closes the connection sees a reset instead of the 413 (what `HttpIncomingMessage.withMaxBodySize` does: it
 * destroys the request stream), so the rest of a moderately oversize body is drained first. Past this, draining
 * would let any client keep the server reading for as long as it likes, so the answer goes out regardless.
 */
export const MAX_DRAIN_BYTES = 4 * 1024 * 1024

export interface BoundedBody {
  /** The whole body, or empty when it was over the limit (or the client went away). */
  readonly body: Uint8Array
  readonly overLimit: boolean
}

const EMPTY = new Uint8Array(0)

/**
 * Reads a request body, keeping at most `limitBytes` of it in memory: past the limit the chunks are counted and
 * dropped until the body ends or `drainBytes` more have passed. Never fails; a client that aborts mid-body leaves
 * an empty body, which ingress refuses as it would any unparseable one.
 */
export const readBoundedBody = (
  source: Readable,
  limitBytes: number,
  drainBytes: number = MAX_DRAIN_BYTES
): Effect.Effect<BoundedBody> =>
  Effect.async<BoundedBody>((resume) => {
    const chunks: Array<Buffer> = []
    let bytes = 0
    let settled = false
    const detach = () => {
      source.off("data", onData)
      source.off("end", onEnd)
      source.off("error", onAbort)
      source.off("close", onAbort)
    }
    const settle = (result: BoundedBody) => {
      if (settled) return
      settled = true
      detach()
      resume(Effect.succeed(result))
    }
    function onData(chunk: Buffer) {
      bytes += chunk.length
      if (bytes <= limitBytes) chunks.push(chunk)
      else chunks.length = 0 // refused: nothing of it is kept
      // Stop waiting, not reading: the stream stays flowing, so Node keeps discarding what still arrives.
      if (bytes > limitBytes + drainBytes) settle({ body: EMPTY, overLimit: true })
    }
    function onEnd() {
      settle(bytes > limitBytes ? { body: EMPTY, overLimit: true } : { body: Buffer.concat(chunks, bytes), overLimit: false })
    }
    function onAbort() {
      settle({ body: EMPTY, overLimit: bytes > limitBytes })
    }
    source.on("data", onData)
    source.once("end", onEnd)
    source.once("error", onAbort)
    source.once("close", onAbort)
    return Effect.sync(detach)
  })
