/**
 * How BIS would review a licence application: the policy a decision (or a listed entry) names. Its own module so that the screening rules, which
 * carry an entry's policy, and the decision types can both use it without importing each other.
 */
export const REVIEW_POLICIES = ['PRESUMPTION_OF_APPROVAL', 'CASE_BY_CASE', 'PRESUMPTION_OF_DENIAL'] as const;
export type ReviewPolicy = (typeof REVIEW_POLICIES)[number];
