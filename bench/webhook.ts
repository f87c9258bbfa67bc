/** What the load generator posts and what both servers expect; shared so the two sides cannot drift apart. */
export const WEBHOOK_PATH = "/webhooks/richpanel"
export const WEBHOOK_TOKEN = "bench-webhook-token"

const CONVERSATIONS = 200

/**
 * A flat Richpanel payload. `message_id` is unique per call (prefix + counter), so every request is a new
 * event that the local server claims and enqueues, never a duplicate answered from the idempotency store.
 */
export const makeWebhookBodies = (prefix: string) => {
  let n = 0
  return () => {
    n += 1
    return JSON.stringify({
      conversation_id: `conv-${n % CONVERSATIONS}`,
      message_id: `${prefix}-${n}`,
      text: "Hi, where is my order #10234? It was supposed to arrive last Tuesday and tracking has not moved since.",
      channel: "email",
      customer_email: `customer${n % CONVERSATIONS}@example.com`
    })
  }
}
