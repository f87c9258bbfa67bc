import type { SpanExporter } from "@opentelemetry/sdk-trace-base"
import { createSocket, type Socket } from "node:dgram"
import * as Option from "effect/Option"
import { toDatagram } from "./XRaySegment.js"

export interface DaemonAddress {
  readonly host: string
  readonly port: number
}

/**
 * `AWS_XRAY_DAEMON_ADDRESS` as Lambda sets it (`169.254.79.129:2000`) or in the daemon's two-protocol form
 * (`tcp:127.0.0.1:2000 udp:127.0.0.1:2001`, of which the UDP one).
 */
export const parseDaemonAddress = (value: string): Option.Option<DaemonAddress> => {
  const parts = value.trim().split(/\s+/)
  const chosen = parts.find((part) => part.startsWith("udp:"))?.slice(4) ?? parts.find((part) => !part.includes("tcp:"))
  const match = chosen === undefined ? null : /^(.+):(\d{1,5})$/.exec(chosen)
  if (match === null) return Option.none()
  const port = Number(match[2])
  return port > 0 && port < 65_536 ? Option.some({ host: match[1] ?? "", port }) : Option.none()
}

type ExportResult = Parameters<Parameters<SpanExporter["export"]>[1]>[0]
// ExportResultCode from @opentelemetry/core, a dependency we do not import for two numbers.
const SUCCESS: ExportResult = { code: 0 }
const failed = (error: Error): ExportResult => ({ code: 1, error })

/**
 * Sends each span as one segment document to the X-Ray daemon over UDP, as the X-Ray SDKs do; Lambda runs the
 * daemon when active tracing is on. The socket is unref'd so it never keeps a process alive.
 */
export const make = (address: DaemonAddress): SpanExporter => {
  let socket: Socket | undefined
  const open = () => {
    if (socket === undefined) {
      socket = createSocket(address.host.includes(":") ? "udp6" : "udp4")
      socket.unref()
    }
    return socket
  }
  return {
    export: (spans, done) => {
      let datagrams: ReadonlyArray<string>
      try {
        datagrams = spans.map(toDatagram)
      } catch (error) {
        return done(failed(error instanceof Error ? error : new Error(String(error))))
      }
      if (datagrams.length === 0) return done(SUCCESS)
      const udp = open()
      let pending = datagrams.length
      let firstError: Error | undefined
      for (const datagram of datagrams) {
        udp.send(datagram, address.port, address.host, (error) => {
          firstError ??= error ?? undefined
          if (--pending === 0) done(firstError === undefined ? SUCCESS : failed(firstError))
        })
      }
    },
    shutdown: () =>
      new Promise<void>((resolve) => {
        if (socket === undefined) return resolve()
        socket.close(() => resolve())
        socket = undefined
      }),
    forceFlush: () => Promise.resolve()
  }
}
