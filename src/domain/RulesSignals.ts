import type { ClassifierOutput } from "./Classification.js"
import type { RiskFlag } from "./Taxonomy.js"

/**
 * The rules classifier's non-intent signals: language, sentiment, urgency, the hand-over flags and the order
 * number. Word lists, not models: they only need to be right often enough to route safely when OpenAI is
 * unavailable, and to err towards a human (negative sentiment, flags) rather than away from one.
 * All functions take text already lower-cased and whitespace-collapsed, except where noted.
 */
const words = (text: string) => text.match(/[a-záéíóúñü']+/g) ?? []

const EN = new Set(["the", "and", "my", "is", "to", "i", "you", "it", "of", "for", "with", "have", "was", "not", "this",
  "that", "me", "what", "where", "how", "can", "please", "would", "do", "did", "are", "on", "in", "your", "when", "want",
  "about", "need", "help", "from", "at", "be", "an", "if", "there", "will", "get", "i'm", "can't", "don't"])
const ES = new Set(["el", "la", "los", "las", "de", "del", "que", "y", "mi", "mis", "por", "para", "es", "con", "un",
  "una", "se", "lo", "como", "pero", "dónde", "donde", "cuándo", "cuando", "pedido", "hola", "gracias", "quiero",
  "está", "tengo", "su", "cuenta", "necesito", "todavía"])
/** Frequent words of other European languages that are neither English nor Spanish words. */
const OTHER = new Set(["je", "vous", "mon", "ma", "pas", "avec", "est", "et", "les", "des", "une", "merci", "commande",
  "ich", "und", "ist", "nicht", "mein", "meine", "bitte", "mit", "der", "die", "das", "bestellung", "danke",
  "você", "meu", "minha", "não", "obrigado", "il", "che", "non", "sono", "mio", "grazie", "ordine", "het", "een", "niet"])

export const guessLanguage = (text: string): ClassifierOutput["language"] => {
  const all = words(text)
  const count = (set: ReadonlySet<string>) => all.filter((w) => set.has(w)).length
  const [en, es, other] = [count(EN), count(ES), count(OTHER)]
  // Letters of a non-Latin script (Cyrillic, Greek, Arabic, CJK…) are another language whatever else is there.
  if (/[\u0370-\u03ff\u0400-\u04ff\u0590-\u06ff\u0e00-\u0e7f\u3040-\u30ff\u4e00-\u9fff\uac00-\ud7af]/.test(text)) return "other"
  if (other > en && other > es) return "other"
  if (en > es) return "en"
  if (es > en) return "es"
  return "unknown" // no known words, or a tie: too little to tell
}

const STRONG_ANGER = /\b(f+u+c+k\w*|shit\w*|bullshit|wtf|scam\w*|unacceptable|ridiculous|disgust\w*|furious|pathetic|worst|incompetent|rip(ped)?[- ]off|fed up|sick of)\b/g
const MILD_ANGER = /\b((god)?damn\w*|hell|bloody|crap\w*|disappoint\w*|frustrat\w*|annoy\w*|upset|terrible|awful|horrible|angry|useless|still (no|not|haven'?t|hasn'?t)|nobody|no one|unhappy|dissatisfied|not (happy|satisfied|pleased))\b|!{2,}/g
const POSITIVE = /\b(thanks?|thank you|great|love|awesome|amazing|appreciate\w*|perfect|happy|wonderful)\b/

/** `original` is the un-lowered text, for shouting in capitals. */
export const guessSentiment = (text: string, original: string): ClassifierOutput["sentiment"] => {
  const strong = text.match(STRONG_ANGER)?.length ?? 0
  const shouting = (original.match(/\b[A-Z]{3,}\b/g) ?? []).filter((w) => !/^(USA|UPS|DHL|USPS|FEDEX|ETA|ASAP|SKU|ID)$/.test(w)).length >= 3
  const mild = (text.match(MILD_ANGER)?.length ?? 0) + (shouting ? 1 : 0)
  if (strong > 0 || mild >= 2) return "very_negative"
  if (mild === 1) return "negative"
  return POSITIVE.test(text) ? "positive" : "neutral"
}

const URGENT = /\b(urgent\w*|asap|a\.s\.a\.p|as soon as possible|immediately|emergency|right (now|away)|time[- ]sensitive|today|tonight)\b|!{3,}/
const RELAXED = /\b(no rush|no hurry|whenever|when you (get a chance|can)|just (wondering|curious))\b/

export const guessUrgency = (text: string, tier0: boolean): ClassifierOutput["urgency"] =>
  tier0 || URGENT.test(text) ? "high" : RELAXED.test(text) ? "low" : "normal"

const PERSON = "(?:real |live |actual |human |customer service |customer support |support )?(?:human|person|people|agent|representative|rep|someone|somebody|manager|supervisor|operator|assistant)"

/** Hand-over flags that are not intents (product spec §4.4). P0 flags come from the P0 intents' patterns. */
export const HAND_OVER_PATTERNS: ReadonlyArray<readonly [RiskFlag, RegExp]> = [
  // One free word before the person ("a real person", "a damn agent").
  ["HUMAN_REQUESTED", new RegExp(`\\b(speak|talk|chat|connect|transfer|put)\\w*\\s+(to|with|me to|me with|me through to)\\s+(an? |some |the |your )?([a-z]+ )?${PERSON}\\b`)],
  ["HUMAN_REQUESTED", new RegExp(`\\b(contact|reach|get hold of)\\w*\\s+(an? |some |the |your )?([a-z]+ )?${PERSON}\\b`)],
  ["HUMAN_REQUESTED", /\b(live|human|real) (agent|person|human|representative|rep|operator)\b|\bnot (a|an|this) (bot|robot|ai)\b|\b(human|person|agent),? please\b/],
  ["PRIVACY_REQUEST", /\b(delete|erase|remove|wipe)\s+(all\s+)?(of\s+)?my\s+(personal\s+)?(data|information|info|details)\b|\bwhat\s+(personal\s+)?(data|info|information)\s+do\s+you\s+(have|hold|keep|store)\b/],
  ["PRIVACY_REQUEST", /\b(gdpr|ccpa|dsar|right to be forgotten|data (access|deletion|subject) request|(copy|export) of (all )?my (personal )?data)\b/],
  ["SECURITY_SENSITIVE", /\b(system prompt|your (prompt|instructions)|api ?keys?|admin (password|access|panel)|other customers?'?s? (data|orders?|info\w*|details|addresses|emails?))\b/],
  ["SECURITY_SENSITIVE", /\b(ignore|forget|disregard)\s+(all\s+|your\s+|the\s+|any\s+)?(previous\s+|prior\s+)?(instructions|rules|prompt)\b|(?<!operating )\bsystem\s*:/]
]

export const handOverFlags = (text: string): ReadonlyArray<RiskFlag> => [
  ...new Set(HAND_OVER_PATTERNS.filter(([, pattern]) => pattern.test(text)).map(([flag]) => flag))
]

const ORDER_AFTER_WORD = /\b(?:order|purchase|pedido)\s*(?:number|num|no\.?|nr\.?|id)?\s*(?:is\s*)?[:#]?\s*#?(\d{4,})\b/
/** Invoice, ticket and case numbers are written the same way but are not orders. */
const HASHED = /(?<!\b(?:bill|invoice|receipt|ticket|case|ref)\s*)(?<![\w#])#(\d{4,})\b/
const BARE_LONG = /(?<![\w$€£#.,])(\d{5,})(?![\w.,]?\d)/

/**
 * A first, deliberately simple order-number extraction: a number after "order"/"purchase", else `#1234`, else a
 * bare run of 5+ digits (4-digit bare numbers are too often years or prices). Digits only, without the `#`.
 */
export const extractOrderNumber = (text: string): string | null =>
  ORDER_AFTER_WORD.exec(text)?.[1] ?? HASHED.exec(text)?.[1] ?? BARE_LONG.exec(text)?.[1] ?? null
