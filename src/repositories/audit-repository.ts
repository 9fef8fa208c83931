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
 * One multi-row INSERT over unnest()ed arrays: a constant-size statement whatever the batch, and no ORM
 * serialisation of the payloads (which cost 4x the CPU of the statement itself, growing with payload size).
 */
export async function insertAuditEvents(tx: Db, rows: AuditRow[]): Promise<void> {
  if (rows.length === 0) return;
  const col = <T>(f: (row: AuditRow) => T): T[] => rows.map(f);
  await tx.$executeRaw`
    INSERT INTO audit_events
      (seq, id, occurred_at, actor_key_id, actor_role, action, target_type, target_id, request_id, payload, prev_hash, hash)
    SELECT seq, id, occurred_at, actor_key_id, actor_role, action, target_type, target_id, request_id, payload::jsonb,
           prev_hash, hash
    FROM unnest(
      ${col((r) => String(r.seq))}::bigint[], ${col((r) => r.id)}::uuid[], ${col((r) => r.occurredAt.toISOString())}::timestamptz[],
      ${col((r) => r.actorKeyId)}::text[], ${col((r) => r.actorRole)}::text[], ${col((r) => r.action)}::text[],
      ${col((r) => r.targetType)}::text[], ${col((r) => r.targetId)}::text[], ${col((r) => r.requestId)}::text[],
      ${col((r) => JSON.stringify(r.payload ?? null))}::text[], ${col((r) => r.prevHash)}::text[], ${col((r) => r.hash)}::text[]
    ) AS t(seq, id, occurred_at, actor_key_id, actor_role, action, target_type, target_id, request_id, payload, prev_hash, hash)`;
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
