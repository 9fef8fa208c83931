import type { Prisma } from '../generated/prisma/client.ts';
import { AppError } from '../errors.ts';
import { prismaErrorCode, toNumber, type Db } from './db.ts';

export interface LicenseRecord {
  id: string;
  number: string;
  organisationId: string;
  destination: string;
  consigneeId: string;
  eccns: string[];
  tppAuthorized: number;
  validFrom: string;
  validUntil: string;
  conditions: string | null;
  poolId: string;
  revokedAt: Date | null;
  revokeReason: string | null;
  createdAt: Date;
  updatedAt: Date;
}

type LicenseRow = Prisma.LicenseGetPayload<object>;

function toRecord(row: LicenseRow): LicenseRecord {
  return {
    ...row,
    destination: row.destination.trim(),
    tppAuthorized: toNumber(row.tppAuthorized),
    validFrom: row.validFrom.toISOString().slice(0, 10),
    validUntil: row.validUntil.toISOString().slice(0, 10),
  };
}

export type NewLicense = Omit<LicenseRecord, 'revokedAt' | 'revokeReason' | 'createdAt' | 'updatedAt'>;

export async function insertLicense(db: Db, license: NewLicense): Promise<LicenseRecord> {
  try {
    const row = await db.license.create({
      data: {
        ...license,
        validFrom: new Date(`${license.validFrom}T00:00:00Z`),
        validUntil: new Date(`${license.validUntil}T00:00:00Z`),
      },
    });
    return toRecord(row);
  } catch (error) {
    if (prismaErrorCode(error) === 'P2002') {
      throw new AppError('LICENSE_NUMBER_TAKEN', `Licence ${license.number} is already recorded.`, {
        cause: error,
      });
    }
    throw error;
  }
}

export async function findLicense(db: Db, id: string): Promise<LicenseRecord | null> {
  const row = await db.license.findUnique({ where: { id } });
  return row ? toRecord(row) : null;
}

export async function findLicenseByNumber(db: Db, number: string): Promise<LicenseRecord | null> {
  const row = await db.license.findUnique({ where: { number } });
  return row ? toRecord(row) : null;
}

/** Locks the licence row until the transaction ends: attachments and a revocation of one licence serialise. */
export async function findLicenseForUpdate(db: Db, id: string): Promise<LicenseRecord | null> {
  const locked = await db.$queryRaw<
    { id: string }[]
  >`SELECT id FROM licenses WHERE id = ${id}::uuid FOR UPDATE`;
  if (locked.length === 0) return null;
  return findLicense(db, id);
}

export async function listLicenses(
  db: Db,
  filter: { organisationId: string | null },
  limit: number,
): Promise<LicenseRecord[]> {
  const rows = await db.license.findMany({
    where: filter.organisationId !== null ? { organisationId: filter.organisationId } : {},
    orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
    take: limit,
  });
  return rows.map(toRecord);
}

export async function markLicenseRevoked(
  db: Db,
  id: string,
  at: Date,
  reason: string,
): Promise<LicenseRecord> {
  return toRecord(await db.license.update({ where: { id }, data: { revokedAt: at, revokeReason: reason } }));
}
