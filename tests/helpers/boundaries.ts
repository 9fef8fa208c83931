import request from 'supertest';
import { expect } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { bearer } from './factories.ts';

/** The wire schema's cap on one order line: boundaries beyond it cannot be asked of the check endpoint. */
export const CHECKABLE_UNITS = 1_000_000;

export interface Decision {
  allowed: boolean;
  outcome: string;
  licenseRequired: boolean;
  reviewPolicy: string | null;
  reasons: { code: string }[];
}

/** The two routes a plan sizes, as read from a check's answer (API.md: Planning). */
export const ROUTES = {
  // Written out from issue 18 and API.md "Outcome": NAC ships once notified, without a licence.
  withoutLicense: (d: Decision) => d.outcome === 'ALLOWED' || d.outcome === 'NOTIFICATION_REQUIRED',
  withLicenseWithinAllocation: (d: Decision) =>
    d.outcome === 'ALLOWED' ||
    d.outcome === 'NOTIFICATION_REQUIRED' ||
    (d.licenseRequired && d.reviewPolicy !== 'PRESUMPTION_OF_DENIAL'),
} as const;
export type RouteName = keyof typeof ROUTES;

/** POST /v1/checks for `quantity` units of one candidate with the plan's context; returns the decision. */
export async function checkUnits(
  app: FastifyInstance,
  key: string,
  plan: Record<string, unknown>,
  candidate: Record<string, unknown>,
  quantity: number,
): Promise<Decision> {
  const { candidates: _candidates, ...context } = plan;
  const res = await request(app.server)
    .post('/v1/checks')
    .set(bearer(key))
    .send({ ...context, items: [{ ...candidate, quantity }] });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body as Decision;
}

/**
 * Holds the plan's figure for one route to the check endpoint: `maxUnits` units answer the route and one more
 * does not; 0 means even one unit does not; null means the largest order line the check accepts still does.
 */
export async function expectExactBoundary(
  app: FastifyInstance,
  key: string,
  plan: Record<string, unknown>,
  candidate: Record<string, unknown>,
  route: RouteName,
  maxUnits: number | null,
): Promise<void> {
  const holds = ROUTES[route];
  const at = (quantity: number) => checkUnits(app, key, plan, candidate, quantity);
  const label = `${route} of ${JSON.stringify(candidate)}: plan says ${maxUnits}`;
  if (maxUnits === null) {
    expect(holds(await at(CHECKABLE_UNITS)), label).toBe(true);
    return;
  }
  if (maxUnits > 0 && maxUnits <= CHECKABLE_UNITS) expect(holds(await at(maxUnits)), label).toBe(true);
  if (maxUnits + 1 <= CHECKABLE_UNITS) expect(holds(await at(maxUnits + 1)), label).toBe(false);
}
