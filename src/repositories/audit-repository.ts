import { poolOf } from '../db/client.ts';
import { Prisma } from '../generated/prisma/client.ts';
import type { Db, PrismaClient } from './db.ts';

/** Serialises audit writers across processes: the chain needs a single order of appends. */
const AUDIT_CHAIN_LOCK = 0x61756469; // 'audi'

/** An event as stored. Format 1 rows carry `payload` (jsonb); format 2 rows carry `record` (the hashed text). */
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
  callerRequestId: string | null;
  format: number;
  payload: unknown;
  record: string | null;
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
  callerRequestId?: string | undefined;
  /** Inclusive. */
  from?: Date | undefined;
  /** Exclusive. */
  to?: Date | undefined;
}

/** How much of the table one read may bring into memory: at most `rows` events and about `bytes` of content. */
export interface PageBudget {
  rows: number;
  bytes: number;
}

interface RawRow {
  seq: bigint;
  id: string;
  occurred_at: Date;
  actor_key_id: string | null;
  actor_role: string | null;
  action: string;
  target_type: string;
  target_id: string;
  request_id: string | null;
  caller_request_id: string | null;
  format: number;
  payload: unknown;
  record: string | null;
  prev_hash: string;
  hash: string;
}

function toRow(row: RawRow): AuditRow {
  return {
    seq: Number(row.seq),
    id: row.id,
    occurredAt: row.occurred_at,
    actorKeyId: row.actor_key_id,
    actorRole: row.actor_role,
    action: row.action,
    targetType: row.target_type,
    targetId: row.target_id,
    requestId: row.request_id,
    callerRequestId: row.caller_request_id,
    format: Number(row.format),
    payload: row.payload,
    record: row.record,
    prevHash: row.prev_hash,
    hash: row.hash,
  };
}

const COLUMNS = Prisma.sql`seq, id::text AS id, occurred_at, actor_key_id, actor_role, action, target_type, target_id,
  request_id, caller_request_id, format, payload, record, prev_hash, hash`;

/**
 * An event's size for page budgets, read without detoasting: octet_length of text is taken from the toast
 * header, pg_column_size of a format 1 jsonb payload is its stored (possibly compressed) size.
 */
const SIZE = Prisma.sql`(COALESCE(octet_length(record), pg_column_size(payload), 0) + 512)`;

