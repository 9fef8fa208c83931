import type { FastifyInstance } from 'fastify';
import { inject } from 'vitest';
import { buildApp } from '../../src/app.ts';
import { loadConfig, type Config } from '../../src/config.ts';
import { createPrismaClient } from '../../src/db/client.ts';
import { parseDatabaseUrl } from '../../src/db/embedded.ts';
import type { KeyAuthenticator } from '../../src/http/plugins/auth.ts';
import type { PrismaClient } from '../../src/repositories/db.ts';
import type { ReferenceDataCache } from '../../src/services/reference-data.ts';
import { seedReferenceData } from '../../src/services/seed-reference-data.ts';

export interface TestApp {
  app: FastifyInstance;
  db: PrismaClient;
  config: Config;
  close: () => Promise<void>;
}

/** The service's role (compliance_app): what the app under test and spawned services connect as. */
export function testDatabaseUrl(): string {
  return inject('appDatabaseUrl');
}

/** The owner role: for creating databases, migrating, and tests that tamper with append-only tables. */
export function testOwnerDatabaseUrl(): string {
  return inject('databaseUrl');
}

export function testConfig(overrides: Record<string, string> = {}): Config {
  return loadConfig({
    LOG_LEVEL: 'silent',
    DATABASE_URL: testDatabaseUrl(),
    RATE_LIMIT_PER_MINUTE: '1000000',
    // Every injected request comes from 127.0.0.1, shared by all files: tests of the address limit use their own.
    RATE_LIMIT_UNAUTHENTICATED_PER_MINUTE: '1000000',
    // Checkpoints only where a test asks for them (checkpointNow): one signed behind a test's back would
    // change what verify reports on a table the test is tampering with.
    AUDIT_CHECKPOINT_EVERY: '0',
    AUDIT_CHECKPOINT_INTERVAL_SECONDS: '0',
    ...overrides,
  });
}

/** A real app on the shared test database, seeded with the reference data (idempotent and lock-guarded). */
export async function createTestApp(
  options: {
    env?: Record<string, string>;
    now?: () => Date;
    poolSize?: number;
    reference?: ReferenceDataCache;
    authenticator?: KeyAuthenticator;
  } = {},
): Promise<TestApp> {
  const config = testConfig(options.env);
  const db = createPrismaClient(parseDatabaseUrl(testDatabaseUrl()), { poolSize: options.poolSize ?? 5 });
  await seedReferenceData(db);
  const app = await buildApp({
    config,
    db,
    logger: false,
    ...(options.now ? { now: options.now } : {}),
    ...(options.reference ? { reference: options.reference } : {}),
    ...(options.authenticator ? { authenticator: options.authenticator } : {}),
  });
  await app.ready();
  return {
    app,
    db,
    config,
    close: async () => {
      await app.close();
      await db.$disconnect();
    },
  };
}
