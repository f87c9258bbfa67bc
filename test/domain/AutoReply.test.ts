import { describe, expect, it } from "@effect/vitest"
import fc from "fast-check"
import { type AutoReplyInput, autoReplyEvidence, isNoReplySender } from "../../src/domain/AutoReply.js"

const CUSTOMER_TEXT = "Where is my order #1234? It has been two weeks."

describe("automatic replies are recognised by what marks them", () => {
  const table: ReadonlyArray<readonly [AutoReplyInput, string]> = [
    // RFC 3834 and the common vendor headers
    [{ text: CUSTOMER_TEXT, headers: { "auto-submitted": "auto-replied" } }, "header auto-submitted"],
    [{ text: CUSTOMER_TEXT, headers: { "Auto-Submitted": "auto-generated; owner-email=\"x@y.z\"" } }, "header auto-submitted"],
    [{ text: CUSTOMER_TEXT, headers: { "x-autoreply": "yes" } }, "header x-autoreply"],
    [{ text: CUSTOMER_TEXT, headers: { "x-autorespond": "Out of office" } }, "header x-autorespond"],
    [{ text: CUSTOMER_TEXT, headers: { precedence: "bulk" } }, "header precedence"],
    [{ text: CUSTOMER_TEXT, headers: { precedence: "auto_reply" } }, "header precedence"],
    [{ text: CUSTOMER_TEXT, headers: { "x-auto-response-suppress": "All" } }, "header x-auto-response-suppress"],
    [{ text: CUSTOMER_TEXT, headers: { "x-auto-response-suppress": "DR, OOF, AutoReply" } }, "header x-auto-response-suppress"],
    [{ text: CUSTOMER_TEXT, headers: { "x-failed-recipients": "a@b.example" } }, "header x-failed-recipients"],
    [{ text: CUSTOMER_TEXT, headers: { "return-path": "<>" } }, "header return-path"],
    [{ text: CUSTOMER_TEXT, headers: { From: "Mail Delivery Subsystem <mailer-daemon@googlemail.com>" } }, "no-reply sender"],
    [{ text: CUSTOMER_TEXT, headers: { subject: "Automatic reply: Re: your order" } }, "subject \"automatic reply\""],
    [
      { text: CUSTOMER_TEXT, headers: { "content-type": "multipart/report; report-type=delivery-status; boundary=x" } },
      "header content-type"
    ],
    // no-reply senders
    [{ text: CUSTOMER_TEXT, senderEmail: "noreply@shop.example" }, "no-reply sender"],
    [{ text: CUSTOMER_TEXT, senderEmail: "MAILER-DAEMON@mx.example" }, "no-reply sender"],
    [{ text: CUSTOMER_TEXT, senderEmail: "postmaster@mx.example" }, "no-reply sender"],
    [{ text: CUSTOMER_TEXT, senderEmail: "do-not-reply@bank.example" }, "no-reply sender"],
    [{ text: CUSTOMER_TEXT, senderEmail: "donotreply@bank.example" }, "no-reply sender"],
    [{ text: CUSTOMER_TEXT, senderEmail: "no_reply+123@bank.example" }, "no-reply sender"],
    // subjects that start with an autoresponder's or a bounce's heading
    [{ text: CUSTOMER_TEXT, subject: "Automatic reply: Your order #1234 has shipped" }, "subject \"automatic reply\""],
    [{ text: CUSTOMER_TEXT, subject: "Auto-Reply: Re: order" }, "subject \"auto-reply\""],
    [{ text: CUSTOMER_TEXT, subject: "Autoreply: Re: order" }, "subject \"autoreply\""],
    [{ text: CUSTOMER_TEXT, subject: "AUTO: Jane Doe is out of the office" }, "subject \"auto\""],
    [{ text: CUSTOMER_TEXT, subject: "Out of Office: Your order" }, "subject \"out of office\""],
    [{ text: CUSTOMER_TEXT, subject: "Out of office reply" }, "subject \"out of office reply\""],
    [{ text: CUSTOMER_TEXT, subject: "Delivery Status Notification (Failure)" }, "subject \"delivery status notification\""],
    [{ text: CUSTOMER_TEXT, subject: "Mail delivery failed: returning message to sender" }, "subject \"mail delivery failed\""],
    [{ text: CUSTOMER_TEXT, subject: "Returned mail: see transcript for details" }, "subject \"returned mail\""],
    [{ text: CUSTOMER_TEXT, subject: "Undelivered Mail Returned to Sender" }, "subject \"undelivered mail returned to sender\""],
    [{ text: CUSTOMER_TEXT, subject: "Abwesenheitsnotiz: Ihre Bestellung" }, "subject \"abwesenheitsnotiz\""],
    [{ text: CUSTOMER_TEXT, subject: "Automatische Antwort: Ihre Bestellung" }, "subject \"automatische antwort\""],
    [{ text: CUSTOMER_TEXT, subject: "Réponse automatique : Votre commande" }, "subject \"reponse automatique\""],
    [{ text: CUSTOMER_TEXT, subject: "Respuesta automática: su pedido" }, "subject \"respuesta automatica\""],
    // the first line of the body as a heading (no subject known)
    [{ text: "Automatic reply: Your order\nI am away." }, "first line \"automatic reply\""],
    [{ text: "\n  Out of Office\n\nBack on Monday." }, "first line \"out of office\""],
    // autoresponder and bounce openings
    [
      { text: "I am currently out of the office until 3 June with limited access to email. I will respond upon my return." },
      "body: out-of-office template"
    ],
    [
      { text: "Thank you for your email. I am out of the office until Monday 12th. For urgent matters please contact sales." },
      "body: out-of-office template"
    ],
    [
      { text: "Hello,\n\nI'm on annual leave until 5 January. In my absence, please contact my colleague Sam." },
      "body: out-of-office template"
    ],
    [{ text: "Thanks for your message! I’m OOO until Tuesday with no access to email." }, "body: out-of-office template"],
    [
      { text: "Dear Sender, I will be away from the office from 1 to 14 August. Emails will not be read or forwarded." },
      "body: out-of-office template"
    ],
    [{ text: "This is an automatically generated message. Please do not reply." }, "body: automated-message notice"],
    [{ text: "This is an automated response to confirm that we got your email." }, "body: automated-message notice"],
    [{ text: "This email was sent automatically by our order system." }, "body: automated-message notice"],
    [{ text: "Delivery has failed to these recipients or groups:\njane@example.com" }, "body: delivery failure notice"],
    [
      { text: "This is the mail system at host mx.example.com.\n\nI'm sorry to have to inform you that your message could not be delivered" },
      "body: delivery failure notice"
    ],
    [{ text: "Your message to jane@example.com couldn't be delivered." }, "body: delivery failure notice"],
    [{ text: "** Address not found **\n\nYour message wasn't delivered to x@y.z" }, "body: delivery failure notice"],
    [
      { text: "We have received your request (#4521). This is an automated acknowledgement; please do not reply." },
      "body: autoresponder acknowledgement"
    ],
    // an Outlook HTML auto-reply, entities and all
    [{ text: "Thank you for your email. I&rsquo;m currently out of the office with limited access to e-mail." }, "body: out-of-office template"]
  ]
  for (const [input, evidence] of table) {
    it(`${JSON.stringify(input.subject ?? input.senderEmail ?? input.headers ?? input.text).slice(0, 90)}`, () => {
      expect(autoReplyEvidence(input)).toBe(evidence)
    })
  }
})

