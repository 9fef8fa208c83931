import type { RulesetId } from './vocabulary.ts';

/**
 * The closed list of reason codes a decision can carry, each with the rule it rests on. Codes are part of
 * the HTTP contract: add, never rename.
 */
export const REASON_CITATIONS = {
  // 90 FR 4544 (ai-diffusion-2025)
  TIER3_DESTINATION: '15 CFR 742.6(b)(10)',
  TIER3_HEADQUARTERS: '15 CFR 742.6(b)(10)',
  TIER1_AIA: '15 CFR 740.27',
  TIER1_DESTINATION_NON_TIER1_HEADQUARTERS: '15 CFR 740.27',
  VEU_AUTHORIZED: '15 CFR 748.15',
  VEU_NOT_ELIGIBLE: '15 CFR 748.15',
  LPP_WITHIN_LIMIT: '15 CFR 740.29',
  LPP_LIMIT_EXCEEDED: '15 CFR 740.29',
  TIER2_LICENSE_WITHIN_ALLOCATION: '90 FR 4544',
  TIER2_ALLOCATION_EXCEEDED: '90 FR 4544',
  // 88 FR 73458 as amended (the destination and headquarters rule for 3A090/4A090)
  BASELINE_DESTINATION_LICENSE_REQUIRED: '15 CFR 742.6(a)(6)(iii)',
  BASELINE_HEADQUARTERS_LICENSE_REQUIRED: '15 CFR 744.23(a)(3)',
  BASELINE_NO_LICENSE_REQUIRED: '15 CFR 742.6(a)(6)(iii)',
  BASELINE_REVIEW_POLICY: '15 CFR 742.6(b)(10)',
  CHINA_CASE_BY_CASE_REVIEW: '91 FR 1684',
  CHINA_CASE_BY_CASE_OUT_OF_SCOPE: '91 FR 1684',
  // License Exceptions NAC and ACA (15 CFR 740.8, as split by 89 FR 23876)
  NAC_NOTIFICATION_REQUIRED: '15 CFR 740.8',
  ACA_AUTHORIZED: '15 CFR 740.8',
  EXCEPTION_UNAVAILABLE_EMBARGO: '15 CFR 746.1',
  OUTSIDE_3A090_4A090: '15 CFR 774, Supp. No. 1, ECCN 3A090 (88 FR 73458)',
  // Restricted-party screening (the Consolidated Screening List); a hit cites the entry's own notice.
  ENTITY_LIST_MATCH: '15 CFR 744.11',
  MEU_LIST_MATCH: '15 CFR 744.21',
  UNVERIFIED_LIST_MATCH: '15 CFR 744.15',
  DENIED_PERSONS_LIST_MATCH: '15 CFR 764.3',
  SDN_LIST_MATCH: '31 CFR chapter V',
  OTHER_LIST_MATCH: 'Consolidated Screening List',
  SCREENING_POSSIBLE_MATCH: 'Consolidated Screening List',
} as const;

export type ReasonCode = keyof typeof REASON_CITATIONS;

export const REASON_CODES = Object.keys(REASON_CITATIONS) as ReasonCode[];

/**
 * The headquarters rule moved (RULES.md 6): from 2023-11-17 it was 15 CFR 744.23(a)(3) for every 3A090/4A090
 * item; from 2025-01-13 (90 FR 4544) its 3A090.a / 4A090.a part is 742.6(a)(6)(iii)(A), while .b items keep
 * citing 744.23(a)(3).
 */
export const HEADQUARTERS_RULE_CITATIONS = {
  movedOn: '2025-01-13',
  before: '15 CFR 744.23(a)(3)',
  advancedAfterMove: '15 CFR 742.6(a)(6)(iii)(A)',
} as const;

/** Citations a reason may carry other than its catalogue one, by code (the data check covers them too). */
export const REASON_ALTERNATE_CITATIONS: Partial<Record<ReasonCode, readonly string[]>> = {
  BASELINE_HEADQUARTERS_LICENSE_REQUIRED: [HEADQUARTERS_RULE_CITATIONS.advancedAfterMove],
};

/**
 * Codes whose reason cites the listed entry's own Federal Register notice when the entry names one (API.md,
 * "Screening"); the catalogue citation is what they cite otherwise. Those notices are data of the imported list,
 * not paragraphs of a pack, so the citation-table check covers the catalogue citation only.
 */
export const REASON_CITES_ENTRY_NOTICE: readonly ReasonCode[] = ['ENTITY_LIST_MATCH', 'MEU_LIST_MATCH'];

/** The packs under which each reason can be given: its citation must be in those packs' citation tables. */
export const REASON_PACKS: Readonly<Record<ReasonCode, readonly RulesetId[]>> = {
  TIER3_DESTINATION: ['ai-diffusion-2025'],
  TIER3_HEADQUARTERS: ['ai-diffusion-2025'],
  TIER1_AIA: ['ai-diffusion-2025'],
  TIER1_DESTINATION_NON_TIER1_HEADQUARTERS: ['ai-diffusion-2025'],
  VEU_AUTHORIZED: ['ai-diffusion-2025'],
  VEU_NOT_ELIGIBLE: ['ai-diffusion-2025'],
  LPP_WITHIN_LIMIT: ['ai-diffusion-2025'],
  LPP_LIMIT_EXCEEDED: ['ai-diffusion-2025'],
  TIER2_LICENSE_WITHIN_ALLOCATION: ['ai-diffusion-2025'],
  TIER2_ALLOCATION_EXCEEDED: ['ai-diffusion-2025'],
  BASELINE_DESTINATION_LICENSE_REQUIRED: ['ai-diffusion-2025', 'baseline-2023'],
  BASELINE_HEADQUARTERS_LICENSE_REQUIRED: ['ai-diffusion-2025', 'baseline-2023'],
  BASELINE_NO_LICENSE_REQUIRED: ['ai-diffusion-2025', 'baseline-2023'],
  BASELINE_REVIEW_POLICY: ['ai-diffusion-2025', 'baseline-2023'],
  CHINA_CASE_BY_CASE_REVIEW: ['baseline-2023'],
  CHINA_CASE_BY_CASE_OUT_OF_SCOPE: ['baseline-2023'],
  NAC_NOTIFICATION_REQUIRED: ['ai-diffusion-2025', 'baseline-2023'],
  ACA_AUTHORIZED: ['ai-diffusion-2025', 'baseline-2023'],
  EXCEPTION_UNAVAILABLE_EMBARGO: ['ai-diffusion-2025', 'baseline-2023'],
  OUTSIDE_3A090_4A090: ['ai-diffusion-2025', 'baseline-2023'],
  ENTITY_LIST_MATCH: ['ai-diffusion-2025', 'baseline-2023'],
  MEU_LIST_MATCH: ['ai-diffusion-2025', 'baseline-2023'],
  UNVERIFIED_LIST_MATCH: ['ai-diffusion-2025', 'baseline-2023'],
  DENIED_PERSONS_LIST_MATCH: ['ai-diffusion-2025', 'baseline-2023'],
  SDN_LIST_MATCH: ['ai-diffusion-2025', 'baseline-2023'],
  OTHER_LIST_MATCH: ['ai-diffusion-2025', 'baseline-2023'],
  SCREENING_POSSIBLE_MATCH: ['ai-diffusion-2025', 'baseline-2023'],
};
