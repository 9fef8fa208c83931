import type { Prisma, PrismaClient } from '../generated/prisma/client.ts';

export type { PrismaClient } from '../generated/prisma/client.ts';

/** A client or an open transaction: repositories accept either, so services own the transaction. */
export type Db = PrismaClient | Prisma.TransactionClient;

type DecimalLike = { toNumber(): number };

export function toNumber(value: DecimalLike | number): number {
  return typeof value === 'number' ? value : value.toNumber();
}

export function toNumberOrNull(value: DecimalLike | number | null): number | null {
  return value === null ? null : toNumber(value);
}

/** Readiness: one round trip to the database. */
export async function pingDatabase(db: Db): Promise<void> {
  await db.$queryRaw`SELECT 1`;
}

/** Sends a PostgreSQL notification; inside a transaction it is delivered only if that transaction commits. */
export async function notify(db: Db, channel: string, payload: string): Promise<void> {
  await db.$executeRaw`SELECT pg_notify(${channel}, ${payload})`;
}

/** A transaction-scoped advisory lock: held until the caller's transaction ends. */
export async function advisoryTransactionLock(db: Db, key: number): Promise<void> {
  await db.$executeRaw`SELECT pg_advisory_xact_lock(${key})`;
}

/** Prisma's known request error codes, translated by repositories into domain errors. */
export function prismaErrorCode(error: unknown): string | undefined {
  if (typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string') {
    return error.code;
  }
  return undefined;
}

/** A unique violation, whether Prisma raised it (P2002) or a raw statement did (the driver's 23505). */
export function isUniqueViolation(error: unknown): boolean {
  if (prismaErrorCode(error) === 'P2002') return true;
  const text =
    error instanceof Error
      ? `${error.message} ${String((error as { cause?: unknown }).cause ?? '')}`
      : String(error);
  return /23505|unique constraint|duplicate key/i.test(text);
}
