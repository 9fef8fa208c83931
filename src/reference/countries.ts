import { createRequire } from 'node:module';
import isoCountries from 'i18n-iso-countries';

/**
 * Every ISO 3166-1 country with its tier under the AI Diffusion framework (90 FR 4544). Tier 1 and Tier 3 are
 * listed with the rule text they come from; Tier 2 is derived as "every other code" (RULES.md 3), never typed
 * by hand. Names come from the maintained i18n-iso-countries package.
 */
const require = createRequire(import.meta.url);
isoCountries.registerLocale(require('i18n-iso-countries/langs/en.json'));

export type SeedTier = 'TIER_1' | 'TIER_2' | 'TIER_3';

export interface CountrySeed {
  code: string;
  name: string;
  tier: SeedTier;
  tierSource: string;
  /** Tier 2 allocation in TPP; null for Tier 1 and Tier 3. */
  allocationTpp: number | null;
  allocationSource: string | null;
}

const TIER1_SOURCE = '90 FR 4544, Supp. No. 5 to 15 CFR part 740, paragraph (a) (License Exception AIA destinations)';
const US_TERRITORY_SOURCE = 'Part of the "United States" under the EAR (15 CFR 772.1), so treated as Tier 1 with the US';
const D5_SOURCE = 'Country Group D:5 (US arms-embargoed), Supp. No. 1 to 15 CFR part 740, as of 2025-01-15; Tier 3 under 90 FR 4544';

/** Supp. No. 5 to part 740, paragraph (a): the US and 18 allies. */
export const TIER1_CODES = [
  'US', 'AU', 'BE', 'CA', 'DK', 'FI', 'FR', 'DE', 'IE', 'IT', 'JP', 'NL', 'NZ', 'NO', 'KR', 'ES', 'SE', 'TW', 'GB',
] as const;

/** US territories are part of the United States under the EAR. */
export const US_TERRITORY_CODES = ['PR', 'GU', 'VI', 'AS', 'MP', 'UM'] as const;

/** Country Group D:5 on 2025-01-15 (Nicaragua added 2024-03-15; Cyprus removed 2024-05-30). */
export const D5_CODES_2025_01_15 = [
  'AF', 'BY', 'MM', 'KH', 'CF', 'CN', 'CD', 'CU', 'ER', 'HT', 'IR', 'IQ', 'KP', 'LB', 'LY', 'NI', 'RU', 'SO', 'SS',
  'SD', 'SY', 'VE', 'ZW',
] as const;

const TIER3_SPECIAL: Record<string, string> = {
  MO: 'Macau is named with Country Group D:5 in 90 FR 4544 (Tier 3)',
  HK: 'Hong Kong is treated as China under the EAR since 2020-12-23 (85 FR 83765), so Tier 3 with China',
  KH:
    `${D5_SOURCE}. Cambodia left D:5 later: State lifted its embargo on 2025-11-07 and BIS removed it from the D:5 ` +
    'table on 2026-02-03 (91 FR 5091); it stays Tier 3 in this pack, which predates both dates',
};

/**
 * 790,000,000 TPP per Tier 2 country, cumulative for 2025-2027 (about 49,900 H100-equivalents). The H100e figure
 * is confirmed by secondary sources; the literal TPP figure should be verified against 90 FR 4544, so it is data
 * an officer can correct (PATCH /v1/countries/{code}), not a constant in the engine.
 */
export const TIER2_ALLOCATION_TPP = 790_000_000;
const TIER2_ALLOCATION_SOURCE =
  '90 FR 4544 (15 CFR 742.6(b)): 790,000,000 TPP per Tier 2 country for calendar years 2025-2027 (~49,900 H100e); ' +
  'doubled under a government-to-government arrangement';

/** Codes the package lists that are not ISO 3166-1 assignments. */
const NOT_ISO_3166_1 = new Set(['XK']);

const DISPLAY_NAMES: Record<string, string> = { TW: 'Taiwan' };

export function buildCountrySeeds(): CountrySeed[] {
  const tier1 = new Set<string>(TIER1_CODES);
  const territories = new Set<string>(US_TERRITORY_CODES);
  const d5 = new Set<string>(D5_CODES_2025_01_15);
  const codes = Object.keys(isoCountries.getAlpha2Codes())
    .filter((code) => !NOT_ISO_3166_1.has(code))
    .sort();
  return codes.map((code): CountrySeed => {
    const name = DISPLAY_NAMES[code] ?? isoCountries.getName(code, 'en') ?? code;
    if (tier1.has(code)) return { code, name, tier: 'TIER_1', tierSource: TIER1_SOURCE, allocationTpp: null, allocationSource: null };
    if (territories.has(code)) {
      return { code, name, tier: 'TIER_1', tierSource: US_TERRITORY_SOURCE, allocationTpp: null, allocationSource: null };
    }
    const special = TIER3_SPECIAL[code];
    if (special !== undefined || d5.has(code)) {
      return { code, name, tier: 'TIER_3', tierSource: special ?? D5_SOURCE, allocationTpp: null, allocationSource: null };
    }
    return {
      code,
      name,
      tier: 'TIER_2',
      tierSource: '90 FR 4544: every destination not in Tier 1 (Supp. No. 5 (a)) or Tier 3 (D:5 and Macau)',
      allocationTpp: TIER2_ALLOCATION_TPP,
      allocationSource: TIER2_ALLOCATION_SOURCE,
    };
  });
}
