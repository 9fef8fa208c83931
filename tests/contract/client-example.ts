import type { components, paths } from '../../openapi/client-types.ts';

/**
 * How a procurement system would call the service with the generated types (`npm run client`). `npm run
 * typecheck` compiles this file, and tests/contract/client-types.test.ts runs it against a live server.
 */
export type CheckRequest = paths['/v1/checks']['post']['requestBody']['content']['application/json'];
export type Decision = paths['/v1/checks']['post']['responses'][200]['content']['application/json'];
export type Problem = components['schemas']['Problem'];

export const southKorea: CheckRequest = {
  destination: 'KR',
  items: [{ productId: 'nvidia-h100-sxm', quantity: 10_000 }],
  endUser: { name: 'Example Korea Cloud', headquarters: 'KR', verifiedEndUser: null },
  shipDate: '2025-06-01',
};

// The types are the contract, not `any`: a request without a destination does not compile.
// @ts-expect-error destination is required
export const _withoutDestination: CheckRequest = { items: southKorea.items, endUser: southKorea.endUser };

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
// Closed vocabularies reach the client as unions, so a switch over them is checked for exhaustiveness.
export const _authorizationIsClosed: Equal<
  Decision['authorization'],
  'AIA' | 'LPP' | 'VEU' | 'NLR' | 'NAC' | 'ACA' | null
> = true;
export const _outcomeIsClosed: Equal<
  Decision['outcome'],
  'ALLOWED' | 'NOTIFICATION_REQUIRED' | 'LICENSE_REQUIRED' | 'REVIEW'
> = true;
// A tier only under a pack that has tiers (ai-diffusion-2025); baseline-2023 answers show countryGroups instead.
export const _tierIsClosed: Equal<
  Decision['destination']['tier'],
  'TIER_1' | 'TIER_2' | 'TIER_3' | undefined
> = true;

export class ProblemError extends Error {
  constructor(readonly problem: Problem) {
    super(`${problem.status} ${problem.code}: ${problem.detail} (requestId ${problem.requestId})`);
  }
}

export async function createCheck(baseUrl: string, apiKey: string, body: CheckRequest): Promise<Decision> {
  const response = await fetch(new URL('/v1/checks', baseUrl), {
    method: 'POST',
    headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (!response.ok) throw new ProblemError((await response.json()) as Problem);
  return (await response.json()) as Decision;
}

export function summarise(decision: Decision): string {
  const how = decision.allowed
    ? `allowed under ${decision.authorization ?? 'no exception'}`
    : decision.outcome === 'NOTIFICATION_REQUIRED'
      ? `allowed once BIS is notified (by ${decision.notification?.notifyBy ?? 'the notification date'})`
      : `licence required (${decision.reviewPolicy ?? 'no review policy'})`;
  const where = decision.destination.tier ?? decision.destination.countryGroups.join('/');
  return `${decision.destination.code} ${where}: ${how}, ${decision.h100Equivalents} H100e`;
}
