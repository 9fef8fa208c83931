import { randomUUID } from 'node:crypto';
import type { LedgerEntryType, QuotaPoolKind } from '../generated/prisma/client.ts';
import { toNumber, type Db } from './db.ts';
import { toPoolRecord, type QuotaPoolRecord } from './quota-repository.ts';

interface RawPoolRow {
  id: string;
  kind: QuotaPoolKind;
  subject: string;
  year: number;
  cap_tpp: string;
  reserved_tpp: string;
  shipped_tpp: string;
}

function fromRaw(row: RawPoolRow): QuotaPoolRecord {
  return toPoolRecord({
    id: row.id,
    kind: row.kind,
    subject: row.subject,
    year: row.year,
    capTpp: { toNumber: () => Number(row.cap_tpp) },
    reservedTpp: { toNumber: () => Number(row.reserved_tpp) },
    shippedTpp: { toNumber: () => Number(row.shipped_tpp) },
  });
}

export interface PoolSpec {
  subject: string;
  year: number;
  /** The cap a pool opens with if it does not exist yet. */
  capTpp: number;
}

export function poolKey(subject: string, year: number): string {
  return `${subject}|${year}`;
}

/**
 * Returns the pool rows locked FOR UPDATE until the transaction ends, opening any that do not exist yet. One
 * statement: the upsert's DO UPDATE takes each row lock, so transactions that reserve against the same pool
 * queue here, in the database, whichever process they run in. Rows are locked in sorted order, the order every
 * writer uses, so two writers never wait on each other in a cycle. A new pool starts at zero and its opening cap
 * is an ADJUST entry, so the cap too is the sum of the pool's entries.
 */
export async function lockPools(
  db: Db,
  kind: QuotaPoolKind,
  specs: PoolSpec[],
  actorKeyId: string | null,
): Promise<Map<string, QuotaPoolRecord>> {
  const unique = [...new Map(specs.map((spec) => [poolKey(spec.subject, spec.year), spec])).values()].sort(
    (a, b) => (poolKey(a.subject, a.year) < poolKey(b.subject, b.year) ? -1 : 1),
  );
  const locked = new Map<string, QuotaPoolRecord>();
  if (unique.length === 0) return locked;
  const rows = await db.$queryRaw<(RawPoolRow & { inserted: boolean })[]>`
    INSERT INTO quota_pools (id, kind, subject, year, cap_tpp, updated_at)
    SELECT id, ${kind}::"QuotaPoolKind", subject, year, 0, now()
    FROM unnest(${unique.map(() => randomUUID())}::uuid[], ${unique.map((s) => s.subject)}::text[],
                ${unique.map((s) => s.year)}::int[]) WITH ORDINALITY AS t(id, subject, year, n)
    ORDER BY n
    ON CONFLICT (kind, subject, year) DO UPDATE SET updated_at = quota_pools.updated_at
    RETURNING id, kind, subject, year, cap_tpp::text, reserved_tpp::text, shipped_tpp::text, (xmax = 0) AS inserted`;
  const openings: LedgerChange[] = [];
  for (const row of rows) {
    const key = poolKey(row.subject, row.year);
    const record = fromRaw(row);
    if (row.inserted) {
      const capTpp = unique.find((s) => poolKey(s.subject, s.year) === key)?.capTpp ?? 0;
      openings.push({
        poolId: row.id,
        type: 'ADJUST',
        shipmentId: null,
        capDelta: capTpp,
        actorKeyId,
        note: 'opening allocation',
      });
      record.capTpp = capTpp;
    }
    locked.set(key, record);
  }
  await appendLedger(db, openings);
  if (locked.size !== unique.length) throw new Error(`quota pools of kind ${kind} could not all be locked`);
  return locked;
}

/** lockPools for one pool. */
export async function lockPool(
  db: Db,
  kind: QuotaPoolKind,
  subject: string,
  year: number,
  capTpp: number,
  actorKeyId: string | null,
): Promise<QuotaPoolRecord> {
  const locked = await lockPools(db, kind, [{ subject, year, capTpp }], actorKeyId);
  const record = locked.get(poolKey(subject, year));
  if (!record) throw new Error(`quota pool ${kind}/${subject}/${year} could not be locked`);
  return record;
}

