import { mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { ensureTestDataRoot } from '../helpers/test-data-root.ts';
import { randomBytes } from 'node:crypto';
import {
  APP_ROLE,
  endpointToUrl,
  parseDatabaseUrl,
  provisionAppRole,
  startEmbeddedPostgres,
  type DbLogger,
  type EmbeddedPostgresHandle,
} from '../../src/db/embedded.ts';
import { deployMigrations, resetDatabase } from '../../src/db/schema-engine.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The owner role: migrations, administration, deliberate tampering. */
    databaseUrl: string;
    /** The service's role (compliance_app), as the service connects in production. */
    appDatabaseUrl: string;
  }
}

const logger: DbLogger = {
  info: () => undefined,
  debug: () => undefined,
  warn: (message) => console.warn(message),
  error: (message) => console.error(message),
};

/**
 * One database for the whole integration run, migrated and empty: TEST_DATABASE_URL (reset first, so its
 * contents are gone) or an embedded PostgreSQL in a fresh folder. Tests seed what they need themselves.
 */
export async function setup(project: TestProject): Promise<() => Promise<void>> {
  const startedAt = performance.now();
  let teardown: () => Promise<void>;
  let url: string;
  let appUrl: string;
  let where: string;

  const external = process.env.TEST_DATABASE_URL;
  if (external) {
    const endpoint = parseDatabaseUrl(external);
    // The migrations grant to the service's role, so it must exist first; it gets a fresh password here.
    const app = { user: APP_ROLE, password: randomBytes(24).toString('base64url') };
    await provisionAppRole(endpoint, app);
    await resetDatabase(endpoint, { logger });
    await deployMigrations(endpoint, { logger });
    url = external;
    appUrl = endpointToUrl({ ...endpoint, ...app });
    where = `TEST_DATABASE_URL (${endpoint.host}:${endpoint.port}/${endpoint.database})`;
    teardown = async () => undefined;
  } else {
    const dataDir = await mkdtemp(join(await ensureTestDataRoot(), 'pg-'));
    let server: EmbeddedPostgresHandle | undefined;
    teardown = async () => {
      await server?.stop();
      await rm(dataDir, { recursive: true, force: true });
    };
    try {
      server = await startEmbeddedPostgres({ dataDir, durable: false, logger });
      // Databases created during the run (the migration tests' scratch and shadow databases) copy template1: with
      // pg_trgm, unaccent and btree_gin there, a migration generated from the whole schema (its per-list trigram
      // index) applies. The project's own migrations create the extensions themselves.
      const template = new URL(endpointToUrl(server.endpoint));
      template.pathname = '/template1';
      const client = new pg.Client({ connectionString: template.toString() });
      await client.connect();
      try {
        await client.query('CREATE EXTENSION IF NOT EXISTS pg_trgm');
        await client.query('CREATE EXTENSION IF NOT EXISTS unaccent');
        await client.query('CREATE EXTENSION IF NOT EXISTS btree_gin');
      } finally {
        await client.end();
      }
      await deployMigrations(server.endpoint, { logger });
    } catch (error) {
      await teardown();
      throw error;
    }
    url = endpointToUrl(server.endpoint);
    appUrl = endpointToUrl(server.appEndpoint);
    where = `embedded PostgreSQL on ${server.endpoint.host}:${server.endpoint.port}`;
  }

  project.provide('databaseUrl', url);
  project.provide('appDatabaseUrl', appUrl);
  process.env.TEST_DATABASE_URL_RESOLVED = url;
  console.log(`integration database: ${where}, ready in ${Math.round(performance.now() - startedAt)} ms`);
  return teardown;
}
