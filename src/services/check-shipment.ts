import { randomUUID } from 'node:crypto';
import type { Decision } from '../domain/types.ts';
import { recordStandaloneAudit } from './audit.ts';
import type { ServiceContext } from './context.ts';
import {
  evaluateShipment,
  readPools,
  type ResolvedRequest,
  type ShipmentRequest,
} from './evaluate-shipment.ts';

export type CheckResult = Omit<Decision, 'holds'> & { checkId: string };

export function publicDecision(decision: Decision, checkId: string): CheckResult {
  // The legal status leads (outcome, ruleset, warnings), then the id, then the rest in the domain's order.
  const { holds: _holds, outcome, ruleset, warnings, ...rest } = decision;
  return { outcome, ruleset, warnings, checkId, ...rest };
}

/**
 * Evaluates a proposed shipment. Changes no quota. The decision is answered only once its audit record
 * (inputs, resolved defaults and the full answer) has committed.
 */
export async function checkShipment(ctx: ServiceContext, request: ShipmentRequest): Promise<CheckResult> {
  const evaluation = await evaluateShipment(ctx.db, ctx, request, readPools, ctx.reference);
  const result = publicDecision(evaluation.decision, randomUUID());
  // Group-committed with other checks' records: a check changes nothing else, so it needs no transaction.
  await recordStandaloneAudit(ctx, {
    action: 'check.create',
    targetType: 'check',
    targetId: result.checkId,
    payload: { input: request, resolved: evaluation.resolved satisfies ResolvedRequest, output: result },
  });
  return result;
}
