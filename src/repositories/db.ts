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

/** Prisma's known request error codes, translated by repositories into domain errors. */
export function prismaErrorCode(error: unknown): string | undefined {
  if (typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string') {
    return error.code;
  }
  return undefined;
}
