import { AppError } from '../errors.ts';
import type { Actor } from '../domain/actor.ts';
import { findCheckRecord, type AuditRow } from './audit.ts';
import { decisionFromRecord, type CheckResult } from './check-shipment.ts';
import type { ServiceContext } from './context.ts';
import type { ResolvedRequest, ShipmentRequest } from './evaluate-shipment.ts';

export interface CheckRecord {
  decision: CheckResult;
  input: ShipmentRequest;
  resolved: ResolvedRequest;
  audit: { seq: number; hash: string; prevHash: string; occurredAt: string; actorRole: string | null };
}

/**
 * Who may read a past check: officers and auditors all of them, anyone else only the checks their own API key
 * asked. The one place to widen "own key" to "own organisation" once keys belong to organisations.
 */
export function mayReadCheck(actor: Actor | null, event: Pick<AuditRow, 'actorKeyId'>): boolean {
  if (!actor) return false;
  if (actor.role === 'officer' || actor.role === 'auditor') return true;
  return event.actorKeyId !== null && event.actorKeyId === actor.keyId;
}

/** A check as it was answered, from its audit event. Someone else's check is 404, never 403: ids reveal nothing. */
export async function getCheck(
  ctx: Pick<ServiceContext, 'db' | 'actor'>,
  checkId: string,
): Promise<CheckRecord> {
  const record = await findCheckRecord(ctx.db, checkId);
  if (!record || !mayReadCheck(ctx.actor, record.event) || record.output === null) {
    throw new AppError('CHECK_NOT_FOUND', `No check ${checkId} that this API key may read.`);
  }
  const { event } = record;
  return {
    decision: decisionFromRecord(
      record.input as { items: { description?: string }[] },
      record.output as CheckResult,
    ),
    input: record.input as ShipmentRequest,
    resolved: record.resolved as ResolvedRequest,
    audit: {
      seq: event.seq,
      hash: event.hash,
      prevHash: event.prevHash,
      occurredAt: event.occurredAt.toISOString(),
      actorRole: event.actorRole,
    },
  };
}
