import { confusableSkeleton, partyIdentityKey } from './party-identity.ts';
import type { ReviewPolicy } from './review-policy.ts';

/**
 * Restricted-party screening against the trade.gov Consolidated Screening List (CSL), the pure part: the
 * matching form of a name, which list an entry belongs to, how a candidate is scored and what a match means for
 * a decision. PostgreSQL does the searching (pg_trgm over the matching form, accents folded by unaccent).
 */

const IGNORABLE = /[\p{Cf}\p{Default_Ignorable_Code_Point}]/gu;
const SEPARATORS = /[\p{P}\p{S}\p{Z}\p{White_Space}\p{Cc}]+/gu;

function caseFold(text: string): string {
  return text.toUpperCase().toLowerCase();
}

/**
 * The form pg_trgm compares: the party-identity steps (NFKC, invisible characters removed, case folded, TR39
 * confusable skeleton) but with punctuation turned into word breaks instead of removed, because trigrams work on
 * words. "Ｇulf-АI, L.L.C." (full-width G, Cyrillic А) becomes "gulf ai l l c". Recomposed (NFC) so that
 * PostgreSQL's unaccent sees whole accented letters.
 */
export function screeningMatchForm(name: string): string {
  const compatible = name.normalize('NFKC').replace(IGNORABLE, '');
  const skeleton = caseFold(confusableSkeleton(caseFold(compatible)));
  return skeleton.replace(SEPARATORS, ' ').trim().normalize('NFC');
}

/** The exact-match key: the party identity of src/domain/party-identity.ts. */
export const screeningIdentityKey = partyIdentityKey;

/** The lists of the CSL this service tells apart; each has its own reason code. */
export const SCREENING_LIST_CODES = ['EL', 'MEU', 'UVL', 'DPL', 'SDN', 'OTHER'] as const;
export type ScreeningListCode = (typeof SCREENING_LIST_CODES)[number];

/** Which list a CSL `source` names (the CSL spells them "Entity List (EL) - Bureau of Industry and Security"…). */
export function listCodeOf(source: string): ScreeningListCode {
  const s = source.toLowerCase();
  if (s.includes('entity list') || /\(el\)/.test(s)) return 'EL';
  if (s.includes('military end user') || /\(meu\)/.test(s)) return 'MEU';
  if (s.includes('unverified list') || /\(uvl\)/.test(s)) return 'UVL';
  if (s.includes('denied persons') || /\(dpl\)/.test(s)) return 'DPL';
  if (s.includes('specially designated nationals') || /\(sdn\)/.test(s)) return 'SDN';
  return 'OTHER';
}

export interface ScreeningThresholds {
  /** At or above: a hit. */
  hit: number;
  /** At or above (and below hit): a possible match that a person must look at. */
  review: number;
  /** Added when the party's country is one of the entry's. */
  countryBonus: number;
  /** Subtracted when both have countries and none agrees. */
  countryMismatchPenalty: number;
}

export const DEFAULT_SCREENING_THRESHOLDS: ScreeningThresholds = {
  hit: 0.9,
  review: 0.6,
  countryBonus: 0.1,
  countryMismatchPenalty: 0.15,
};

/**
 * The score of one candidate name: 1 for the same party identity, else the trigram similarity; country
 * agreement raises it, disagreement lowers it, so the same name in another country is a possible match rather
 * than a hit. Clamped to [0, 1] and rounded to 3 places.
 */
export function screeningScore(
  candidate: { exact: boolean; similarity: number; entryCountries: readonly string[] },
  partyCountries: readonly string[],
  thresholds: ScreeningThresholds,
): number {
  let score = candidate.exact ? 1 : candidate.similarity;
  if (partyCountries.length > 0 && candidate.entryCountries.length > 0) {
    const agrees = candidate.entryCountries.some((c) => partyCountries.includes(c));
    score += agrees ? thresholds.countryBonus : -thresholds.countryMismatchPenalty;
  }
  return Math.round(Math.min(1, Math.max(0, score)) * 1000) / 1000;
}

/**
 * The lowest trigram similarity a candidate name can have and still reach the review threshold: the review
 * threshold less the country bonus (the most a score can be raised), less half a thousandth because scores are
 * rounded to 3 places, less as much again for PostgreSQL's single-precision similarity. The search asks
 * PostgreSQL only for names from here up (pg_trgm.similarity_threshold) and for equal identity keys (which score
 * 1 whatever their similarity); every name below it scores under the review threshold, so none that could
 * matter is left out. Config keeps review minus bonus at 0.1 or more, so this stays above 0: pg_trgm's index
 * never returns a name that shares no trigram at all.
 */
