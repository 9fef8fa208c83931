import { pingDatabase, type PrismaClient } from '../repositories/db.ts';

/** Readiness means the database answers. */
export async function checkDatabase(db: PrismaClient): Promise<void> {
  await pingDatabase(db);
}
