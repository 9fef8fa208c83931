import type { QuotaPoolKind } from '../generated/prisma/client.ts';
import { toNumber, type Db } from './db.ts';

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

/** Reads several pools in one query; pools nobody has used yet are simply absent. */
export async function findPools(db: Db, keys: PoolKey[]): Promise<QuotaPoolRecord[]> {
  if (keys.length === 0) return [];
  const rows = await db.quotaPool.findMany({ where: { OR: keys } });
  return rows.map(toPoolRecord);
}
