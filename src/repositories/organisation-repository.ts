import type { Db } from './db.ts';

export interface OrganisationRecord {
  id: string;
  name: string;
  country: string;
  createdAt: Date;
}

export async function insertOrganisation(
  db: Db,
  organisation: { name: string; country: string },
): Promise<OrganisationRecord> {
  return db.organisation.create({ data: organisation });
}

export async function findOrganisation(db: Db, id: string): Promise<OrganisationRecord | null> {
  return db.organisation.findUnique({ where: { id } });
}

export async function listOrganisations(db: Db): Promise<OrganisationRecord[]> {
  return db.organisation.findMany({ orderBy: [{ createdAt: 'asc' }, { id: 'asc' }] });
}
