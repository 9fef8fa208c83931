import type { Role } from '../generated/prisma/client.ts';
import type { Db } from './db.ts';

export interface ApiKeyRecord {
  id: string;
  name: string;
  role: Role;
  prefix: string;
  createdAt: Date;
  revokedAt: Date | null;
  organisationId: string | null;
  expiresAt: Date | null;
}

const PUBLIC_FIELDS = {
  id: true,
  name: true,
  role: true,
  prefix: true,
  createdAt: true,
  revokedAt: true,
  organisationId: true,
  expiresAt: true,
} as const;

export async function findActiveKeyByHash(db: Db, keyHash: string): Promise<ApiKeyRecord | null> {
  return db.apiKey.findFirst({ where: { keyHash, revokedAt: null }, select: PUBLIC_FIELDS });
}

export async function countActiveKeys(db: Db, role: Role): Promise<number> {
  return db.apiKey.count({ where: { role, revokedAt: null } });
}

export async function findKey(db: Db, id: string): Promise<ApiKeyRecord | null> {
  return db.apiKey.findUnique({ where: { id }, select: PUBLIC_FIELDS });
}

export async function listKeys(db: Db): Promise<ApiKeyRecord[]> {
  return db.apiKey.findMany({ select: PUBLIC_FIELDS, orderBy: { createdAt: 'asc' } });
}

export async function insertKey(
  db: Db,
  key: {
    name: string;
    role: Role;
    keyHash: string;
    prefix: string;
    organisationId: string | null;
    expiresAt: Date | null;
  },
): Promise<ApiKeyRecord> {
  return db.apiKey.create({ data: key, select: PUBLIC_FIELDS });
}

/** Registers a key by hash unless it exists; returns the row and whether it was created. */
export async function ensureKey(
  db: Db,
  key: {
    name: string;
    role: Role;
    keyHash: string;
    prefix: string;
    organisationId: string | null;
    expiresAt: Date | null;
  },
): Promise<{ record: ApiKeyRecord; created: boolean }> {
  const existing = await db.apiKey.findUnique({ where: { keyHash: key.keyHash }, select: PUBLIC_FIELDS });
  if (existing) return { record: existing, created: false };
  const created = await db.apiKey.createManyAndReturn({
    data: [key],
    skipDuplicates: true,
    select: PUBLIC_FIELDS,
  });
  const record =
    created[0] ??
    (await db.apiKey.findUniqueOrThrow({ where: { keyHash: key.keyHash }, select: PUBLIC_FIELDS }));
  return { record, created: created.length > 0 };
}

export async function revokeKey(db: Db, id: string, at: Date): Promise<ApiKeyRecord | null> {
  const { count } = await db.apiKey.updateMany({ where: { id, revokedAt: null }, data: { revokedAt: at } });
  if (count === 0) return findKey(db, id);
  return findKey(db, id);
}
