import { describe, expect, it } from "@effect/vitest"
import fc from "fast-check"
import { confusableToLatin } from "../../src/domain/Confusables.js"
import { decodeEntities, foldForScreening, joinSpacedLetters, screeningText, spacedRuns } from "../../src/domain/ScreenText.js"

describe("decodeEntities", () => {
  const table: ReadonlyArray<readonly [string, string]> = [
    ["I didn&rsquo;t authorize", "I didn\u2019t authorize"],
    ["wait&hellip; &ldquo;what&rdquo;", "wait\u2026 \u201cwhat\u201d"],
    ["caf&eacute; &euro;5 &mdash; ok", "caf\u00e9 \u20ac5 \u2014 ok"],
    ["a&nbsp;b", "a\u00a0b"],
    ["c&ZeroWidthSpace;h&shy;a&NoBreak;r", "c\u200bh\u00ada\u2060r"],
    ["&#8203;&#x200B;&#X200b;", "\u200b\u200b\u200b"],
    ["it&#146;s", "it\u2019s"], // Windows-1252 numeric reference, as browsers show it
    ["&lt;b&gt; &amp; &quot;x&quot; &apos;y&apos;", "<b> & \"x\" 'y'"],
    ["AT&T and a&b", "AT&T and a&b"],
    ["&unknownentity; stays", "&unknownentity; stays"],
    ["&#0; &#xD800; &#1114112;", "\ufffd \ufffd \ufffd"],
    ["no entities at all", "no entities at all"]
  ]
  for (const [input, expected] of table) {
    it(JSON.stringify(input), () => expect(decodeEntities(input)).toBe(expected))
  }
})

describe("foldForScreening", () => {
  const table: ReadonlyArray<readonly [string, string, string]> = [
    ["Outlook's curly apostrophe as an entity", "I didn&rsquo;t authorize this", "i didn't authorize this"],
    ["numeric apostrophe", "you&#8217;ll regret it", "you'll regret it"],
    ["Windows-1252 apostrophe", "you&#146;ll regret it", "you'll regret it"],
    ["other apostrophes", "didn\u02bct didn`t didn\u00b4t didn\u2032t", "didn't didn't didn't didn't"],
    ["zero-width space", "charge\u200bback", "chargeback"],
    ["zero-width space entity", "c&#8203;h&#x200b;argeback", "chargeback"],
    ["named zero-width entity", "charge&ZeroWidthSpace;back", "chargeback"],
    ["soft hyphen", "char\u00adge&shy;back", "chargeback"],
    ["joiners, word joiner, BOM", "c\u200ch\u200da\u2060r\ufeffgeback", "chargeback"],
    ["bidi controls", "\u202echargeback\u202c \u2066fraud\u2069", "chargeback fraud"],
    ["variation selectors and tag characters", "frau\ufe0fd\u{e0041}", "fraud"],
    ["Cyrillic look-alikes", "\u0441h\u0430rg\u0435b\u0430\u0441k", "chargeback"],
    ["Cyrillic capitals", "\u0421\u041d\u0410RGE\u0412\u0410\u0421\u041a", "chargeback"],
    ["Greek look-alikes", "\u03bfut \u03bff \u03bfffice, fr\u03b1ud", "out of office, fraud"],
    ["Greek capital iota reads as I", "\u0399 know where you live", "i know where you live"],
    ["Cyrillic і and Armenian look-alikes", "d\u0456dn't \u0430\u057dth\u0585r\u0456z\u0435", "didn't authorize"],
    ["small capitals", "\u1d04\u029c\u1d00\u0280\u0262\u1d07\u0299\u1d00\u1d04\u1d0b", "chargeback"],
    ["fullwidth", "\uff43\uff48\uff41\uff52\uff47\uff45\uff42\uff41\uff43\uff4b", "chargeback"],
    ["mathematical bold", "\u{1d41c}\u{1d421}\u{1d41a}\u{1d42b}\u{1d420}\u{1d41e}\u{1d41b}\u{1d41a}\u{1d41c}\u{1d424}", "chargeback"],
    ["accents and stacked marks", "ch\u00e1rg\u00e9b\u0101ck fr\u0061\u0336\u0338ud", "chargeback fraud"],
    ["ligature", "\ufb01le a chargeback", "file a chargeback"],
    ["case", "CHARGEBACK", "chargeback"],
    ["ordinary text is only lower-cased", "I want a refund for order #1234.", "i want a refund for order #1234."]
  ]
  for (const [name, input, expected] of table) {
    it(name, () => expect(foldForScreening(input)).toBe(expected))
  }

  it("leaves no invisible character or combining mark behind", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 200 }), (text) => {
        expect(foldForScreening(text)).not.toMatch(/[\p{Default_Ignorable_Code_Point}\p{Cf}\p{Mn}\p{Me}]/u)
      })
    )
  })
})

