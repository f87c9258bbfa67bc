import { describe, expect, it } from "@effect/vitest"
import type { ReadableSpan } from "@opentelemetry/sdk-trace-base"
import { Effect, Layer, Logger, Option, Redacted } from "effect"
import { readdirSync, readFileSync } from "node:fs"
import * as nodePath from "node:path"
import * as DryRunRichpanel from "../../src/layers/DryRunRichpanel.js"
import * as Logging from "../../src/layers/Logging.js"
import * as Tracing from "../../src/layers/Tracing.js"
import { inMemoryServices } from "../../src/local/InMemoryServices.js"
import { LocalFifoQueue } from "../../src/local/LocalFifoQueue.js"
import { startLocalRuntime } from "../../src/local/LocalRuntime.js"
import { AppConfig } from "../../src/services/AppConfig.js"
import { Richpanel, RichpanelInvalid, RichpanelTransient } from "../../src/services/Richpanel.js"
import { byName, collectingExporter } from "./collect.js"

/**
 * The local runtime in-process — HTTP ingress, queue, worker — with every log line and every exported span
 * captured. Webhooks in several shapes plant emails, phones, addresses, card numbers, API keys and the webhook
 * token itself; a downstream that echoes the customer's contact details in its errors makes sure PII reaches the
 * logging and tracing paths. None of the planted values may come out.
 */

const WEBHOOK_TOKEN = "whk-Plant3d-T0ken-9f8e7d6c"

const EMAILS = ["jane.doe+orders@example.com", "m.garcia@mail.example.org", "li_wei@shop.example.co.uk", "o'brien@example.ie",
  "sam.smith@example.net", "anna-lena@beispiel.example.de"]
const PHONES = ["+1 (415) 555-2671", "415.555.0199", "+44 20 7946 0958", "020 7946 0123", "06 12 34 56 78", "+33 6 98 76 54 32",
  "(212) 555-0147", "+49 30 12345678"]
const ADDRESSES = ["221B Baker Street", "1600 Pennsylvania Avenue NW", "742 Evergreen Terrace", "12 Old Mill Rd, Apt 4B",
  "P.O. Box 4521", "55 Ocean Blvd Unit 7"]
const CARDS = ["4111 1111 1111 1111", "5500-0000-0000-0004", "3782 822463 10005", "6011000990139424", "4012 8888 8888 1881"]
const SECRETS = ["sk-proj-Ab12Cd34Ef56Gh78Ij90Kl12Mn34", "Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjMifQ.sig123abcXYZ",
  "shpat_0123456789abcdef0123456789abcdef", "AKIAIOSFODNN7EXAMPLE", "ghp_abcdefghijklmnopqrstuvwxyz0123456789",
  "rp_live_9f8e7d6c5b4a3f2e"]

const pick = <A>(list: ReadonlyArray<A>, i: number): A => list[i % list.length] as A

/** The customer's message: every kind of value, in sentences like customers write them. */
const textFor = (i: number) =>
  `Hi, order #${1000 + i} never came. Ship it to ${pick(ADDRESSES, i)} instead. ` +
  `Call me on ${pick(PHONES, i + 1)} or mail ${pick(EMAILS, i + 1)}. ` +
  `I paid with ${pick(CARDS, i)}. Your app showed me ${pick(SECRETS, i)} — is that safe?`

/** Four payload shapes Richpanel rules send (examples/ and test/support): flat, wrapped ticket, HTML comment, bare ticket. */
const webhookBody = (i: number, conversation: string): unknown => {
  const email = pick(EMAILS, i)
  const phone = pick(PHONES, i)
  const comment = { id: `c-${i}`, isOperator: false }
  switch (i % 4) {
    case 0:
      return { conversation_id: conversation, message_id: `m-${i}`, channel: "email", customer_email: email, customer_phone: phone, text: textFor(i) }
    case 1:
      return {
        ticket: { id: conversation, via: { channel: "email" }, status: "OPEN", customer_profile: { email, phone }, comments: [{ ...comment, plain_body: textFor(i) }] }
      }
    case 2:
      return {
        ticket: { id: conversation, via: { channel: "livechat" }, status: "OPEN", customer_profile: { email }, comments: [{ ...comment, body: `<p>${textFor(i)}</p>` }] }
      }
    default:
      return { id: conversation, via: { channel: "email" }, status: "OPEN", customer_profile: { email, phone }, comments: [{ ...comment, plain_body: textFor(i) }] }
  }
}

