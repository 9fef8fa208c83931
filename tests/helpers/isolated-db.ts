import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { createPrismaClient } from '../../src/db/client.ts';
import { endpointToUrl, parseDatabaseUrl, type DatabaseEndpoint } from '../../src/db/embedded.ts';
import { deployMigrations } from '../../src/db/schema-engine.ts';
import type { PrismaClient } from '../../src/repositories/db.ts';
import { testOwnerDatabaseUrl } from './test-app.ts';

export interface IsolatedDatabase {
  endpoint: DatabaseEndpoint;
  url: string;
  db: PrismaClient;
  drop: () => Promise<void>;
}

async function admin(sql: string): Promise<void> {
  const client = new pg.Client(parseDatabaseUrl(testOwnerDatabaseUrl()));
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/**
 * A migrated database of its own on the test server, reached as the owner role (so tests may tamper with it), for tests that must see whole tables: exact counts
 * of the audit chain, or tampering with it, which would break other files' expectations on the shared one.
 */
export async function createIsolatedDatabase(label: string): Promise<IsolatedDatabase> {
  const name = `${label}_${randomBytes(4).toString('hex')}`.toLowerCase().replace(/[^a-z0-9_]/g, '_');
  await admin(`CREATE DATABASE "${name}"`);
  const endpoint = { ...parseDatabaseUrl(testOwnerDatabaseUrl()), database: name };
  await deployMigrations(endpoint);
  const db = createPrismaClient(endpoint, { poolSize: 5 });
  return {
    endpoint,
    url: endpointToUrl(endpoint),
    db,
    drop: async () => {
      await db.$disconnect();
      await admin(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    },
  };
}
