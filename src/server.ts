import type { FastifyInstance } from 'fastify';
import { buildApp } from './app.ts';
import { ConfigError, loadConfig } from './config.ts';
import { createPrismaClient } from './db/client.ts';
import { parseDatabaseUrl, startEmbeddedPostgres, type EmbeddedPostgresHandle } from './db/embedded.ts';
import { listenForNotifications, type NotificationListener } from './db/notifications.ts';
import { deployMigrations } from './db/schema-engine.ts';
import { registerBootstrapKey } from './services/api-keys.ts';
import { REFERENCE_DATA_CHANNEL, ReferenceDataCache } from './services/reference-data.ts';
import { seedReferenceData } from './services/seed-reference-data.ts';
import { expireHolds } from './services/expire-holds.ts';

/** How often expired holds are released (README: within a minute of their expiry). */
const HOLD_SWEEP_INTERVAL_MS = 60_000;

/**
 * Entry point: parse the configuration, make sure the database exists and is migrated and seeded, build the app
 * and listen. With no DATABASE_URL the service runs its own embedded PostgreSQL in DATA_DIR.
 */
async function main(): Promise<void> {
  const startedAt = performance.now();
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(78);
    }
    throw error;
  }

  let embedded: EmbeddedPostgresHandle | null = null;
  let app: FastifyInstance | null = null;
  const endpoint = config.DATABASE_URL
    ? parseDatabaseUrl(config.DATABASE_URL)
    : (embedded = await startEmbeddedPostgres({ dataDir: config.DATA_DIR, port: config.EMBEDDED_PG_PORT }))
        .endpoint;
  const db = createPrismaClient(endpoint, { poolSize: config.DB_POOL_SIZE });

  let sweeper: NodeJS.Timeout | null = null;
  let listener: NotificationListener | null = null;
  let closing = false;
  const shutdown = async (signal: string): Promise<void> => {
    if (closing) return;
    closing = true;
    app?.log.info({ signal }, 'shutting down');
    if (sweeper) clearInterval(sweeper);
    await listener?.close();
    try {
      await app?.close();
      await db.$disconnect();
    } finally {
      await embedded?.stop();
      process.exit(0);
    }
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));

  try {
    const applied = await deployMigrations(endpoint);
    const seeded = await seedReferenceData(db);
    const bootstrap = config.BOOTSTRAP_OFFICER_KEY
      ? await registerBootstrapKey(db, config.BOOTSTRAP_OFFICER_KEY)
      : null;

    const reference = new ReferenceDataCache(db);
    app = await buildApp({ config, db, reference });
    const appLog = app.log;
    // Officers' changes in any process reach every process's reference cache through PostgreSQL.
    listener = listenForNotifications(
      endpoint,
      REFERENCE_DATA_CHANNEL,
      () => reference.invalidate(),
      (error) => appLog.warn({ err: error }, 'reference-data notifications: connection problem; retrying'),
    );
    await app.listen({ port: config.PORT, host: config.HOST });
    const log = app.log;
    sweeper = setInterval(() => {
      expireHolds({ db, actor: null, requestId: 'hold-expiry-sweeper', now: () => new Date() })
        .then((n) => (n > 0 ? log.info({ expired: n }, 'released expired holds') : undefined))
        .catch((error: unknown) => log.error({ err: error }, 'hold expiry sweep failed'));
    }, HOLD_SWEEP_INTERVAL_MS);
    sweeper.unref();
    app.log.info(
      {
        database: embedded ? `embedded PostgreSQL in ${config.DATA_DIR}` : 'DATABASE_URL',
        migrationsApplied: applied,
        seeded,
        bootstrapKey: bootstrap ? (bootstrap.created ? 'registered' : 'present') : 'not configured',
        startupMs: Math.round(performance.now() - startedAt),
      },
      `ready: Swagger UI at http://${config.HOST}:${config.PORT}/docs`,
    );
  } catch (error) {
    process.stderr.write(
      `Startup failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    await db.$disconnect().catch(() => undefined);
    await embedded?.stop();
    process.exit(1);
  }
}

void main();