describe("genuine messages that look like auto-replies are read", () => {
  const genuine: ReadonlyArray<AutoReplyInput> = [
    // Customers use these words about parcels; real bounces come from mail daemons (a no-reply sender).
    { text: CUSTOMER_TEXT, subject: "Undeliverable: order #1001" },
    { text: "Undeliverable\nThe courier says my address is undeliverable, can you check it?" },
    { text: "Returned mail: the parcel came back to you, please send it again" },
    // An out-of-office opening and closing phrase, but about the customer's own business.
    { text: "I'm travelling until Friday, so please hold my parcel. If it is urgent, call me on my mobile." },
    { text: "We have received your email but your automated reply did not answer my question about the refund." },
    { text: "My parcel was marked undeliverable by the courier. If you don't refund me I will file a chargeback." },
    { text: "I was out of office when UPS came and they left no note. I am contacting my lawyer." },
    { text: "I am on vacation next week, can you hold my order?" },
    { text: "I was away when the courier came, can you redeliver?" },
    { text: "Is there an automatic reply when I order?" },
    { text: "Out of office yesterday when the parcel came, nobody signed. Where is it?" },
    { text: "I am out of the office until Monday, please hold the parcel at the depot." },
    { text: "Thank you for your email. I am away until the 10th, could you ship after that?" },
    { text: "I'm out of office on Friday - is urgent delivery available?" },
    { text: "I am currently on leave; my colleague will collect the parcel." },
    { text: "Hi, I'm travelling next month, can you deliver before the 5th?" },
    { text: "Your automated reply did not answer my question. Where is order #1234?" },
    { text: "This automated chatbot is useless, I want a human." },
    { text: "We have received your email but the refund still has not arrived." },
    { text: "I received an auto-reply from you but no answer. Delivery failed twice." },
    { text: "Mail delivery failed twice, the postman says my address does not exist." },
    { text: "Address not found by the courier, please help" },
    { text: "Delivery incomplete: two items missing!" },
    { text: "Message not delivered to my phone, please email me instead" },
    { text: "Auto parts order is missing a piece", subject: "Auto parts missing" },
    { text: "Auto: Ford Focus 2012\nThe brake pads you sent do not fit." },
    { text: "Sorry, that was my out of office. Where is my order?", subject: "Re: Automatic reply: Your order" },
    { text: "I typed my address wrong, please fix it", subject: "Undeliverable address?" },
    { text: "The box came open", subject: "Out of office when delivered" },
    { text: CUSTOMER_TEXT, subject: "Delivery failure again" },
    { text: CUSTOMER_TEXT, senderEmail: "mary.noreply@example.com" },
    { text: CUSTOMER_TEXT, senderEmail: "reply@example.com" },
    { text: CUSTOMER_TEXT, headers: { "auto-submitted": "no" } },
    { text: CUSTOMER_TEXT, headers: { precedence: "list", "x-mailer": "Outlook", from: "Jane <jane@x.example>" } },
    { text: CUSTOMER_TEXT, subject: "Automatic reply: your order", headers: { subject: "Re: Automatic reply: your order" } },
    { text: CUSTOMER_TEXT, headers: { "return-path": "<jane@x.example>" } },
    { text: "Please see below.\n\nAutomatic reply: I am out of the office with limited access to email." },
    { text: `${"I need help with my order. ".repeat(60)}I am currently out of the office with limited access to email.` },
    { text: "" }
  ]
  for (const input of genuine) {
    it(JSON.stringify(input).slice(0, 100), () => {
      expect(autoReplyEvidence(input)).toBeNull()
    })
  }
})

