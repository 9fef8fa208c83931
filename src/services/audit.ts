import { createHash, randomUUID } from 'node:crypto';
import type { Prisma } from '../generated/prisma/client.ts';
import type { Db } from '../repositories/db.ts';
import type { ServiceContext } from './context.ts';

export const GENESIS_HASH = '0'.repeat(64);

/** Serialises audit writers across processes: the chain needs a single order of appends. */
const AUDIT_CHAIN_LOCK = 0x61756469; // 'audi'

export interface AuditInput {
  action: string;
  targetType: string;
  targetId: string;
  payload: unknown;
}

export interface AuditHashFields {
  id: string;
  occurredAt: string;
  actorKeyId: string | null;
  actorRole: string | null;
  action: string;
  targetType: string;
  targetId: string;
  requestId: string | null;
  payload: unknown;
}

/** JSON with object keys sorted at every depth: jsonb reorders keys, so the hash must not depend on order. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

export function auditHash(prevHash: string, fields: AuditHashFields): string {
  return createHash('sha256').update(prevHash).update('\n').update(canonicalJson(fields)).digest('hex');
}

/**
 * Appends one event to the hash chain inside the caller's transaction, so the change and its record commit
 * or roll back together (fail closed). The advisory lock is held until that transaction ends.
 */
export async function recordAudit(tx: Db, ctx: Pick<ServiceContext, 'actor' | 'requestId' | 'now'>, input: AuditInput): Promise<string> {
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(${AUDIT_CHAIN_LOCK})`;
  const last = await tx.auditEvent.findFirst({ orderBy: { seq: 'desc' }, select: { hash: true } });
  const prevHash = last?.hash ?? GENESIS_HASH;
  // A JSON round trip drops undefined and turns Dates into strings, exactly as jsonb will store it.
  const payload = JSON.parse(JSON.stringify(input.payload ?? null)) as unknown;
  const fields: AuditHashFields = {
    id: randomUUID(),
    occurredAt: ctx.now().toISOString(),
    actorKeyId: ctx.actor?.keyId ?? null,
    actorRole: ctx.actor?.role ?? null,
    action: input.action,
    targetType: input.targetType,
    targetId: input.targetId,
    requestId: ctx.requestId,
    payload,
  };
  const hash = auditHash(prevHash, fields);
  await tx.auditEvent.create({
    data: {
      ...fields,
      occurredAt: new Date(fields.occurredAt),
      payload: payload as Prisma.InputJsonValue,
      prevHash,
      hash,
    },
  });
  return fields.id;
}