describe("joinSpacedLetters", () => {
  const table: ReadonlyArray<readonly [string, string]> = [
    ["c h a r g e b a c k", "chargeback"],
    ["c.h.a.r.g.e.b.a.c.k.", "chargeback."],
    ["c-h-a-r-g-e-b-a-c-k", "chargeback"],
    ["c _ h _ a _ r _ g _ e", "charge"],
    ["I will file a c h a r g e b a c k now", "I will file achargeback now"], // see spacedRuns
    ["charge b a c k", "charge back"],
    ["s u e  y o u", "sue you"],
    ["y o u ' l l  r e g r e t", "youll regret"],
    // unchanged: single letters that are not a run of three
    ["I want a refund", "I want a refund"],
    ["a b testing", "a b testing"],
    ["plan A or B", "plan A or B"],
    ["issue with my order", "issue with my order"],
    ["x  y", "x  y"],
    ["a     b     c", "a     b     c"] // too far apart to be one word
  ]
  for (const [input, expected] of table) {
    it(JSON.stringify(input), () => expect(joinSpacedLetters(input)).toBe(expected))
  }
})

describe("spacedRuns", () => {
  it("joins each run of spaced letters with no gap at all", () => {
    expect(spacedRuns("so i w i l l  s u e  y o u with a c h a r g e b a c k, ok?")).toEqual(["iwillsueyou", "achargeback"])
  })

  it("finds none in ordinary text", () => {
    expect(spacedRuns("I want a refund; a b testing; plan A or B")).toEqual([])
  })
})

describe("screeningText", () => {
  it("is one reading and no run for ordinary text", () => {
    expect(screeningText("Where is my order?")).toEqual({ readings: ["where is my order?"], runs: [] })
  })

  it("keeps the plain reading next to the joined one", () => {
    expect(screeningText("a b c sue")).toEqual({ readings: ["a b c sue", "abc sue"], runs: ["abc"] })
  })

  it("reads an invisible character both as nothing and as a space", () => {
    expect(screeningText("I will sue\u200byou").readings).toEqual(["i will sue\u200byou", "i will sueyou", "i will sue you"])
  })

  it("keeps the light (NFKC-only) reading, where a symbol or mark still separates words", () => {
    expect(screeningText("5\u00a2sue").readings).toEqual(["5\u00a2sue", "5csue"])
  })

  it("stays fast on adversarial input", () => {
    const inputs = ["a ".repeat(4000), "a.".repeat(4000) + "ab", "&".repeat(8000), "&#".repeat(4000), "\u200b".repeat(8000)]
    const start = performance.now()
    for (const input of inputs) screeningText(input)
    expect(performance.now() - start).toBeLessThan(1000)
  })
})

describe("the look-alike table", () => {
  it("maps non-ASCII characters that survive the other folds to one ASCII letter or an apostrophe", () => {
    expect(confusableToLatin.size).toBeGreaterThan(300)
    for (const [char, latin] of confusableToLatin) {
      expect([char, char.codePointAt(0)! > 0x7f]).toEqual([char, true])
      expect([char, char.normalize("NFKD")]).toEqual([char, char])
      expect([char, latin]).toEqual([char, expect.stringMatching(/^[a-z']$/)])
    }
  })

  it("covers the Cyrillic and Greek letters used to disguise Latin", () => {
    const expected: Record<string, string> = {
      "\u0430": "a", "\u0441": "c", "\u0435": "e", "\u043e": "o", "\u0440": "p", "\u0445": "x", "\u0443": "y",
      "\u0455": "s", "\u0456": "i", "\u0458": "j", "\u04bb": "h", "\u0501": "d", "\u051b": "q", "\u051d": "w",
      "\u03b1": "a", "\u03bf": "o", "\u03c1": "p", "\u03bd": "v", "\u03b9": "i", "\u0391": "a", "\u0397": "h"
    }
    for (const [char, latin] of Object.entries(expected)) expect([char, confusableToLatin.get(char)]).toEqual([char, latin])
  })
})
