import { createServer } from "node:http"
import type { AddressInfo } from "node:net"

/**
 * Baseline for the ingress measure: plain `node:http` doing the same JSON parse and a 200 reply of the same
 * shape, nothing else. Started by `http.ts` in its own process; reports its URL over IPC.
 */
const server = createServer((request, response) => {
  const chunks: Array<Buffer> = []
  request.on("data", (chunk: Buffer) => chunks.push(chunk))
  request.on("end", () => {
    let reply: string
    try {
      const body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as { conversation_id?: unknown; message_id?: unknown }
      reply = JSON.stringify({ status: "accepted", event_id: `evt:rp:${String(body.conversation_id)}:${String(body.message_id)}` })
    } catch {
      response.writeHead(400, { "content-type": "application/json" }).end('{"error":"invalid_json"}')
      return
    }
    response.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(reply) }).end(reply)
  })
})

server.listen(0, "127.0.0.1", () => {
  const { address, port } = server.address() as AddressInfo
  process.send?.({ type: "ready", url: `http://${address}:${port}` })
})

const stop = () => {
  server.close(() => process.exit(0))
  server.closeAllConnections()
}
process.once("SIGTERM", stop)
process.once("SIGINT", stop)
// The parent died without stopping us: do not linger as an orphan.
process.once("disconnect", stop)