export function candidateSimilarityFloor(thresholds: ScreeningThresholds): number {
  return Math.max(0, thresholds.review - thresholds.countryBonus - 0.001);
}

export type MatchKind = 'HIT' | 'POSSIBLE_MATCH';

export function matchKind(score: number, thresholds: ScreeningThresholds): MatchKind | null {
  if (score >= thresholds.hit) return 'HIT';
  if (score >= thresholds.review) return 'POSSIBLE_MATCH';
  return null;
}

/** The licence review policy an entry's `license_policy` text states; denial when it states none we know. */
export function reviewPolicyOf(licensePolicy: string | null): ReviewPolicy {
  const text = (licensePolicy ?? '').toLowerCase();
  if (text.includes('case-by-case') || text.includes('case by case')) return 'CASE_BY_CASE';
  if (text.includes('approval')) return 'PRESUMPTION_OF_APPROVAL';
  return 'PRESUMPTION_OF_DENIAL';
}

export type ScreenedParty = 'CONSIGNEE' | 'END_USER';

/** One match as a decision and POST /v1/screenings show it. */
export interface ScreeningMatch {
  party?: ScreenedParty;
  /** The party name that was screened. */
  partyName?: string;
  entryName: string;
  /** The listed name (or alternate name) that matched. */
  matchedName: string;
  source: string;
  list: ScreeningListCode;
  countries: string[];
  score: number;
  kind: MatchKind;
  licenseRequirement: string | null;
  licensePolicy: string | null;
  federalRegisterNotice: string | null;
  startDate: string | null;
}

/** What a decision screened against, and what it found. */
export interface ScreeningResult {
  listId: string | null;
  importedAt: string | null;
  matches: ScreeningMatch[];
}

/** One CSL entry as imported. */
export interface CslEntry {
  name: string;
  altNames: string[];
  countries: string[];
  source: string;
  listCode: ScreeningListCode;
  startDate: string | null;
  federalRegisterNotice: string | null;
  licenseRequirement: string | null;
  licensePolicy: string | null;
  remarks: string | null;
}

const MAX_TEXT = 4_000;

function optionalText(raw: Record<string, unknown>, key: string, problems: string[]): string | null {
  const value = raw[key];
  if (value === undefined || value === null || value === '') return null;
  if (typeof value !== 'string') {
    problems.push(`${key} must be a string`);
    return null;
  }
  return value.slice(0, MAX_TEXT);
}

/**
 * Validates one `results[]` element of a CSL file. A malformed entry is reported by the caller with its index and
 * skipped; it never aborts the import.
 */
export function parseCslEntry(raw: unknown): { entry: CslEntry } | { problem: string } {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return { problem: 'not an object' };
  const r = raw as Record<string, unknown>;
  const problems: string[] = [];
  const name = typeof r.name === 'string' ? r.name.trim() : '';
  if (name === '') problems.push('name is missing or empty');
  else if (screeningIdentityKey(name) === '') problems.push('name has no letters or digits');
  const source = typeof r.source === 'string' ? r.source.trim() : '';
  if (source === '') problems.push('source is missing or empty');
  let altNames: string[] = [];
  if (r.alt_names !== undefined && r.alt_names !== null) {
    if (!Array.isArray(r.alt_names) || r.alt_names.some((a) => typeof a !== 'string'))
      problems.push('alt_names must be an array of strings');
    else
      altNames = (r.alt_names as string[]).map((a) => a.trim()).filter((a) => screeningIdentityKey(a) !== '');
  }
  const countries = new Set<string>();
  if (r.addresses !== undefined && r.addresses !== null) {
    if (!Array.isArray(r.addresses)) problems.push('addresses must be an array');
    else
      for (const address of r.addresses) {
        const country = (address as { country?: unknown } | null)?.country;
        if (typeof country === 'string' && /^[A-Za-z]{2}$/.test(country.trim()))
          countries.add(country.trim().toUpperCase());
      }
  }
  const startDate = optionalText(r, 'start_date', problems);
  const federalRegisterNotice = optionalText(r, 'federal_register_notice', problems);
  const licenseRequirement = optionalText(r, 'license_requirement', problems);
  const licensePolicy = optionalText(r, 'license_policy', problems);
  const remarks = optionalText(r, 'remarks', problems);
  if (problems.length > 0) return { problem: problems.join('; ') };
  return {
    entry: {
      name: name.slice(0, MAX_TEXT),
      altNames: altNames.map((a) => a.slice(0, MAX_TEXT)),
      countries: [...countries].sort(),
      source,
      listCode: listCodeOf(source),
      startDate,
      federalRegisterNotice,
      licenseRequirement,
      licensePolicy,
      remarks,
    },
  };
}
