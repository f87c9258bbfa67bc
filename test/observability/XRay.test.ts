import { describe, expect, it } from "@effect/vitest"
import { createSocket, type Socket } from "node:dgram"
import type { AddressInfo } from "node:net"
import { ConfigProvider, Effect, Layer, Logger, Option } from "effect"
import * as Tracing from "../../src/layers/Tracing.js"
import { DAEMON_HEADER } from "../../src/layers/XRaySegment.js"
import { parseDaemonAddress } from "../../src/layers/XRayUdpExporter.js"

/** A stand-in for the X-Ray daemon on loopback: collects the datagrams it receives. */
const fakeDaemon = Effect.acquireRelease(
  Effect.async<{ readonly port: number; readonly datagrams: Array<string>; readonly socket: Socket }>((resume) => {
    const socket = createSocket("udp4")
    const datagrams: Array<string> = []
    socket.on("message", (message) => datagrams.push(message.toString("utf8")))
    socket.bind(0, "127.0.0.1", () => resume(Effect.succeed({ port: (socket.address() as AddressInfo).port, datagrams, socket })))
  }),
  (daemon) => Effect.sync(() => daemon.socket.close())
)

interface Segment {
  readonly name: string
  readonly id: string
  readonly trace_id: string
  readonly parent_id?: string
  readonly type?: string
  readonly start_time: number
  readonly end_time: number
  readonly annotations?: Record<string, unknown>
  readonly metadata?: { readonly otel: { readonly span_name: string; readonly events: ReadonlyArray<unknown> } }
  readonly fault?: boolean
  readonly cause?: { readonly exceptions: ReadonlyArray<{ readonly id: string; readonly message: string; readonly type: string }> }
}

const segments = (datagrams: ReadonlyArray<string>) =>
  datagrams.map((datagram) => {
    expect(datagram.startsWith(DAEMON_HEADER)).toBe(true)
    expect(Buffer.byteLength(datagram)).toBeLessThan(64_000)
    return JSON.parse(datagram.slice(DAEMON_HEADER.length)) as Segment
  })

/** Waits (live clock) until the daemon has `n` datagrams or a second passed. */
const received = (datagrams: ReadonlyArray<string>, n: number) =>
  Effect.sleep("10 millis").pipe(Effect.repeat({ until: () => datagrams.length >= n, times: 100 }), Effect.as(datagrams))

const work = Effect.gen(function*() {
  yield* Effect.annotateCurrentSpan({ "downstream": "richpanel", "batch.size": 3, "customer.note": "mail jane@example.com", "tags": ["a", "b"] })
  yield* Effect.logWarning("failed for jane@example.com").pipe(Effect.withSpan("Worker.loadTicket"))
  yield* Effect.fail(new Error("Richpanel said: no ticket for jane@example.com / +1 415 555 2671")).pipe(
    Effect.withSpan("RetryPolicies.callDownstream"),
    Effect.ignore
  )
  // Logs become span events (at most 128 per span): 128 of 800 characters are more than one 64 KB datagram carries.
  yield* Effect.forEach(Array.from({ length: 128 }, (_, i) => `progress ${i} ${"x".repeat(800)}`), (line) => Effect.logInfo(line)).pipe(
    Effect.provide(Logger.remove(Logger.defaultLogger))
  )
}).pipe(Effect.withSpan("Worker.processRecord"))

describe("X-Ray UDP export", () => {
  it.scopedLive("AWS_XRAY_DAEMON_ADDRESS set: one redacted segment document per span reaches the daemon", () =>
    Effect.gen(function*() {
      const daemon = yield* fakeDaemon
      const config = ConfigProvider.fromMap(new Map([["AWS_XRAY_DAEMON_ADDRESS", `127.0.0.1:${daemon.port}`]]))
      yield* Effect.gen(function*() {
        yield* work
        yield* Tracing.flush
      }).pipe(Effect.provide(Tracing.layer("rp-mw-worker").pipe(Layer.provide(Layer.setConfigProvider(config)))))
      const docs = segments(yield* received(daemon.datagrams, 3))
      expect(docs).toHaveLength(3)

      const root = docs.find((d) => d.parent_id === undefined)
      const load = docs.find((d) => d.name === "Worker.loadTicket")
      const call = docs.find((d) => d.name === "RetryPolicies.callDownstream")
      if (root === undefined || load === undefined || call === undefined) throw new Error(JSON.stringify(docs))
      // A span without a parent is a segment named after the service; children are independent subsegments.
      expect(root).toMatchObject({ name: "rp-mw-worker", metadata: { otel: { span_name: "Worker.processRecord", events: [], truncated: true } } })
      expect(root.type).toBeUndefined()
      expect(root.trace_id).toMatch(/^1-[0-9a-f]{8}-[0-9a-f]{24}$/)
      expect(root.id).toMatch(/^[0-9a-f]{16}$/)
      // X-Ray ids: the trace id starts with the epoch second the trace began.
      expect(Math.abs(Number.parseInt(root.trace_id.slice(2, 10), 16) - root.start_time)).toBeLessThan(5)
      expect(root.end_time).toBeGreaterThanOrEqual(root.start_time)
      expect(root.start_time).toBeGreaterThan(1.6e9)
      expect(root.annotations).toMatchObject({ downstream: "richpanel", batch_size: 3, customer_note: "mail [EMAIL]" })
      for (const child of [load, call]) {
        expect(child).toMatchObject({ type: "subsegment", parent_id: root.id, trace_id: root.trace_id })
      }
      expect(call.fault).toBe(true)
      expect(call.cause?.exceptions[0]?.message).toBe("Richpanel said: no ticket for [EMAIL] / [PHONE]")
      expect(call.cause?.exceptions[0]?.id).toMatch(/^[0-9a-f]{16}$/)
      expect(root.fault).toBeUndefined()

      const all = daemon.datagrams.join("\n")
      expect(all).not.toContain("jane@example.com")
      expect(all).not.toContain("555 2671")
    }))

  it.effect("AWS_XRAY_DAEMON_ADDRESS unset: no tracer provider, flush is a no-op", () =>
    Effect.gen(function*() {
      const context = yield* Layer.build(Tracing.layer("rp-mw-ingress"))
      expect(context.unsafeMap.size).toBe(0)
      yield* Tracing.flush
    }).pipe(Effect.scoped, Effect.withConfigProvider(ConfigProvider.fromMap(new Map()))))

  it("parses the daemon address forms", () => {
    expect(parseDaemonAddress("169.254.79.129:2000")).toEqual(Option.some({ host: "169.254.79.129", port: 2000 }))
    expect(parseDaemonAddress("tcp:127.0.0.1:2000 udp:127.0.0.2:2001")).toEqual(Option.some({ host: "127.0.0.2", port: 2001 }))
    expect(parseDaemonAddress("localhost")).toEqual(Option.none())
    expect(parseDaemonAddress("host:99999")).toEqual(Option.none())
  })
})
