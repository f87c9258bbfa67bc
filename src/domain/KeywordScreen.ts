import { HandoverKinds, type HandoverKind, type RoutingConfig } from "./RoutingConfigSchema.js"
import { foldForScreening, type ScreeningText, screeningText } from "./ScreenText.js"
import { type IntentId, P0Intents } from "./Taxonomy.js"

/**
 * The Tier 0 keyword screen and the hand-over phrase screen (product spec §4.2, §4.4). They run before the model
 * and cannot be talked out of a hit, so they favour recall: false positives cost a human look, misses cost a
 * bot reply to a chargeback or a threat.
 *
 * Matching rules (applied to every configured keyword, so the lists stay short):
 * - text and keywords are both folded by ScreenText (HTML entities, invisible characters, accents, look-alike
 *   letters, case); every apostrophe is ', and one may be left out ("didnt");
 * - spaced-out letters are read joined ("c h a r g e b a c k"); inside such a run, whose word boundaries are lost,
 *   a keyword matches anywhere ("i w i l l s u e y o u");
 * - word-bounded at both ends of the phrase: "sue" never hits "issue", "pursue" or "suede";
 * - the words of a phrase may be separated by any run of spaces/punctuation, or by nothing ("charge back",
 *   "charge-back" and "chargeback" are one keyword);
 * - every word of 3+ letters also matches its simple inflections: +s/es/ed/ing, a final `e` dropped before
 *   -ed/-ing ("dispute" → disputes/disputed/disputing, "sue" → sues/sued/suing), and a doubled final consonant
 *   for short consonant-vowel-consonant words ("scam" → scammed). Irregular forms must be listed.
 * Consequence, accepted: "disputed delivery" is a chargeback hit (false positive, human review).
 */

export type HandoverSignal = HandoverKind

const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")

const APOSTROPHE = "['’]?"
const JOINER = "[^\\p{L}\\p{N}]*"
const BEFORE = "(?<![\\p{L}\\p{N}])"
const AFTER = "(?![\\p{L}\\p{N}])"

const literal = (s: string): string => escape(s).replace(/'/g, APOSTROPHE)

/** Function words are matched as written: "the" must not also mean "thing". */
const EXACT_WORDS = new Set(["the", "you", "your", "and", "for", "not", "our", "are", "was", "with", "this", "that", "all"])

/** One word of a keyword with its inflections (see the module comment). */
const wordSource = (word: string): string => {
  if (word.replace(/'/g, "").length < 3 || /\p{N}/u.test(word) || EXACT_WORDS.has(word)) return literal(word)
  if (word.endsWith("e")) return `${literal(word.slice(0, -1))}(?:e|es|ed|ing)`
  const doubled = /[^aeiou][aeiou][bdgklmnprt]$/.test(word) ? `${literal(word.at(-1)!)}?` : ""
  return `${literal(word)}(?:s|es|${doubled}ed|${doubled}ing)?`
}

/** The regex source of one keyword or phrase; empty when it has no letters or digits. */
export const keywordSource = (keyword: string): string =>
  foldForScreening(keyword)
    .split(/[^\p{L}\p{N}']+/u)
    .map((word) => word.replace(/^'+|'+$/g, ""))
    .filter((word) => word.length > 0)
    .map(wordSource)
    .join(JOINER)

const sourcesOf = (keywords: ReadonlyArray<string>): ReadonlyArray<string> =>
  keywords.map(keywordSource).filter((source) => source.length > 0)

/** One regex for a whole list; `null` for an empty list so callers skip it. */
export const compileKeywords = (keywords: ReadonlyArray<string>): RegExp | null => {
  const sources = sourcesOf(keywords)
  return sources.length === 0 ? null : new RegExp(`${BEFORE}(?:${sources.join("|")})${AFTER}`, "iu")
}

/** A list's word-bounded regex for whole readings, and an unbounded one for joined runs of spaced letters. */
interface Matcher {
  readonly bounded: RegExp
  readonly anywhere: RegExp
}

const matcher = (keywords: ReadonlyArray<string>): Matcher | null => {
  const bounded = compileKeywords(keywords)
  return bounded === null ? null : { bounded, anywhere: new RegExp(`(?:${sourcesOf(keywords).join("|")})`, "iu") }
}

const matches = (m: Matcher, text: ScreeningText): boolean =>
  text.readings.some((reading) => m.bounded.test(reading)) || text.runs.some((run) => m.anywhere.test(run))

interface Compiled {
  readonly tier0: ReadonlyArray<readonly [IntentId, Matcher]>
  readonly handover: ReadonlyArray<readonly [HandoverKind, Matcher]>
}

const pairs = <K extends string>(keys: ReadonlyArray<K>, lists: Readonly<Record<K, ReadonlyArray<string>>>) =>
  keys.flatMap((key) => {
    const compiledList = matcher(lists[key])
    return compiledList === null ? [] : [[key, compiledList] as const]
  })

/** A config is immutable once loaded; compile its lists once, not per message. */
const cache = new WeakMap<RoutingConfig, Compiled>()

const compiled = (config: RoutingConfig): Compiled => {
  const hit = cache.get(config)
  if (hit !== undefined) return hit
  const fresh: Compiled = {
    tier0: pairs(P0Intents, config.tier0_keywords),
    handover: pairs(HandoverKinds, config.handover_keywords)
  }
  cache.set(config, fresh)
  return fresh
}

/** Each message is screened twice in a row (Tier 0, then hand-over): fold it once. */
let lastScreened: { readonly text: string; readonly screened: ScreeningText } | undefined
const screenable = (text: string): ScreeningText => {
  if (lastScreened?.text !== text) lastScreened = { text, screened: screeningText(text) }
  return lastScreened.screened
}

/** The P0 intents whose keywords appear in `text`, in taxonomy order (chargeback, legal, harassment, fraud). */
export const screenTier0 = (text: string, config: RoutingConfig): ReadonlyArray<IntentId> => {
  const screened = screenable(text)
  return compiled(config).tier0.filter(([, m]) => matches(m, screened)).map(([intent]) => intent)
}

/** The hand-over signals whose phrases appear in `text`, in config order. */
export const screenHandover = (text: string, config: RoutingConfig): ReadonlyArray<HandoverSignal> => {
  const screened = screenable(text)
  return compiled(config).handover.filter(([, m]) => matches(m, screened)).map(([kind]) => kind)
}
