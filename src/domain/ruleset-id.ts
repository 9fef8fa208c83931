/** The rule packs the engine knows (their dates and status are in rulesets.ts); below the reasons and types. */
export const RULESET_IDS = ['ai-diffusion-2025', 'baseline-2023'] as const;
export type RulesetId = (typeof RULESET_IDS)[number];
