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
  const { holds: _holds, ...rest } = decision;
  return { checkId, ...rest };
}

/**
 * A decision as its audit record keeps it: the answer without the item descriptions, which the record's
 * input already holds (item i of the answer is item i of the input). A 500-line order with long descriptions
 * then stores each description once. decisionFromRecord puts them back.
 */
export function auditedDecision<T extends { items: { description?: string }[] }>(decision: T): T {
  return { ...decision, items: decision.items.map(({ description: _description, ...item }) => item) };
}

/** The decision as it was answered, from a check or shipment record's payload. */
export function decisionFromRecord<T extends { items: { description?: string }[] }>(
  input: { items: { description?: string }[] },
  output: T,
): T {
  return {
    ...output,
    items: output.items.map((item, i) => {
      const description = input.items[i]?.description;
      return description === undefined ? item : { ...item, description };
    }),
  };
}

/**
 * Evaluates a proposed shipment. Changes no quota. The decision is answered only once its audit record
 * (inputs, resolved defaults and the full answer) has committed.
 */
export async function checkShipment(
  ctx: ServiceContext,
  request: ShipmentRequest,
  /** Where the check came from when it was one of many (a batch): recorded with it. */
  origin?: { batchId: string; index: number; order?: string | undefined },
): Promise<CheckResult> {
  const evaluation = await evaluateShipment(ctx.db, ctx, request, readPools, ctx.reference);
  const result = publicDecision(evaluation.decision, randomUUID());
  // Group-committed with other checks' records: a check changes nothing else, so it needs no transaction.
  await recordStandaloneAudit(ctx, {
    action: 'check.create',
    targetType: 'check',
    targetId: result.checkId,
    payload: {
      input: request,
      resolved: evaluation.resolved satisfies ResolvedRequest,
      output: auditedDecision(result),
      ...(origin ? { batch: origin } : {}),
    },
  });
  return result;
}