/** The repository's example payloads, with PII spliced into their text: real shapes, planted values. */
const examples = () => {
  const dir = nodePath.resolve("examples")
  return readdirSync(dir).filter((f) => f.endsWith(".json")).sort().map((f) => readFileSync(nodePath.join(dir, f), "utf8"))
    .map((raw, i) => raw.replace(/"(text|plain_body)":"/g, `"$1":"${textFor(i + 7).replace(/"/g, "'")} `))
}

/**
 * Richpanel in dry run, except that two conversations fail the way real APIs do: echoing the customer's contact
 * details in the error. `fail-*` is an outage (retried, then the message waits); `bad-*` an unreadable ticket.
 */
const echoingRichpanel = Layer.effect(
  Richpanel,
  Effect.map(Richpanel, (dry) =>
    Richpanel.of({
      ...dry,
      loadTicket: (envelope) => {
        const who = `${envelope.customer.email ?? "?"} / ${envelope.customer.phone ?? "?"}`
        if (envelope.conversation_id.startsWith("fail-")) {
          return Effect.fail(new RichpanelTransient({ reason: `upstream 503: no session for ${who} at ${pick(ADDRESSES, 0)}`, status: 503 }))
        }
        if (envelope.conversation_id.startsWith("bad-")) {
          return Effect.fail(new RichpanelInvalid({ reason: `cannot read ticket of ${who}, card ${pick(CARDS, 0)}`, status: 422 }))
        }
        return dry.loadTicket(envelope)
      }
    })
  )
).pipe(Layer.provide(DryRunRichpanel.layer))

const config = Layer.succeed(AppConfig, {
  mode: "route-only",
  webhookToken: Option.some(Redacted.make(WEBHOOK_TOKEN)),
  richpanelApiKey: Option.none(),
  openaiApiKey: Option.none(),
  shopifyAccessToken: Option.none()
})

const digitsOnly = (value: string) => value.replace(/\D/g, "")

/** Every planted value as it was sent, and its digits-only form for phones and cards (national form too). */
const forbidden = (): ReadonlyArray<string> => {
  const phoneDigits = PHONES.flatMap((p) => [digitsOnly(p), digitsOnly(p).replace(/^(1|44|33|49)/, "")])
  const secretCores = SECRETS.map((s) => s.replace(/^Bearer /, ""))
  return [...EMAILS, ...PHONES, ...ADDRESSES, ...CARDS, ...SECRETS, ...secretCores, ...phoneDigits, ...CARDS.map(digitsOnly), WEBHOOK_TOKEN]
    .filter((value) => value.length >= 6)
}

/** Everything a span carries as text: name, attributes, events (name + attributes), status, links. */
const spanText = (span: ReadableSpan) =>
  JSON.stringify({ name: span.name, attributes: span.attributes, events: span.events.map((e) => [e.name, e.attributes]), status: span.status, links: span.links.map((l) => l.attributes) })

const post = (url: string, body: string, query = "") =>
  Effect.promise(() =>
    fetch(`${url}/webhooks/richpanel${query}`, {
      method: "POST",
      headers: { "content-type": "application/json", ...(query === "" ? { "x-webhook-token": WEBHOOK_TOKEN } : {}) },
      body
    }).then(async (response) => ({ status: response.status, body: await response.text() }))
  )

const processedCount = (url: string) =>
  Effect.promise(() => fetch(`${url}/events?limit=500`).then((r) => r.json() as Promise<{ events: ReadonlyArray<unknown> }>)).pipe(
    Effect.map((body) => body.events.length)
  )

describe("redaction over a full local run", () => {
  it.scopedLive("no planted email, phone, address, card, key or the webhook token appears in any log line or exported span", () => {
    const lines: Array<string> = []
    const collected = collectingExporter()
    const telemetry = Layer.mergeAll(
      Logger.replace(Logger.defaultLogger, Logging.makeJsonLogger((line) => lines.push(line))),
      Tracing.layerExporter("rp-mw-ingress", collected.exporter)
    )
    return Effect.gen(function*() {
      const queue = yield* LocalFifoQueue.make({ name: "redaction.fifo" })
      const url = yield* startLocalRuntime({
        port: 0,
        host: "127.0.0.1",
        queue,
        services: Layer.merge(inMemoryServices(queue, config), echoingRichpanel),
        workerConcurrency: 2
      })

      const bodies = [
        ...Array.from({ length: 24 }, (_, i) => JSON.stringify(webhookBody(i, `conv-${i}`))),
        ...examples(),
        JSON.stringify(webhookBody(0, "fail-1")),
        JSON.stringify(webhookBody(1, "bad-1")),
        JSON.stringify(webhookBody(3, "bad-2"))
      ]
      const answers = yield* Effect.forEach(bodies, (body, i) => post(url, body, i % 5 === 0 ? `?token=${WEBHOOK_TOKEN}` : ""), { concurrency: 4 })
      expect(answers.filter((a) => a.status !== 200)).toEqual([])
      // Rejected ones too: a body that is not JSON, a wrong token, a field of the wrong type.
      expect((yield* post(url, `{"text": "${pick(EMAILS, 0)} ${pick(CARDS, 1)}`)).status).toBe(400)
      expect((yield* post(url, pick(CARDS, 3))).status).toBe(400)
      expect((yield* post(url, JSON.stringify({ conversation_id: "x", text: 4111111111111111 }))).status).toBe(400)

      // Everything but `fail-1` gets an outcome; `fail-1` retries, then waits on the queue for its backoff.
      const expected = bodies.length - 1
      let processed = 0
      for (let i = 0; i < 300 && (processed < expected || !lines.some((l) => l.includes("waiting for richpanel"))); i++) {
        yield* Effect.sleep("100 millis")
        processed = yield* processedCount(url)
      }
      expect(processed).toBe(expected)
      yield* Tracing.flush

      const spans = collected.spans
      const haystacks = [...lines, ...spans.map(spanText)].map((text) => text.toLowerCase())
      const leaks = forbidden().flatMap((value) =>
        haystacks.filter((text) => text.includes(value.toLowerCase())).map((text) => `${value} in ${text.slice(0, 300)}`)
      )
      expect(leaks).toEqual([])

      // The PII did reach both paths (and was redacted there): the test is not vacuous.
      expect(lines.some((l) => l.includes("waiting for richpanel") && l.includes("[EMAIL]"))).toBe(true)
      expect(lines.some((l) => l.includes("deciding on the webhook payload") && l.includes("[CARD]"))).toBe(true)
      expect(spans.some((s) => s.events.some((e) => e.name.includes("[EMAIL]")))).toBe(true)
      expect(spans.some((s) => Object.keys(s.attributes).some((k) => k.endsWith("x-webhook-token")))).toBe(true)

      // One trace from webhook to worker, across the local queue.
      const enqueues = new Map(byName(spans, "Ingress.enqueue").map((s) => [s.spanContext().spanId, s.spanContext().traceId]))
      const records = byName(spans, "Worker.processRecord")
      expect(records.length).toBeGreaterThanOrEqual(expected)
      for (const record of records) {
        expect(enqueues.get(record.parentSpanContext?.spanId ?? "")).toBe(record.spanContext().traceId)
      }
      console.log(`redaction run: ${bodies.length + 3} webhooks, ${lines.length} log lines, ${spans.length} spans, ${forbidden().length} planted values`)
    }).pipe(Effect.provide(telemetry))
  }, 60_000)
})
