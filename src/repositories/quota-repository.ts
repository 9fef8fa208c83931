import { Prisma, type QuotaPoolKind } from '../generated/prisma/client.ts';
import { hotQuery, toNumber, type Db } from './db.ts';

export interface QuotaPoolRecord {
  id: string;
  kind: QuotaPoolKind;
  subject: string;
  year: number;
  capTpp: number;
  reservedTpp: number;
  shippedTpp: number;
}

type PoolRow = {
  id: string;
  kind: QuotaPoolKind;
  subject: string;
  year: number;
  capTpp: { toNumber(): number };
  reservedTpp: { toNumber(): number };
  shippedTpp: { toNumber(): number };
};

export function toPoolRecord(row: PoolRow): QuotaPoolRecord {
  return {
    id: row.id,
    kind: row.kind,
    subject: row.subject,
    year: row.year,
    capTpp: toNumber(row.capTpp),
    reservedTpp: toNumber(row.reservedTpp),
    shippedTpp: toNumber(row.shippedTpp),
  };
}

export async function findPool(
  db: Db,
  kind: QuotaPoolKind,
  subject: string,
  year: number,
): Promise<QuotaPoolRecord | null> {
  const row = await db.quotaPool.findUnique({ where: { kind_subject_year: { kind, subject, year } } });
  return row ? toPoolRecord(row) : null;
}

export interface PoolKey {
  kind: QuotaPoolKind;
  subject: string;
  year: number;
}

/**
 * Reads several pools in one query; pools nobody has used yet are simply absent. Plain SQL: this runs on every
 * Tier 2 check, and the ORM's query building cost more than the query.
 */
export async function findPools(db: Db, keys: PoolKey[]): Promise<QuotaPoolRecord[]> {
  if (keys.length === 0) return [];
  // Every Tier 2 check reads its pools.
  const rows = await hotQuery<{
    id: string;
    kind: QuotaPoolKind;
    subject: string;
    year: number;
    cap: string;
    reserved: string;
    shipped: string;
  }>(
    db,
    'find-pools',
    Prisma.sql`
    SELECT p.id, p.kind, p.subject, p.year, p.cap_tpp::text AS cap, p.reserved_tpp::text AS reserved,
           p.shipped_tpp::text AS shipped
    FROM quota_pools p
    JOIN unnest(${keys.map((k) => k.kind)}::"QuotaPoolKind"[], ${keys.map((k) => k.subject)}::text[], ${keys.map((k) => k.year)}::int[])
      AS k(kind, subject, year)
      ON p.kind = k.kind AND p.subject = k.subject AND p.year = k.year`,
  );
  return rows.map((r) => ({
    id: r.id,
    kind: r.kind,
    subject: r.subject,
    year: r.year,
    capTpp: Number(r.cap),
    reservedTpp: Number(r.reserved),
    shippedTpp: Number(r.shipped),
  }));
}

export interface AllocationUse {
  country: string;
  capTpp: number;
  reservedTpp: number;
  shippedTpp: number;
}

export interface LppUse {
  year: number;
  pools: number;
  capTpp: number;
  reservedTpp: number;
  shippedTpp: number;
}

/** Every country allocation pool, and LPP pools summed per year (one per consignee would be unbounded). */
export async function summarisePoolUse(db: Db): Promise<{ allocations: AllocationUse[]; lpp: LppUse[] }> {
  const rows = await db.$queryRaw<
    {
      kind: QuotaPoolKind;
      subject: string;
      year: number;
      pools: number;
      cap: string;
      reserved: string;
      shipped: string;
    }[]
  >`
    SELECT kind, CASE WHEN kind = 'LPP' THEN '' ELSE subject END AS subject, year, count(*)::int AS pools,
           sum(cap_tpp)::text AS cap, sum(reserved_tpp)::text AS reserved, sum(shipped_tpp)::text AS shipped
    FROM quota_pools
    GROUP BY 1, 2, 3`;
  const allocations: AllocationUse[] = [];
  const lpp: LppUse[] = [];
  for (const r of rows) {
    const use = { capTpp: Number(r.cap), reservedTpp: Number(r.reserved), shippedTpp: Number(r.shipped) };
    if (r.kind === 'LPP') lpp.push({ year: r.year, pools: r.pools, ...use });
    else allocations.push({ country: r.subject, ...use });
  }
  return { allocations, lpp };
}

/** A party's LPP budgets, one per calendar year in which it was used. */
export async function findLppPoolsOfParty(db: Db, partyId: string): Promise<QuotaPoolRecord[]> {
  const rows = await db.quotaPool.findMany({
    where: { kind: 'LPP', subject: partyId },
    orderBy: { year: 'asc' },
  });
  return rows.map(toPoolRecord);
}

export async function findPoolsByIds(db: Db, ids: string[]): Promise<QuotaPoolRecord[]> {
  if (ids.length === 0) return [];
  const rows = await db.quotaPool.findMany({ where: { id: { in: ids } } });
  return rows.map(toPoolRecord);
}