describe("isNoReplySender", () => {
  it("keeps the no-reply sender semantics", () => {
    for (const email of ["noreply@x.y", "no-reply@x.y", "no.reply@x.y", "donotreply@x.y", "do-not-reply@x.y", "mailer-daemon@x.y", "postmaster@x.y", "bounces+abc@x.y", "notifications@x.y"]) {
      expect([email, isNoReplySender(email)]).toEqual([email, true])
    }
    for (const email of [undefined, "", "jane@x.y", "replyall@x.y", "noreplyking@x.y", "post@x.y"]) {
      expect([email, isNoReplySender(email)]).toEqual([email, false])
    }
  })
})

describe("properties", () => {
  it("never throws and stays fast on any input", () => {
    fc.assert(
      fc.property(
        fc.string({ maxLength: 3000 }),
        fc.option(fc.string({ maxLength: 300 }), { nil: undefined }),
        fc.dictionary(fc.string({ maxLength: 30 }), fc.string({ maxLength: 100 })),
        (text, subject, headers) => {
          const result = autoReplyEvidence({ text, subject, headers })
          expect(result === null || typeof result === "string").toBe(true)
        }
      )
    )
    const start = performance.now()
    autoReplyEvidence({ text: "thanks for your email ".repeat(500), subject: "auto ".repeat(200) })
    autoReplyEvidence({ text: "dear ".repeat(1000) + "a".repeat(5000) })
    expect(performance.now() - start).toBeLessThan(500)
  })
})
