import { poolOf } from '../db/client.ts';
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

/** Interactive transactions that may queue behind a hot pool's row lock get room, not Prisma's 5 s default. */
export const LEDGER_TX_OPTIONS = { maxWait: 30_000, timeout: 30_000 } as const;

/**
 * Runs `work` in one transaction, committed when it resolves and rolled back when it throws. Services decide
 * what one transaction covers (a mutation and its audit record); how it is opened stays here.
 */
export function inTransaction<T>(
  db: PrismaClient,
  work: (tx: Prisma.TransactionClient) => Promise<T>,
  options?: { maxWait?: number; timeout?: number },
): Promise<T> {
  return db.$transaction(work, options);
}

/**
 * A read that every check makes: run as a named prepared statement on the client's pool, skipping Prisma's
 * query interpreter (see bench/hot-statements.ts), unless `db` is an open transaction, which must see its own
 * writes. `sql` must have the same text whatever its values (arrays, not lists of placeholders).
 */
export async function hotQuery<T extends object>(db: Db, name: string, sql: Prisma.Sql): Promise<T[]> {
  const pool = poolOf(db);
  if (!pool) return db.$queryRaw<T[]>(sql);
  return (await pool.query<T>({ name, text: sql.text, values: sql.values })).rows;
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

function describeCause(cause: unknown): string {
  if (cause instanceof Error) return cause.message;
  if (typeof cause === 'string') return cause;
  if (cause === undefined || cause === null) return '';
  try {
    return JSON.stringify(cause);
  } catch {
    return '';
  }
}

/** A unique violation, whether Prisma raised it (P2002) or a raw statement did (the driver's 23505). */
export function isUniqueViolation(error: unknown): boolean {
  if (prismaErrorCode(error) === 'P2002') return true;
  const text =
    error instanceof Error
      ? `${error.message} ${describeCause((error as { cause?: unknown }).cause)}`
      : String(error);
  return /23505|unique constraint|duplicate key/i.test(text);
}
