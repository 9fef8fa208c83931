import { randomUUID } from 'node:crypto';
import { toH100Equivalents } from '../domain/classify.ts';
import { planCandidate, type PlanLimit } from '../domain/plan.ts';
import type {
  Authorization,
  Decision,
  DecisionDestination,
  DecisionItem,
  RulesetSummary,
} from '../domain/types.ts';
import { AppError, validationError } from '../errors.ts';
import { resolveRequestParties, type PartyReferencingRequest } from './parties.ts';
import { recordStandaloneAudit } from './audit.ts';
import type { ServiceContext } from './context.ts';
import {
  decidePrepared,
  itemWithQuantity,
  prepareShipment,
  readPools,
  type CustomLine,
  type ResolvedRequest,
} from './evaluate-shipment.ts';

export type PlanCandidate = { productId: string } | Omit<CustomLine, 'quantity'>;

/** A check's body with its items replaced by candidates without quantities (API.md, "Planning"). */
export interface PlanRequest extends Omit<PartyReferencingRequest, 'items'> {
  candidates: PlanCandidate[];
}

interface PoolBalance {
  capTpp: number;
  usedTpp: number;
  remainingTpp: number;
}

export interface CandidateResult {
  productId?: string;
  description?: string;
  eccn: DecisionItem['eccn'];
  tppPerUnit: number;
  /** Of one unit. */
  h100Equivalents: number;
  maxUnits: { withoutLicense: number | null; withLicenseWithinAllocation: number | null };
  authorization: Authorization | null;
  limitedBy: { withoutLicense: PlanLimit | null; withLicenseWithinAllocation: PlanLimit | null };
}

export interface PlanResult {
  planId: string;
  destination: DecisionDestination;
  shipDate: string;
  candidates: CandidateResult[];
  pools: {
    countryAllocation: PoolBalance | null;
    lpp: (PoolBalance & { year: number }) | null;
  };
  ruleset: RulesetSummary;
  warnings: string[];
}

/** Candidates are evaluated a few at a time, yielding between them, so a long plan never holds the event loop. */
const CANDIDATES_PER_TURN = 4;

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** The check's validation speaks of body.items[i]; the plan's caller sent body.candidates[i]. */
function asCandidateError(error: unknown): unknown {
  if (!(error instanceof AppError) || error.code !== 'VALIDATION_FAILED' || !error.errors) return error;
  return validationError(
    error.errors.map((e) => ({ ...e, path: e.path.replace(/^body\.items\[/, 'body.candidates[') })),
  );
}

function balanceOf(view: Decision['quota']['countryAllocation']): PoolBalance | null {
  return view ? { capTpp: view.capTpp, usedTpp: view.usedTpp, remainingTpp: view.remainingTpp } : null;
}

/**
 * For each candidate alone, the most units that could ship on the date under each route, from the balances as
 * they are now. The balances are read once, then every figure comes from the check's own decision function
 * (decidePrepared -> decideShipment) at trial quantities, so a plan and a check can never disagree. Reserves
 * nothing; audited like a check.
 */
export async function planProcurement(ctx: ServiceContext, input: PlanRequest): Promise<PlanResult> {
  const { candidates, ...rest } = input;
  // Parties resolve as a check's do (a name to its identity, or a party id), so the LPP budget is the same one.
  const { request, consignee } = await resolveRequestParties(ctx.db, {
    ...rest,
    items: candidates.map((candidate) => ({ ...candidate, quantity: 1 })),
  });
  const prepared = await prepareShipment(ctx, request, ctx.reference, consignee).catch((error: unknown) => {
    throw asCandidateError(error);
  });
  const balances = await readPools(ctx.db, prepared.pools);

  const results: CandidateResult[] = [];
  const warnings = new Set<string>();
  let first: Decision | null = null;
  for (const [index, item] of prepared.items.entries()) {
    if (index > 0 && index % CANDIDATES_PER_TURN === 0) await nextTurn();
    const decideAt = (quantity: number): Decision =>
      decidePrepared({ ...prepared, items: [itemWithQuantity(item, quantity)] }, balances);
    const one = decideAt(1);
    first ??= one;
    for (const warning of one.warnings) warnings.add(warning);
    const plan = planCandidate(decideAt);
    results.push({
      ...(item.productId !== undefined ? { productId: item.productId } : {}),
      ...(item.description !== undefined ? { description: item.description } : {}),
      eccn: item.eccn,
      tppPerUnit: item.tppPerUnit,
      h100Equivalents: toH100Equivalents(item.tppPerUnit),
      maxUnits: {
        withoutLicense: plan.withoutLicense.maxUnits,
        withLicenseWithinAllocation: plan.withLicenseWithinAllocation.maxUnits,
      },
      authorization: plan.authorization,
      limitedBy: {
        withoutLicense: plan.withoutLicense.limitedBy,
        withLicenseWithinAllocation: plan.withLicenseWithinAllocation.limitedBy,
      },
    });
  }
  // The schema asks for at least one candidate, and every candidate was classified or refused above.
  if (!first) throw new AppError('VALIDATION_FAILED', 'A plan needs at least one candidate.');

  const lpp = first.quota.lpp;
  const result: PlanResult = {
    planId: randomUUID(),
    destination: first.destination,
    shipDate: prepared.resolved.shipDate,
    candidates: results,
    pools: {
      countryAllocation: balanceOf(first.quota.countryAllocation),
      lpp: lpp ? { year: lpp.year, ...(balanceOf(lpp) as PoolBalance) } : null,
    },
    ruleset: first.ruleset,
    warnings: [...warnings],
  };
  await recordStandaloneAudit(ctx, {
    action: 'plan.create',
    targetType: 'plan',
    targetId: result.planId,
    payload: { input, resolved: prepared.resolved satisfies ResolvedRequest, output: result },
  });
  return result;
}
