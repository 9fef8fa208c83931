import { randomUUID } from 'node:crypto';
import type { Db } from './db.ts';

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
  return db.party.findUnique({ where: { country_identityKey: { country, identityKey } } });
}

/**
 * The party with this identity, created if there is none. One statement: concurrent callers with two spellings
 * of one name meet on the unique (country, identity_key) index, and every one of them gets the same row.
 */
export async function upsertParty(
  db: Db,
  party: { name: string; country: string; identityKey: string; address: string | null },
): Promise<{ record: PartyRecord; created: boolean }> {
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
    VALUES (${randomUUID()}::uuid, ${party.name}, ${party.country}, ${party.identityKey}, ${party.address})
    ON CONFLICT (country, identity_key) DO UPDATE SET identity_key = parties.identity_key
    RETURNING id, name, country, identity_key, address, created_at, (xmax = 0) AS inserted`;
  const row = rows[0];
  if (!row) throw new Error('party upsert returned no row');
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
