import { createRequire } from 'node:module';
import isoCountries, { type LocaleData } from 'i18n-iso-countries';
import { RULE_PACKS } from '../domain/rulesets.ts';
import { tierOn, US_TERRITORY_CODES } from '../domain/tiers.ts';
import type { Tier } from '../domain/types.ts';

/**
 * Every ISO 3166-1 country with its tier under the AI Diffusion framework (90 FR 4544). Tier 1 and Tier 3 are
 * listed with the rule text they come from; Tier 2 is derived as "every other code" (RULES.md 3), never typed
 * by hand. Names come from the maintained i18n-iso-countries package.
 */
const require = createRequire(import.meta.url);
isoCountries.registerLocale(require('i18n-iso-countries/langs/en.json') as LocaleData);

export type SeedTier = Tier;

export interface CountrySeed {
  code: string;
  name: string;
  tier: SeedTier;
  tierSource: string;
  /** Tier 2 allocation in TPP; null for Tier 1 and Tier 3. */
  allocationTpp: number | null;
  allocationSource: string | null;
}

const TIER1_SOURCE =
  '90 FR 4544, Supp. No. 5 to 15 CFR part 740, paragraph (a) (License Exception AIA destinations)';
const US_TERRITORY_SOURCE =
  'Part of the "United States" under the EAR (15 CFR 772.1), so treated as Tier 1 with the US';
const D5_SOURCE =
  'Country Group D:5 (US arms-embargoed), Supp. No. 1 to 15 CFR part 740, as of 2025-01-15; Tier 3 under 90 FR 4544';

/** Tiers are taken as they stood when the pack was published; an officer can change a row later. */
const PACK_SNAPSHOT_DATE = '2025-01-15';

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
export const TIER2_ALLOCATION_TPP =
  RULE_PACKS['ai-diffusion-2025'].quantities?.tier2AllocationTpp ?? 790_000_000;
const TIER2_ALLOCATION_SOURCE =
  '90 FR 4544 (15 CFR 742.6(b)): 790,000,000 TPP per Tier 2 country for calendar years 2025-2027 (~49,900 H100e); ' +
  'doubled under a government-to-government arrangement';

/** Codes the package lists that are not ISO 3166-1 assignments. */
const NOT_ISO_3166_1 = new Set(['XK']);

const DISPLAY_NAMES: Record<string, string> = { TW: 'Taiwan' };

export function buildCountrySeeds(): CountrySeed[] {
  const territories = new Set<string>(US_TERRITORY_CODES);
  const codes = Object.keys(isoCountries.getAlpha2Codes())
    .filter((code) => !NOT_ISO_3166_1.has(code))
    .sort();
  return codes.map((code): CountrySeed => {
    const name = DISPLAY_NAMES[code] ?? isoCountries.getName(code, 'en') ?? code;
    const tier = tierOn(code, PACK_SNAPSHOT_DATE);
    const none = { allocationTpp: null, allocationSource: null };
    if (tier === 'TIER_1') {
      return {
        code,
        name,
        tier,
        tierSource: territories.has(code) ? US_TERRITORY_SOURCE : TIER1_SOURCE,
        ...none,
      };
    }
    if (tier === 'TIER_3') return { code, name, tier, tierSource: TIER3_SPECIAL[code] ?? D5_SOURCE, ...none };
    return {
      code,
      name,
      tier,
      tierSource: '90 FR 4544: every destination not in Tier 1 (Supp. No. 5 (a)) or Tier 3 (D:5 and Macau)',
      allocationTpp: TIER2_ALLOCATION_TPP,
      allocationSource: TIER2_ALLOCATION_SOURCE,
    };
  });
}
