import type { Tier } from '../generated/prisma/client.ts';
import type { CountrySeed } from '../reference/countries.ts';
import { toNumberOrNull, type Db } from './db.ts';

export interface CountryRecord {
  code: string;
  name: string;
  tier: Tier;
  tierSource: string;
  allocationTpp: number | null;
  allocationSource: string | null;
  govToGovArrangement: boolean;
  officerModifiedAt: Date | null;
  updatedAt: Date;
}

type CountryRow = {
  code: string;
  name: string;
  tier: Tier;
  tierSource: string;
  allocationTpp: { toNumber(): number } | null;
  allocationSource: string | null;
  govToGovArrangement: boolean;
  officerModifiedAt: Date | null;
  updatedAt: Date;
};

function toRecord(row: CountryRow): CountryRecord {
  return {
    code: row.code,
    name: row.name,
    tier: row.tier,
    tierSource: row.tierSource,
    allocationTpp: toNumberOrNull(row.allocationTpp),
    allocationSource: row.allocationSource,
    govToGovArrangement: row.govToGovArrangement,
    officerModifiedAt: row.officerModifiedAt,
    updatedAt: row.updatedAt,
  };
}

export async function listCountries(db: Db, filter: { tier?: Tier | undefined }): Promise<CountryRecord[]> {
  const rows = await db.country.findMany({
    where: filter.tier ? { tier: filter.tier } : {},
    orderBy: { code: 'asc' },
  });
  return rows.map(toRecord);
}

export async function findCountry(db: Db, code: string): Promise<CountryRecord | null> {
  const row = await db.country.findUnique({ where: { code } });
  return row ? toRecord(row) : null;
}

export async function findCountries(db: Db, codes: string[]): Promise<Map<string, CountryRecord>> {
  const rows = await db.country.findMany({ where: { code: { in: codes } } });
  return new Map(rows.map((row) => [row.code, toRecord(row)]));
}

/** Locks the row for the rest of the transaction, so concurrent officer edits serialise. */
export async function findCountryForUpdate(db: Db, code: string): Promise<CountryRecord | null> {
  const locked = await db.$queryRaw<
    { code: string }[]
  >`SELECT code FROM countries WHERE code = ${code} FOR UPDATE`;
  if (locked.length === 0) return null;
  return findCountry(db, code);
}

export async function updateCountry(
  db: Db,
  code: string,
  patch: { tier?: Tier; allocationTpp?: number | null; govToGovArrangement?: boolean },
  modifiedAt: Date,
): Promise<CountryRecord> {
  const row = await db.country.update({
    where: { code },
    data: { ...patch, officerModifiedAt: modifiedAt },
  });
  return toRecord(row);
}

/**
 * Inserts missing countries and refreshes the seeded facts of rows no officer has touched. A row an officer
 * changed (officerModifiedAt set) is left exactly as the officer left it.
 */
export async function upsertCountrySeeds(
  db: Db,
  seeds: CountrySeed[],
): Promise<{ inserted: number; refreshed: number }> {
  const existing = new Map((await db.country.findMany()).map((row) => [row.code, toRecord(row)]));
  const toInsert = seeds.filter((seed) => !existing.has(seed.code));
  if (toInsert.length > 0) {
    await db.country.createMany({ data: toInsert, skipDuplicates: true });
  }
  let refreshed = 0;
  for (const seed of seeds) {
    const current = existing.get(seed.code);
    if (current === undefined || current.officerModifiedAt !== null) continue;
    const unchanged =
      current.name === seed.name &&
      current.tier === seed.tier &&
      current.tierSource === seed.tierSource &&
      current.allocationTpp === seed.allocationTpp &&
      current.allocationSource === seed.allocationSource;
    if (unchanged) continue;
    const { count } = await db.country.updateMany({
      // The officerModifiedAt condition re-checks at write time, in case an officer edited meanwhile.
      where: { code: seed.code, officerModifiedAt: null },
      data: {
        name: seed.name,
        tier: seed.tier,
        tierSource: seed.tierSource,
        allocationTpp: seed.allocationTpp,
        allocationSource: seed.allocationSource,
      },
    });
    refreshed += count;
  }
  return { inserted: toInsert.length, refreshed };
}
