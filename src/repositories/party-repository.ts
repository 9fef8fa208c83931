import { randomUUID } from 'node:crypto';
import { Prisma } from '../generated/prisma/client.ts';
import { hotQuery, type Db } from './db.ts';

export interface PartyRecord {
  id: string;
  name: string;
  country: string;
  identityKey: string;
  address: string | null;
  createdAt: Date;
}

export async function findParty(db: Db, id: string): Promise<PartyRecord | null> {
  return db.party.findUnique({ where: { id } });
}

export async function findPartyByIdentity(
  db: Db,
  country: string,
  identityKey: string,
): Promise<PartyRecord | null> {
  // On every check.
  const rows = await hotQuery<PartyRecord>(
    db,
    'party-by-identity',
    Prisma.sql`SELECT id::text AS id, name, country, identity_key AS "identityKey", address, created_at AS "createdAt"
               FROM parties WHERE country = ${country} AND identity_key = ${identityKey}`,
  );
  return rows[0] ?? null;
}

export interface NewParty {
  name: string;
  country: string;
  identityKey: string;
  address: string | null;
}

/**
 * The parties with these identities, created where there are none; results in input order. One statement:
 * concurrent callers with two spellings of one name meet on the unique (country, identity_key) index, and every
 * one of them gets the same row. Rows are written (and so locked) in (country, identity_key) order, the order
 * every writer uses, so two writers never wait on each other in a cycle.
 */
export async function upsertParties(
  db: Db,
  parties: NewParty[],
): Promise<{ record: PartyRecord; created: boolean }[]> {
  if (parties.length === 0) return [];
  const rows = await db.$queryRaw<
    {
      id: string;
      name: string;
      country: string;
      identity_key: string;
      address: string | null;
      created_at: Date;
      inserted: boolean;
    }[]
  >`
    INSERT INTO parties (id, name, country, identity_key, address)
    SELECT id, name, country, identity_key, address
    FROM unnest(${parties.map(() => randomUUID())}::uuid[], ${parties.map((p) => p.name)}::text[],
                ${parties.map((p) => p.country)}::text[], ${parties.map((p) => p.identityKey)}::text[],
                ${parties.map((p) => p.address)}::text[]) AS t(id, name, country, identity_key, address)
    ORDER BY country, identity_key
    ON CONFLICT (country, identity_key) DO UPDATE SET identity_key = parties.identity_key
    RETURNING id, name, country, identity_key, address, created_at, (xmax = 0) AS inserted`;
  const byIdentity = new Map(rows.map((row) => [`${row.country.trim()}|${row.identity_key}`, row]));
  return parties.map((party) => {
    const row = byIdentity.get(`${party.country}|${party.identityKey}`);
    if (!row) throw new Error(`party ${party.country}/${party.identityKey} was not upserted`);
    return {
      record: {
        id: row.id,
        name: row.name,
        country: row.country.trim(),
        identityKey: row.identity_key,
        address: row.address,
        createdAt: row.created_at,
      },
      created: row.inserted,
    };
  });
}

export async function searchParties(
  db: Db,
  filter: { identityKeyContains?: string | undefined; country?: string | undefined },
  limit: number,
): Promise<PartyRecord[]> {
  return db.party.findMany({
    where: {
      ...(filter.identityKeyContains ? { identityKey: { contains: filter.identityKeyContains } } : {}),
      ...(filter.country ? { country: filter.country } : {}),
    },
    orderBy: [{ name: 'asc' }, { id: 'asc' }],
    take: limit,
  });
}