/** Locks an existing pool by id (ship, cancel, expiry); pools are never deleted. */
export async function lockPoolById(db: Db, id: string): Promise<QuotaPoolRecord> {
  const rows = await db.$queryRaw<RawPoolRow[]>`
    SELECT id, kind, subject, year, cap_tpp::text, reserved_tpp::text, shipped_tpp::text
    FROM quota_pools WHERE id = ${id}::uuid FOR UPDATE`;
  const row = rows[0];
  if (!row) throw new Error(`quota pool ${id} does not exist`);
  return fromRaw(row);
}

export interface LedgerChange {
  poolId: string;
  type: LedgerEntryType;
  shipmentId: string | null;
  capDelta?: number;
  reservedDelta?: number;
  shippedDelta?: number;
  actorKeyId: string | null;
  note?: string;
}

/**
 * Appends ledger entries and applies their deltas to the pools' balances in the same transaction: a balance
 * never changes without the entry that explains it, and always equals the sum of its pool's entries.
 */
export async function appendLedger(db: Db, changes: LedgerChange[]): Promise<void> {
  if (changes.length === 0) return;
  const col = <T>(f: (c: LedgerChange) => T): T[] => changes.map(f);
  // One statement: the entries and the balance changes they explain cannot be separated, and a reservation
  // holding a pool's row lock spends one round trip here instead of one per entry plus one.
  await db.$executeRaw`
    WITH entries AS (
      INSERT INTO ledger_entries (pool_id, type, shipment_id, cap_delta, reserved_delta, shipped_delta, actor_key_id, note)
      SELECT * FROM unnest(
        ${col((c) => c.poolId)}::uuid[], ${col((c) => c.type)}::"LedgerEntryType"[], ${col((c) => c.shipmentId)}::uuid[],
        ${col((c) => c.capDelta ?? 0)}::numeric[], ${col((c) => c.reservedDelta ?? 0)}::numeric[],
        ${col((c) => c.shippedDelta ?? 0)}::numeric[], ${col((c) => c.actorKeyId)}::uuid[], ${col((c) => c.note ?? null)}::text[]
      )
      RETURNING pool_id, cap_delta, reserved_delta, shipped_delta
    )
    UPDATE quota_pools AS p
    SET cap_tpp = p.cap_tpp + d.cap, reserved_tpp = p.reserved_tpp + d.reserved, shipped_tpp = p.shipped_tpp + d.shipped,
        updated_at = now()
    FROM (
      SELECT pool_id, SUM(cap_delta) AS cap, SUM(reserved_delta) AS reserved, SUM(shipped_delta) AS shipped
      FROM entries GROUP BY pool_id
    ) AS d
    WHERE p.id = d.pool_id`;
}

export interface PoolReconciliation {
  poolId: string;
  capTpp: number;
  reservedTpp: number;
  shippedTpp: number;
  entriesCapTpp: number;
  entriesReservedTpp: number;
  entriesShippedTpp: number;
  /** The pool's opening cap: its cap less every ADJUST entry. */
  openingCapTpp: number;
}

/** Balances next to the sums of their entries, for reconciliation checks. */
export async function reconcilePools(db: Db, poolIds?: string[]): Promise<PoolReconciliation[]> {
  const rows = await db.$queryRaw<
    {
      id: string;
      cap: string;
      reserved: string;
      shipped: string;
      e_cap: string;
      e_reserved: string;
      e_shipped: string;
    }[]
  >`
    SELECT p.id, p.cap_tpp::text AS cap, p.reserved_tpp::text AS reserved, p.shipped_tpp::text AS shipped,
           COALESCE(SUM(e.cap_delta), 0)::text AS e_cap,
           COALESCE(SUM(e.reserved_delta), 0)::text AS e_reserved,
           COALESCE(SUM(e.shipped_delta), 0)::text AS e_shipped
    FROM quota_pools p LEFT JOIN ledger_entries e ON e.pool_id = p.id
    GROUP BY p.id`;
  const wanted = poolIds ? new Set(poolIds) : null;
  return rows
    .filter((r) => wanted === null || wanted.has(r.id))
    .map((r) => ({
      poolId: r.id,
      capTpp: Number(r.cap),
      reservedTpp: Number(r.reserved),
      shippedTpp: Number(r.shipped),
      entriesCapTpp: Number(r.e_cap),
      entriesReservedTpp: Number(r.e_reserved),
      entriesShippedTpp: Number(r.e_shipped),
      openingCapTpp: Number(r.cap) - Number(r.e_cap),
    }));
}

export { toNumber };
