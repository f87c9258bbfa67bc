import type { CustomerContact } from "./OrderMatch.js"

/**
 * Who the customer says they are, for matching an order (spec §7.1: "the customer's email or phone — conversation
 * profile or the message"). The order-number question asks for the checkout email or phone, so the answer must
 * count. Nothing here is trusted alone: an order still needs its number AND one of these to match.
 */

const EMAIL = /[A-Z0-9._%+-]+@[A-Z0-9-]+(?:\.[A-Z0-9-]+)*\.[A-Z]{2,}/gi
/** Digit runs with the separators people type in phone numbers, not glued to letters or digits (`1Z999AA101…`). */
const PHONE_CANDIDATE = /(?<![\w+(])[+(]?\d[\d\s().-]{8,20}\d(?![\w])/g

/** 10–15 digits is a phone (E.164 allows 15); order numbers are shorter, tracking and card numbers longer. */
const isPhoneLength = (candidate: string) => {
  const digits = candidate.replace(/\D/g, "").length
  return digits >= 10 && digits <= 15
}

const unique = (values: ReadonlyArray<string>) => [...new Set(values.map((v) => v.trim()).filter((v) => v !== ""))]

export const emailsIn = (text: string): ReadonlyArray<string> => unique(text.match(EMAIL) ?? [])

export const phonesIn = (text: string): ReadonlyArray<string> =>
  unique((text.replace(EMAIL, " ").match(PHONE_CANDIDATE) ?? []).filter(isPhoneLength))

export const customerContact = (profile: {
  readonly email?: string | undefined
  readonly phone?: string | undefined
  readonly text: string
}): CustomerContact => ({
  emails: unique([...(profile.email === undefined ? [] : [profile.email]), ...emailsIn(profile.text)]),
  phones: unique([...(profile.phone === undefined ? [] : [profile.phone]), ...phonesIn(profile.text)])
})
