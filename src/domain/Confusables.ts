/**
 * Look-alikes of Latin letters (and of the apostrophe), for the keyword screen only: "сhаrgеbасk" written with
 * Cyrillic с, а, е must still read as "chargeback".
 *
 * Derived from Unicode's confusables.txt (UTS #39, 14.0): every BMP character whose prototype — followed through
 * the table, after NFKD and with combining marks removed — is a single Latin letter or an apostrophe. Left out:
 * ASCII itself (no leetspeak: digits stay digits), what NFKD already folds (fullwidth and mathematical letters),
 * and scripts people write in rather than disguise Latin with (Hebrew, Arabic, Indic, Thai, Georgian, Ethiopic,
 * runes, CJK). A capital confusable with "l" whose lowercase reads as "i" (Greek Ι, Cyrillic І) maps to "i", so
 * "І know where you live" keeps its "I"; a capital with no look-alike of its own takes its lowercase's letter.
 * Added: the Latin small capitals the file does not list (ᴀ, ʙ, ɢ, ᴋ…), which "fancy text" generators use.
 */
const LOOK_ALIKES: Readonly<Record<string, string>> = {
  "'":
    "\u02b9\u02bb\u02bc\u02bd\u02be\u02c8\u02ca\u02cb\u02f4\u055a\u055d\u144a\u2018\u2019\u201b\u2032" +
    "\u2035\ua78b\ua78c",
  a: "\u0251\u0391\u03b1\u0410\u0430\u13aa\u15c5\u1d00\u2376\u237a\u2c6d\ua4ee",
  b:
    "\u0180\u0181\u0182\u0183\u0184\u0243\u0253\u0299\u0392\u0411\u0412\u042c\u0462\u0463\u048c\u048d" +
    "\u13cf\u13f4\u1472\u1473\u15af\u15f7\ua4d0\ua7b4",
  c: "\u00a2\u023b\u023c\u0421\u0441\u04aa\u04ab\u13df\u1d04\u20a1\u2ca4\u2ca5\ua4da\uabaf",
  d:
    "\u00d0\u0110\u0111\u0189\u018a\u018b\u018c\u0256\u0257\u0500\u0501\u13a0\u13e7\u146f\u15de\u15ea" +
    "\u1d05\u20ab\ua4d2\ua4d3",
  e: "\u0246\u0247\u0395\u0415\u0435\u04bc\u04bd\u04be\u04bf\u13ac\u1d07\u212e\u22ff\ua4f0\uab32",
  f: "\u0191\u0192\u03dc\u0554\u0584\u15b4\u1d6e\u1e9d\ua4dd\ua730\ua798\ua799\uab35",
  g: "\u018d\u0193\u01e4\u01e5\u0260\u0261\u0262\u050c\u0551\u0581\u13c0\u13f3\u1d83\ua4d6\ua7ac",
  h:
    "\u0126\u0127\u0266\u029c\u0397\u040b\u041d\u045b\u04a2\u04ba\u04bb\u04c7\u04c9\u0540\u0570\u13bb" +
    "\u13c2\u13f2\u157c\u2c67\u2c8e\ua4e7\ua694\ua695\ua7aa",
  i:
    "\u0131\u0196\u0197\u0268\u0269\u026a\u0399\u03b9\u0406\u0456\u04c0\u04cf\u13a5\u1d7b\u1d7c\u2373" +
    "\u2378\ua646\ua647\ua7ae\uab75",
  j: "\u0248\u0249\u037f\u03f3\u0408\u0458\u13ab\u148d\u1d0a\ua4d9\ua7b2",
  k: "\u0198\u0199\u039a\u041a\u049a\u049e\u13e6\u1d0b\u20ad\u2c69\u2c94\ua4d7\ua740",
  l:
    "\u0141\u0142\u019a\u01c0\u023d\u026b\u026d\u029f\u13de\u14aa\u2223\u23fd\u2c62\u2c92\u2cd0\ua4e1" +
    "\ua4f2",
  m: "\u039c\u03fa\u041c\u04cd\u13b7\u15f0\u1d0d\u2c98\ua4df",
  n: "\u019d\u019e\u0220\u0273\u0274\u039d\u03b7\u0548\u054c\u0578\u057c\u1d70\u2c9a\ua4e0",
  o:
    "\u00d8\u00f8\u019f\u0275\u0398\u039f\u03a3\u03b8\u03bf\u03c3\u041e\u043e\u0472\u0473\u04e8\u04e9" +
    "\u0555\u0585\u13a4\u13be\u13eb\u1cbf\u1d0f\u1d11\u2296\u229d\u236c\u2c9e\u2c9f\ua4f3\ua74a\ua74b" +
    "\uab3d\uab3e\uab74\uab8e\uabbb",
  p: "\u01a4\u01a5\u03a1\u03c1\u0420\u0440\u13e2\u146d\u1d18\u1d7d\u2374\u2c63\u2ca2\u2ca3\ua4d1",
  q: "\u02a0\u051a\u051b\u0533\u0536\u0563\u0566\ua7af",
  r:
    "\u01a6\u024c\u024d\u027c\u027d\u0280\u0413\u0433\u0492\u0493\u13a1\u13b1\u13d2\u1587\u1d26\u1d72" +
    "\u2c64\u2c84\u2c85\ua4e3\uab47\uab48\uab81",
  s: "\u01bc\u01bd\u0282\u0405\u0455\u054f\u13d5\u13da\u1d74\ua4e2\ua731\ua7c5\uabaa",
  t:
    "\u0166\u0167\u01ac\u01ad\u01ae\u023e\u03a4\u0422\u04ac\u13a2\u1d1b\u1d75\u20ae\u22a4\u2361\u27d9" +
    "\u2ca6\ua4d4",
  u:
    "\u01b2\u0244\u028b\u03c5\u054d\u057d\u13cc\u144c\u1d1c\u1d7e\u222a\u22c3\ua4f4\ua79e\ua79f\uab4e" +
    "\uab52\uab9c",
  v: "\u03bd\u0474\u0475\u13d9\u142f\u1d20\u2228\u22c1\ua4e6\ua6df\uaba9",
  w:
    "\u019c\u026f\u0460\u0461\u047c\u047d\u051c\u051d\u0531\u0561\u13b3\u13d4\u1d21\u20a9\ua4ea\ua760" +
    "\ua761\uab83",
  x:
    "\u00d7\u03a7\u0425\u0445\u04b2\u1541\u157d\u166d\u166e\u2573\u292b\u292c\u2a2f\u2a30\u2cac\ua4eb" +
    "\ua7b3",
  y:
    "\u00a5\u0194\u01b3\u01b4\u024e\u024f\u0263\u028f\u0393\u03a5\u03b3\u0423\u0443\u04ae\u04af\u04b0" +
    "\u04b1\u13a9\u13bd\u1ca7\u1d8c\u1efe\u1eff\u2ca8\ua4ec\uab5a",
  z: "\u01b5\u01b6\u0224\u0225\u0290\u0396\u13c3\u1d22\u1d76\ua4dc\uab93"
}

/**
 * Lowercase Cyrillic and Greek letters that look like Latin ones in most fonts but that confusables.txt maps to
 * something else (к to kra, т to a small-capital T…): the letters a Russian or Greek keyboard types for a disguise.
 */
const KEYBOARD_LOOK_ALIKES: Readonly<Record<string, string>> = {
  b: "вьβ", // в ь β
  e: "ε", // ε
  h: "н", // н
  k: "кκ", // к κ
  m: "м", // м
  n: "пπ", // п π
  t: "тτ", // т τ
  u: "μ", // μ
  w: "шω", // ш ω
  x: "χ" // χ
}

/** One character → its lowercase Latin letter or `'`. */
export const confusableToLatin: ReadonlyMap<string, string> = new Map(
  [LOOK_ALIKES, KEYBOARD_LOOK_ALIKES].flatMap((table) =>
    Object.entries(table).flatMap(([latin, chars]) => Array.from(chars, (char) => [char, latin] as const))
  )
)
