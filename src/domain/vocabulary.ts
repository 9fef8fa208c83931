/**
 * The rule pack ids and review policies, in a module that imports nothing: reasons.ts and screening.ts need
 * them, and types.ts (which imports those two) re-exports them.
 */
export const RULESET_IDS = ['ai-diffusion-2025', 'baseline-2023'] as const;
export type RulesetId = (typeof RULESET_IDS)[number];

export const REVIEW_POLICIES = ['PRESUMPTION_OF_APPROVAL', 'CASE_BY_CASE', 'PRESUMPTION_OF_DENIAL'] as const;
export type ReviewPolicy = (typeof REVIEW_POLICIES)[number];
