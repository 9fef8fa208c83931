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
  LPP_WITHIN_LIMIT: '15 CFR 740.29',
  LPP_LIMIT_EXCEEDED: '15 CFR 740.29',
  TIER2_LICENSE_WITHIN_ALLOCATION: '90 FR 4544',
  TIER2_ALLOCATION_EXCEEDED: '90 FR 4544',
  // 88 FR 73458 as amended (the destination and headquarters rule for 3A090/4A090)
  BASELINE_DESTINATION_LICENSE_REQUIRED: '15 CFR 742.6(a)(6)(iii)',
  BASELINE_HEADQUARTERS_LICENSE_REQUIRED: '15 CFR 742.6(a)(6)(iii)',
  BASELINE_NO_LICENSE_REQUIRED: '15 CFR 742.6(a)(6)(iii)',
  BASELINE_REVIEW_POLICY: '15 CFR 742.6(b)(10)',
  CHINA_CASE_BY_CASE_REVIEW: '91 FR 1684',
  OUTSIDE_3A090_4A090: '15 CFR 774, Supp. No. 1, ECCN 3A090 (88 FR 73458)',
} as const;

export type ReasonCode = keyof typeof REASON_CITATIONS;

export const REASON_CODES = Object.keys(REASON_CITATIONS) as ReasonCode[];
