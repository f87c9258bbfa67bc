import { type CustomerContact, sameEmail, samePhone } from "./OrderMatch.js"

/**
 * Who the customer is, for matching an order (spec §7.1: "the customer's email or phone — conversation profile or
 * the message"). Nothing here is trusted alone: an order still needs its number AND this contact to match.
 *
 * The contact is at most one email and one phone, so one message can never try a list of contacts against an
 * order (a stranger pasting 300 addresses must not get the owner's tracking):
 * - the ticket's profile (the ticket's, else the webhook's, email or phone) when it has one: Richpanel knows who
 *   wrote, while anyone can type anyone's address, so the message then adds nothing;
 * - otherwise an email or phone the message holds alone of its kind: the answer to our question for the checkout
 *   email or phone. Two different emails give no email (and two phones no phone): which one is theirs is a guess.
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

/**
 * The one value the list holds, written any number of times in any spelling; nothing when it holds two. Pairwise,
 * because phone sameness is not transitive: `07700 900123` is the same as both `+44 7700 900123` and
 * `+1 770 090 0123`, which are two numbers.
 */
const onlyOne = (values: ReadonlyArray<string>, same: (a: string, b: string) => boolean): string | undefined => {
  const [first] = values
  return first !== undefined && values.every((a) => values.every((b) => same(a, b))) ? first : undefined
}

const present = (value: string | undefined): value is string => value !== undefined && value.trim() !== ""

const contactOf = (email: string | undefined, phone: string | undefined): CustomerContact => ({
  ...(email === undefined ? {} : { email: email.trim() }),
  ...(phone === undefined ? {} : { phone: phone.trim() })
})

export const customerContact = (profile: {
  readonly email?: string | undefined
  readonly phone?: string | undefined
  readonly text: string
}): CustomerContact => {
  const email = present(profile.email) ? profile.email : undefined
  const phone = present(profile.phone) ? profile.phone : undefined
  if (email !== undefined || phone !== undefined) return contactOf(email, phone)
  return contactOf(onlyOne(emailsIn(profile.text), sameEmail), onlyOne(phonesIn(profile.text), samePhone))
}
