import { decodeHTML } from "entities"
import { confusableToLatin } from "./Confusables.js"

/**
 * Text as the keyword screens must see it (product spec §4.2: misses are not acceptable). Customers' mail
 * clients, and now and then customers themselves, hide words from a plain regex: Outlook writes `didn&rsquo;t`,
 * copy-paste leaves zero-width spaces and soft hyphens inside words, homograph tricks swap in Cyrillic or Greek
 * letters, and "c h a r g e b a c k" is spaced out. The folding is for matching only: the model and the humans
 * see the message as written (with its entities decoded by `decodeEntities`, which htmlToText shares).
 */

/**
 * Every HTML entity, named (the full HTML5 set, including the legacy ones without `;`) or numeric, decoded the
 * way a browser shows the text (`&#146;` is Windows-1252's ’, as browsers render it).
 */
export const decodeEntities = (text: string): string => (text.includes("&") ? decodeHTML(text) : text)

/** Zero-width spaces and joiners, soft hyphens, bidi controls, variation selectors, tag characters… */
const INVISIBLE = /[\p{Default_Ignorable_Code_Point}\p{Cf}]/gu
const HAS_INVISIBLE = new RegExp(INVISIBLE.source, "u") // no `g`: `test` must not carry `lastIndex` over
/** Accents and other combining marks, once NFKD has split them off ("chárgébáck", "z̷a̷l̷g̷o̷"). */
const MARKS = /[\p{Mn}\p{Me}]/gu
/** Apostrophes NFKD would turn into a space plus a mark (´) or that are plain ASCII (`). */
const APOSTROPHE_LIKE = /[`\u00b4]/g

/** One character class of every look-alike (all non-ASCII, so nothing in it needs escaping): a fast scan. */
const CONFUSABLE = new RegExp(`[${[...confusableToLatin.keys()].join("")}]`, "gu")
const toLatin = (text: string): string => text.replace(CONFUSABLE, (char) => confusableToLatin.get(char) ?? char)

/** Entities decoded (twice, for text that was escaped twice) and the apostrophes NFKD would break apart. */
const decoded = (text: string): string => decodeEntities(decodeEntities(text)).replace(APOSTROPHE_LIKE, "'")

/**
 * Decoded text, lower-cased, invisible characters replaced by `invisible`, NFKD compatibility forms (fullwidth,
 * 𝐛𝐨𝐥𝐝, ligatures), accents removed, look-alike letters and apostrophes folded to ASCII.
 */
const fold = (text: string, invisible: string): string =>
  toLatin(text.replace(INVISIBLE, invisible).normalize("NFKD").replace(MARKS, "").normalize("NFC")).toLowerCase()

/** The folded text: invisible characters are dropped, so "charge\u200Bback" reads "chargeback". */
export const foldForScreening = (text: string): string => fold(decoded(text), "")

/**
 * A run of three or more single letters, each separated by one to three non-letters: "c h a r g e", "c.h.a.r",
 * "s-u-e". The letter and gap classes are disjoint, so the match is linear (no backtracking blow-up).
 */
const SPACED_RUN = /(?<![\p{L}\p{N}])\p{L}(?:[^\p{L}\p{N}]{1,3}\p{L}(?![\p{L}\p{N}])){2,}/gu
const GAP = /[^\p{L}\p{N}]+/gu
/** Two or more blanks inside a spaced run separate words: "s u e  y o u" → "sue you". */
const WORD_GAP = /\s\s/

/**
 * Joins spaced- or dotted-out letters into words; ordinary text ("I want a refund", "a b testing") is unchanged.
 * A real one-letter word next to a run joins it too ("a c h a r g e b a c k" → "achargeback"): hence `runs`.
 */
export const joinSpacedLetters = (text: string): string =>
  text.replace(SPACED_RUN, (run) => run.replace(GAP, (gap) => (WORD_GAP.test(gap) ? " " : "")))

/** Each spaced-out run with every gap removed: "i w i l l s u e y o u" → "iwillsueyou". */
export const spacedRuns = (text: string): ReadonlyArray<string> =>
  Array.from(text.matchAll(SPACED_RUN), ([run]) => run.replace(GAP, ""))

export interface ScreeningText {
  /** Readings of the whole text, to match with word boundaries; a keyword found in any one is a hit. */
  readonly readings: ReadonlyArray<string>
  /**
   * The spaced-out letter runs, joined: their word boundaries are gone ("iwillsueyou", "achargeback"), so a
   * keyword anywhere inside one is a hit. Empty for ordinary text.
   */
  readonly runs: ReadonlyArray<string>
}

/**
 * What a keyword screen should test. Dropping an invisible character joins a split word ("c\u200Bhargeback"),
 * reading it as a space keeps two words apart ("sue\u200Byou"), and joining spaced letters must never hide a
 * word the plain reading had ("a b c sue") — so every reading is kept. The light reading (NFKC only) is the
 * text as the screen read it before folding: a mark or symbol the full fold turns into a letter ("¢", "x\u0301")
 * must not glue a keyword to its neighbour and lose a hit. Usually they all coincide and there is one.
 */
export const screeningText = (text: string): ScreeningText => {
  const light = text.normalize("NFKC").replace(/\u2019/g, "'").toLowerCase()
  const plain = decoded(text)
  const dropped = fold(plain, "")
  const spaced = HAS_INVISIBLE.test(plain) ? fold(plain, " ") : dropped
  const folded = [...new Set([dropped, spaced])]
  return {
    readings: [...new Set([light, ...folded, ...folded.map(joinSpacedLetters)])],
    runs: [...new Set(folded.flatMap(spacedRuns))]
  }
}
