import { randomUUID } from 'node:crypto';
import type { Decision } from '../domain/types.ts';
import { recordStandaloneAudit } from './audit.ts';
import type { ServiceContext } from './context.ts';
import { evaluateShipment, readPools, type ResolvedRequest } from './evaluate-shipment.ts';
import { resolveRequestParties, type PartyReferencingRequest } from './parties.ts';

export type CheckResult = Omit<Decision, 'holds'> & {
  checkId: string;
  /** The consignee as a party; id null when no shipment has recorded it yet. */
  consignee: { id: string | null; name: string };
};

export function publicDecision(
  decision: Decision,
  checkId: string,
  consignee: { id: string | null; name: string },
): CheckResult {
  // The legal status leads (outcome, ruleset, warnings), then the id, then the rest in the domain's order.
  const { holds: _holds, outcome, ruleset, warnings, ...rest } = decision;
  return { outcome, ruleset, warnings, checkId, ...rest, consignee };
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
 * (inputs, resolved defaults and the full answer) has committed. The record names the caller's organisation,
 * which owns the check.
 */
export async function checkShipment(
  ctx: ServiceContext,
  input: PartyReferencingRequest,
  /** Where the check came from when it was one of many (a batch): recorded with it. */
  origin?: { batchId: string; index: number; order?: string | undefined },
): Promise<CheckResult> {
  const { request, consignee } = await resolveRequestParties(ctx.db, input);
  const evaluation = await evaluateShipment(ctx.db, ctx, request, readPools, ctx.reference, consignee);
  const result = publicDecision(evaluation.decision, randomUUID(), {
    id: consignee.id,
    name: consignee.name,
  });
  // Group-committed with other checks' records: a check changes nothing else, so it needs no transaction.
  await recordStandaloneAudit(ctx, {
    action: 'check.create',
    targetType: 'check',
    targetId: result.checkId,
    payload: {
      organisationId: ctx.actor?.organisationId ?? null,
      input,
      resolved: evaluation.resolved satisfies ResolvedRequest,
      output: auditedDecision(result),
      ...(origin ? { batch: origin } : {}),
    },
  });
  return result;
}
