import type { Authorization, Decision } from './types.ts';

/**
 * Procurement planning: the inverse of a check. Every figure here is found by asking the decision function
 * itself (decideShipment, through the caller's `decideAt`) how it answers a given quantity; nothing below knows a
 * rule, a pool or a threshold, so a rule added to decide.ts moves the plan with it.
 */

/** Largest quantity a search tries: a route still open there is not limited by any quota. */
export const UNLIMITED_PROBE = 2 ** 40;

/** What stops one more unit: the pool the boundary shipment draws on, or the route being closed altogether. */
export const PLAN_LIMITS = ['LPP', 'COUNTRY_ALLOCATION', 'NOT_AVAILABLE', 'OTHER_RULE'] as const;
export type PlanLimit = (typeof PLAN_LIMITS)[number];

export interface RoutePlan {
  /** Most units the route takes; null when no quota limits it. */
  maxUnits: number | null;
  limitedBy: PlanLimit | null;
}

export interface CandidatePlan {
  withoutLicense: RoutePlan;
  withLicenseWithinAllocation: RoutePlan;
  /** What lets the without-licence quantity go (AIA, LPP, VEU, NLR…); null when that route is closed. */
  authorization: Authorization | null;
}

/** The decision for `quantity` units of one candidate, on fixed balances and date. */
export type DecideAt = (quantity: number) => Decision;

/**
 * The shipment needs no licence application: it may ship now (AIA, LPP, VEU, ACA, NLR) or once BIS has been
 * notified under License Exception NAC (15 CFR 740.8), which is "without a licence" for a buyer's plan.
 */
export function shipsWithoutLicense(decision: Decision): boolean {
  return decision.outcome === 'ALLOWED' || decision.outcome === 'NOTIFICATION_REQUIRED';
}

/**
 * The shipment can go, now or under a licence that is not presumed denied: for a Tier 2 destination, a licence
 * the remaining allocation still covers (90 FR 4544: beyond it the review policy is presumption of denial).
 */
export function shipsWithLicenseWithinAllocation(decision: Decision): boolean {
  return (
    shipsWithoutLicense(decision) ||
    (decision.licenseRequired && decision.reviewPolicy !== 'PRESUMPTION_OF_DENIAL')
  );
}

/**
 * The largest quantity for which `holds` is true, assuming it holds from 1 up to some bound and not after
 * (every quota rule is of that shape: more units never free a pool). 0 when even one unit fails; null when the
 * route is still open at UNLIMITED_PROBE units.
 */
export function largestQuantityWhere(holds: (quantity: number) => boolean): number | null {
  if (!holds(1)) return 0;
  if (holds(UNLIMITED_PROBE)) return null;
  let yes = 1;
  let no = UNLIMITED_PROBE;
  while (no - yes > 1) {
    const mid = Math.floor((yes + no) / 2);
    if (holds(mid)) yes = mid;
    else no = mid;
  }
  return yes;
}

function limitAt(boundary: Decision | null, maxUnits: number | null): PlanLimit | null {
  if (maxUnits === null) return null;
  if (maxUnits === 0 || boundary === null) return 'NOT_AVAILABLE';
  if (boundary.quota.lpp?.applies) return 'LPP';
  if (boundary.quota.countryAllocation?.applies) return 'COUNTRY_ALLOCATION';
  return 'OTHER_RULE';
}

function planRoute(decideAt: DecideAt, route: (decision: Decision) => boolean): RoutePlan {
  const maxUnits = largestQuantityWhere((quantity) => route(decideAt(quantity)));
  const boundary = maxUnits !== null && maxUnits > 0 ? decideAt(maxUnits) : null;
  return { maxUnits, limitedBy: limitAt(boundary, maxUnits) };
}

/** Both routes for one candidate: the exact boundary of each, where one unit more changes the answer. */
export function planCandidate(decideAt: DecideAt): CandidatePlan {
  const withoutLicense = planRoute(decideAt, shipsWithoutLicense);
  const withLicenseWithinAllocation = planRoute(decideAt, shipsWithLicenseWithinAllocation);
  const authorizedAt =
    withoutLicense.maxUnits === 0 ? null : decideAt(withoutLicense.maxUnits ?? UNLIMITED_PROBE);
  return {
    withoutLicense,
    withLicenseWithinAllocation,
    authorization: authorizedAt?.authorization ?? null,
  };
}
