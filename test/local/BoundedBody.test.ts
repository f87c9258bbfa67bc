import { describe, expect, it } from "@effect/vitest"
import { Effect, Fiber } from "effect"
import { PassThrough } from "node:stream"
import { readBoundedBody } from "../../src/local/BoundedBody.js"

const bytes = (n: number) => Buffer.alloc(n, 0x61)

describe("readBoundedBody", () => {
  it.live("returns a body within the limit whole, however it was chunked", () =>
    Effect.gen(function* () {
      const source = new PassThrough()
      const reading = yield* Effect.fork(readBoundedBody(source, 10, 100))
      source.write(bytes(4))
      source.write(bytes(6))
      source.end()
      const read = yield* Fiber.join(reading)
      expect(read.overLimit).toBe(false)
      expect(Buffer.from(read.body).toString()).toBe("a".repeat(10))
    }))

  it.live("drains an oversize body to its end and keeps none of it", () =>
    Effect.gen(function* () {
      const source = new PassThrough()
      const reading = yield* Effect.fork(readBoundedBody(source, 10, 100))
      source.write(bytes(8))
      source.write(bytes(8))
      source.write(bytes(50))
      // Not answered before the end: the sender is still writing and must be able to read the 413 afterwards.
      yield* Effect.sleep("20 millis")
      expect(yield* Fiber.poll(reading)).toMatchObject({ _tag: "None" })
      source.end()
      const read = yield* Fiber.join(reading)
      expect(read).toEqual({ body: new Uint8Array(0), overLimit: true })
    }))

  it.live("stops waiting once the drain bound is passed, without the body ending", () =>
    Effect.gen(function* () {
      const source = new PassThrough()
      const reading = yield* Effect.fork(readBoundedBody(source, 10, 100))
      source.write(bytes(60))
      source.write(bytes(60))
      const read = yield* Fiber.join(reading).pipe(Effect.timeout("2 seconds"))
      expect(read.overLimit).toBe(true)
      expect(read.body.byteLength).toBe(0)
      source.destroy()
    }))

  it.live("an aborted body is empty, over the limit only if it already was", () =>
    Effect.gen(function* () {
      const small = new PassThrough()
      const reading = yield* Effect.fork(readBoundedBody(small, 10, 100))
      small.write(bytes(4))
      yield* Effect.sleep("5 millis")
      small.destroy(new Error("aborted"))
      expect(yield* Fiber.join(reading)).toEqual({ body: new Uint8Array(0), overLimit: false })
    }))
})
