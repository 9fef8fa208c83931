import { isD5OrMacauOn, normaliseCountryCode, type GroupQueryOptions } from './country-groups.ts';
import type { IsoDate } from './dates.ts';
import type { Tier } from './types.ts';

/** Supplement No. 5 to part 740, paragraph (a), as added by 90 FR 4544: the United States and 18 partners. */
// prettier-ignore
export const TIER1_CODES: readonly string[] = [
  'US', 'AU', 'BE', 'CA', 'DK', 'FI', 'FR', 'DE', 'IE', 'IT', 'JP', 'NL', 'NZ', 'NO', 'KR', 'ES', 'SE', 'TW', 'GB',
];

/** Under the EAR (15 CFR 772.1, "United States") these territories are part of the United States. */
export const US_TERRITORY_CODES: readonly string[] = ['PR', 'GU', 'VI', 'AS', 'MP', 'UM'];

export const TIER_SOURCES: Readonly<Record<Tier, string>> = {
  TIER_1: 'Supp. No. 5 to 15 CFR part 740, paragraph (a) (90 FR 4544)',
  TIER_2: 'Every destination in neither Tier 1 nor Tier 3 (90 FR 4544)',
  TIER_3: 'Country Group D:5 or Macau (90 FR 4544; Supp. No. 1 to 15 CFR part 740)',
};

/**
 * The AI Diffusion tier of a destination on a date. Tier 3 follows D:5 as it stood that day (Nicaragua in
 * from 2024-03-15, Cambodia out from 2026-02-03); Hong Kong is China; US territories are the US. Any other
 * code is Tier 2: the caller is responsible for passing a real ISO 3166-1 code.
 */
export function tierOn(code: string, date: IsoDate, options: GroupQueryOptions = {}): Tier {
  const iso2 = normaliseCountryCode(code);
  if (TIER1_CODES.includes(iso2) || US_TERRITORY_CODES.includes(iso2)) return 'TIER_1';
  if (isD5OrMacauOn(iso2, date, options)) return 'TIER_3';
  return 'TIER_2';
}

/** The day the seeded tiers were taken: the publication of 90 FR 4544. */
export const TIER_SEED_DATE: IsoDate = '2025-01-15';

/**
 * The tier that decides on a date (RULES.md 6, "Tiers follow D:5 by date"): 90 FR 4544 defines Tier 3 by
 * reference to D:5 plus Macau, so a country that joins or leaves D:5 changes tier that day, for every item
 * class. A country's record keeps the tier of the seed date; where an officer set the record to another tier,
 * the officer's tier stands on every date.
 */
export function decidingTier(code: string, recordedTier: Tier, date: IsoDate): Tier {
  if (recordedTier !== tierOn(code, TIER_SEED_DATE)) return recordedTier;
  return tierOn(code, date);
}
