import { Prisma } from '../generated/prisma/client.ts';
import type { Db } from './db.ts';

/** Serialises audit writers across processes: the chain needs a single order of appends. */
const AUDIT_CHAIN_LOCK = 0x61756469; // 'audi'

export interface AuditRow {
  seq: number;
  id: string;
  occurredAt: Date;
  actorKeyId: string | null;
  actorRole: string | null;
  action: string;
  targetType: string;
  targetId: string;
  requestId: string | null;
  payload: unknown;
  prevHash: string;
  hash: string;
}

export interface AuditLink {
  seq: number;
  hash: string;
}

export interface AuditFilter {
  action?: string | undefined;
  targetType?: string | undefined;
  targetId?: string | undefined;
  actorKeyId?: string | undefined;
  requestId?: string | undefined;
  /** Inclusive. */
  from?: Date | undefined;
  /** Exclusive. */
  to?: Date | undefined;
}

type Row = Prisma.AuditEventGetPayload<object>;

function toRow(row: Row): AuditRow {
  return { ...row, seq: Number(row.seq), payload: row.payload };
}

/** Held until the caller's transaction ends, so the read of the chain's head and the append are one step. */
export async function lockAuditChain(tx: Db): Promise<void> {
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(${AUDIT_CHAIN_LOCK})`;
}

export async function findAuditHead(tx: Db): Promise<AuditLink | null> {
  const last = await tx.auditEvent.findFirst({ orderBy: { seq: 'desc' }, select: { seq: true, hash: true } });
  return last ? { seq: Number(last.seq), hash: last.hash } : null;
}

/** One multi-row INSERT, whatever the number of events. */
/**
 * One multi-row INSERT from a single JSON parameter: a constant-size statement whatever the batch, no ORM
 * serialisation of the payloads, and no per-character escaping as text[] array elements would need.
 */
export async function insertAuditEvents(tx: Db, rows: AuditRow[]): Promise<void> {
  if (rows.length === 0) return;
  const json = JSON.stringify(
    rows.map((r) => ({
      seq: r.seq,
      id: r.id,
      occurred_at: r.occurredAt.toISOString(),
      actor_key_id: r.actorKeyId,
      actor_role: r.actorRole,
      action: r.action,
      target_type: r.targetType,
      target_id: r.targetId,
      request_id: r.requestId,
      payload: r.payload ?? null,
      prev_hash: r.prevHash,
      hash: r.hash,
    })),
  );
  await tx.$executeRaw`
    INSERT INTO audit_events
      (seq, id, occurred_at, actor_key_id, actor_role, action, target_type, target_id, request_id, payload, prev_hash, hash)
    SELECT seq, id, occurred_at, actor_key_id, actor_role, action, target_type, target_id, request_id,
           COALESCE(payload, 'null'::jsonb), prev_hash, hash
    FROM jsonb_to_recordset(${json}::jsonb) AS t(seq bigint, id uuid, occurred_at timestamptz, actor_key_id text,
      actor_role text, action text, target_type text, target_id text, request_id text, payload jsonb, prev_hash text,
      hash text)`;
}

/** Events in chain order after `afterSeq`, up to and including `upToSeq`: one page of a streaming read. */
export async function findAuditChainPage(
  db: Db,
  afterSeq: number,
  upToSeq: number,
  limit: number,
): Promise<AuditRow[]> {
  const rows = await db.auditEvent.findMany({
    where: { seq: { gt: BigInt(afterSeq), lte: BigInt(upToSeq) } },
    orderBy: { seq: 'asc' },
    take: limit,
  });
  return rows.map(toRow);
}

function whereOf(filter: AuditFilter, beforeSeq: number | undefined): Prisma.AuditEventWhereInput {
  const where: Prisma.AuditEventWhereInput = {};
  if (filter.action !== undefined) where.action = filter.action;
  if (filter.targetType !== undefined) where.targetType = filter.targetType;
  if (filter.targetId !== undefined) where.targetId = filter.targetId;
  if (filter.actorKeyId !== undefined) where.actorKeyId = filter.actorKeyId;
  if (filter.requestId !== undefined) where.requestId = filter.requestId;
  if (filter.from !== undefined || filter.to !== undefined) {
    where.occurredAt = {
      ...(filter.from !== undefined ? { gte: filter.from } : {}),
      ...(filter.to !== undefined ? { lt: filter.to } : {}),
    };
  }
  if (beforeSeq !== undefined) where.seq = { lt: BigInt(beforeSeq) };
  return where;
}

/** Newest first, keyset-paginated on seq so that pages stay stable while events are appended. */
export async function findAuditEvents(
  db: Db,
  filter: AuditFilter,
  page: { beforeSeq?: number | undefined; limit: number },
): Promise<AuditRow[]> {
  const rows = await db.auditEvent.findMany({
    where: whereOf(filter, page.beforeSeq),
    orderBy: { seq: 'desc' },
    take: page.limit,
  });
  return rows.map(toRow);
}
