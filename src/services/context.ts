import type { FastifyBaseLogger } from 'fastify';
import type { Config } from '../config.ts';
import type { Actor } from '../http/access.ts';
import type { PrismaClient } from '../repositories/db.ts';
import type { ReferenceDataCache } from './reference-data.ts';

/** What every use case receives besides its input: who asks, under which request, with which resources. */
export interface ServiceContext {
  db: PrismaClient;
  /** Countries and products as checks read them (see reference-data.ts). */
  reference: ReferenceDataCache;
  config: Config;
  actor: Actor | null;
  requestId: string;
  log: FastifyBaseLogger;
  /** The clock, injectable so tests can pin "today". */
  now: () => Date;
}

/** Calendar date (UTC) as YYYY-MM-DD. */
export function isoDate(date: Date): string {
  return date.toISOString().slice(0, 10);
}