/** Held until the caller's transaction ends, so the read of the chain's head and the append are one step. */
export async function lockAuditChain(tx: Db): Promise<void> {
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(${AUDIT_CHAIN_LOCK})`;
}

export async function findAuditHead(tx: Db): Promise<AuditLink | null> {
  const last = await tx.auditEvent.findFirst({ orderBy: { seq: 'desc' }, select: { seq: true, hash: true } });
  return last ? { seq: Number(last.seq), hash: last.hash } : null;
}

export async function findAuditLink(db: Db, seq: number): Promise<AuditLink | null> {
  const row = await db.auditEvent.findUnique({
    where: { seq: BigInt(seq) },
    select: { seq: true, hash: true },
  });
  return row ? { seq: Number(row.seq), hash: row.hash } : null;
}

/** An event row as written; the record is its hashed text. */
export type NewAuditRow = Omit<AuditRow, 'payload' | 'record' | 'format'>;

/**
 * One multi-row INSERT from a single json parameter: a constant-size statement whatever the batch, no ORM
 * serialisation of the records. json (not jsonb): PostgreSQL only validates it, and each record arrives as a
 * string that is stored as the text it is.
 */
const INSERT_EVENTS = `
    INSERT INTO audit_events
      (seq, id, occurred_at, actor_key_id, actor_role, action, target_type, target_id, request_id,
       caller_request_id, format, record, prev_hash, hash)
    SELECT seq, id, occurred_at, actor_key_id, actor_role, action, target_type, target_id, request_id,
           caller_request_id, 2, record, prev_hash, hash
    FROM json_to_recordset($1::json) AS t(seq bigint, id uuid, occurred_at timestamptz, actor_key_id text,
      actor_role text, action text, target_type text, target_id text, request_id text, caller_request_id text,
      record text, prev_hash text, hash text)`;

function insertParameter(rows: NewAuditRow[], records: string[]): string {
  return JSON.stringify(
    rows.map((r, i) => ({
      seq: r.seq,
      id: r.id,
      occurred_at: r.occurredAt.toISOString(),
      actor_key_id: r.actorKeyId,
      actor_role: r.actorRole,
      action: r.action,
      target_type: r.targetType,
      target_id: r.targetId,
      request_id: r.requestId,
      caller_request_id: r.callerRequestId,
      record: records[i],
      prev_hash: r.prevHash,
      hash: r.hash,
    })),
  );
}

export async function insertAuditEvents(tx: Db, rows: NewAuditRow[], records: string[]): Promise<void> {
  if (rows.length === 0) return;
  await tx.$executeRawUnsafe(INSERT_EVENTS, insertParameter(rows, records));
}

/** What an append writes, given the chain's head: the rows (seq and hashes assigned) and their records. */
export type ChainExtension = (head: AuditLink | null) => { rows: NewAuditRow[]; records: string[] };

/**
 * Appends to the chain in a transaction of its own, on the client's pool when it has one: the lock and the
 * head's read go in one round trip (a simple-protocol multi-statement query), the insert in a second, the
 * commit in a third, and none of it through Prisma's query interpreter or interactive transaction (about a
 * quarter of their CPU here). This is the group commit of every check's record: once per batch on the hot path.
 */
export async function appendToChain(db: PrismaClient, extend: ChainExtension): Promise<number> {
  const pool = poolOf(db);
  if (!pool)
    throw new Error('appendToChain needs a client made by createPrismaClient: it writes on its pool');
  const client = await pool.connect();
  let broken: Error | undefined;
  // A checked-out client has no listener for connection errors (the pool listens only while it is idle): a
  // server that goes away mid-batch must fail the batch's statements, not crash the process.
  const onError = (error: Error): void => {
    broken = error;
  };
  client.on('error', onError);
  try {
    const opened = (await client.query(
      `BEGIN; SELECT pg_advisory_xact_lock(${AUDIT_CHAIN_LOCK}); SELECT seq::text AS head_seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1`,
    )) as unknown as { rows: { head_seq: string; hash: string }[] }[];
    const last = opened[2]?.rows[0];
    const { rows, records } = extend(last ? { seq: Number(last.head_seq), hash: last.hash } : null);
    try {
      if (rows.length > 0)
        await client.query({
          name: 'audit-insert',
          text: INSERT_EVENTS,
          values: [insertParameter(rows, records)],
        });
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    }
    return rows.length;
  } catch (error) {
    // A failed BEGIN or lock may leave the connection mid-transaction or dead: it is not reused.
    broken = error instanceof Error ? error : new Error(String(error));
    throw error;
  } finally {
    client.removeListener('error', onError);
    client.release(broken);
  }
}

/**
 * Events in chain order after `afterSeq`, up to and including `upToSeq`, within the budget (always at least
 * one event, however large): one page of a streaming read. The running size is summed in the database, so
 * only the events that fit are sent.
 */
export async function findAuditChainPage(
  db: Db,
  afterSeq: number,
  upToSeq: number,
  budget: PageBudget,
): Promise<AuditRow[]> {
  const rows = await db.$queryRaw<RawRow[]>`
    WITH page AS (
      SELECT seq, sum(${SIZE}) OVER (ORDER BY seq) AS running, row_number() OVER (ORDER BY seq) AS n
      FROM audit_events
      WHERE seq > ${afterSeq} AND seq <= ${upToSeq}
      ORDER BY seq
      LIMIT ${budget.rows}
    )
    SELECT ${COLUMNS} FROM audit_events
    WHERE seq IN (SELECT seq FROM page WHERE running <= ${budget.bytes} OR n = 1)
    ORDER BY seq`;
  return rows.map(toRow);
}

function conditionsOf(filter: AuditFilter, beforeSeq: number | undefined): Prisma.Sql {
  const parts: Prisma.Sql[] = [Prisma.sql`TRUE`];
  if (filter.action !== undefined) parts.push(Prisma.sql`action = ${filter.action}`);
  if (filter.targetType !== undefined) parts.push(Prisma.sql`target_type = ${filter.targetType}`);
  if (filter.targetId !== undefined) parts.push(Prisma.sql`target_id = ${filter.targetId}`);
  if (filter.actorKeyId !== undefined) parts.push(Prisma.sql`actor_key_id = ${filter.actorKeyId}`);
  if (filter.requestId !== undefined) parts.push(Prisma.sql`request_id = ${filter.requestId}`);
  if (filter.callerRequestId !== undefined)
    parts.push(Prisma.sql`caller_request_id = ${filter.callerRequestId}`);
  if (filter.from !== undefined) parts.push(Prisma.sql`occurred_at >= ${filter.from}`);
  if (filter.to !== undefined) parts.push(Prisma.sql`occurred_at < ${filter.to}`);
  if (beforeSeq !== undefined) parts.push(Prisma.sql`seq < ${beforeSeq}`);
  return Prisma.join(parts, ' AND ');
}

/**
 * Newest first, keyset-paginated on seq so that pages stay stable while events are appended, and cut by the
 * byte budget as well as the row count (at least one event per page). `more` says whether older events
 * matching the filter were left for the next page.
 */
export async function findAuditEvents(
  db: Db,
  filter: AuditFilter,
  page: { beforeSeq?: number | undefined; budget: PageBudget },
): Promise<{ rows: AuditRow[]; more: boolean }> {
  const rows = await db.$queryRaw<(RawRow & { page_rows: bigint })[]>`
    WITH page AS (
      SELECT seq, sum(${SIZE}) OVER (ORDER BY seq DESC) AS running, row_number() OVER (ORDER BY seq DESC) AS n
      FROM audit_events
      WHERE ${conditionsOf(filter, page.beforeSeq)}
      ORDER BY seq DESC
      LIMIT ${page.budget.rows + 1}
    )
    SELECT ${COLUMNS}, (SELECT count(*) FROM page) AS page_rows FROM audit_events
    WHERE seq IN (SELECT seq FROM page WHERE (running <= ${page.budget.bytes} OR n = 1) AND n <= ${page.budget.rows})
    ORDER BY seq DESC`;
  const pageRows = rows.length > 0 ? Number(rows[0]?.page_rows) : 0;
  return { rows: rows.map(toRow), more: pageRows > rows.length };
}

export interface CheckpointRow {
  seq: number;
  hash: string;
  signedAt: Date;
  keyId: string;
  publicKey: string;
  signature: string;
}

function toCheckpoint(row: Prisma.AuditCheckpointGetPayload<object>): CheckpointRow {
  return { ...row, seq: Number(row.seq) };
}

export async function insertCheckpoint(db: Db, checkpoint: CheckpointRow): Promise<void> {
  await db.auditCheckpoint.createMany({
    data: [{ ...checkpoint, seq: BigInt(checkpoint.seq) }],
    skipDuplicates: true,
  });
}

/** Checkpoints with fromSeq <= seq <= toSeq, in chain order: those a verification page covers. */
export async function findCheckpointsBetween(
  db: Db,
  fromSeq: number,
  toSeq: number,
): Promise<CheckpointRow[]> {
  const rows = await db.auditCheckpoint.findMany({
    where: { seq: { gte: BigInt(fromSeq), lte: BigInt(toSeq) } },
    orderBy: [{ seq: 'asc' }, { keyId: 'asc' }],
  });
  return rows.map(toCheckpoint);
}

export async function findLatestCheckpoint(db: Db, keyId: string): Promise<CheckpointRow | null> {
  const row = await db.auditCheckpoint.findFirst({ where: { keyId }, orderBy: { seq: 'desc' } });
  return row ? toCheckpoint(row) : null;
}

/** Newest first; the cursor is the (seq, keyId) of the last checkpoint of the previous page. */
export async function findCheckpoints(
  db: Db,
  page: { after?: { seq: number; keyId: string } | undefined; limit: number },
): Promise<CheckpointRow[]> {
  const rows = await db.auditCheckpoint.findMany({
    orderBy: [{ seq: 'desc' }, { keyId: 'desc' }],
    take: page.limit,
    ...(page.after
      ? { cursor: { seq_keyId: { seq: BigInt(page.after.seq), keyId: page.after.keyId } }, skip: 1 }
      : {}),
  });
  return rows.map(toCheckpoint);
}
