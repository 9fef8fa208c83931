import type { FastifyInstance } from 'fastify';
import pino, { type Logger } from 'pino';
import { buildApp, loggerOptions } from './app.ts';
import type { Config } from './config.ts';
import { createPrismaClient } from './db/client.ts';
import type { DatabaseEndpoint } from './db/endpoint.ts';
import { listenForNotifications, type NotificationListener } from './db/notifications.ts';
import { deployMigrations } from './db/schema-engine.ts';
import {
  API_KEY_REVOKED_CHANNEL,
  firstStartKeyAdvice,
  forgetApiKeyEverywhere,
  registerBootstrapKey,
} from './services/api-keys.ts';
import { REFERENCE_DATA_CHANNEL, ReferenceDataCache } from './services/reference-data.ts';
import { seedReferenceData } from './services/seed-reference-data.ts';
import { startHoldSweeper } from './services/hold-sweeper.ts';

export interface ServiceOptions {
  config: Config;
  /** What the service connects as: in production a role that owns nothing. */
  endpoint: DatabaseEndpoint;
  /** Given only when the service itself should apply pending migrations first (as the owner role). */
  migrateWith?: DatabaseEndpoint;
  /** Where the service logs before its HTTP logger exists. */
  log?: Logger;
}

export interface RunningService {
  app: FastifyInstance;
  /** Stops taking connections, finishes every request in flight, then closes the database pools. */
  close(): Promise<void>;
}

/** A pino logger configured like the app's, for the entry points' own messages. */
export function createLogger(config: Config): Logger {
  const options = loggerOptions(config);
  return pino(typeof options === 'object' ? options : {});
}

/**
 * The service proper, on a database it is given: optionally migrate, load the reference data, register the
 * bootstrap key, listen, and sweep expired holds. Used by src/server.ts (production) and the launcher (npm start).
 */
export async function startService(options: ServiceOptions): Promise<RunningService> {
  const startedAt = performance.now();
  const { config, endpoint } = options;
  const log = options.log ?? createLogger(config);
  const db = createPrismaClient(endpoint, {
    poolSize: config.DB_POOL_SIZE,
    // A pooled connection the server dropped (a restart, an outage) is replaced on next use.
    onPoolError: (error) => log.warn({ err: error }, 'database pool: an idle connection failed'),
  });
  let app: FastifyInstance | null = null;
  let listener: NotificationListener | null = null;
  let revocations: NotificationListener | null = null;
  try {
    const applied = options.migrateWith ? await deployMigrations(options.migrateWith) : null;
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
    // A key revoked by any process leaves this process's key cache as soon as the revocation commits.
    revocations = listenForNotifications(
      endpoint,
      API_KEY_REVOKED_CHANNEL,
      (keyId) => forgetApiKeyEverywhere(keyId),
      (error) => appLog.warn({ err: error }, 'key revocation notifications: connection problem; retrying'),
    );
    await app.listen({ port: config.PORT, host: config.HOST });
    const sweeper = startHoldSweeper({ db, log: appLog });
    const address = app.server.address();
    const port = typeof address === 'object' && address ? address.port : config.PORT;
    app.log.info(
      {
        database: `${endpoint.user}@${endpoint.host}:${endpoint.port}/${endpoint.database}`,
        migrationsApplied: applied ?? 'not asked (MIGRATE_ON_START=false)',
        seeded,
        bootstrapKey: bootstrap ? (bootstrap.created ? 'registered' : 'present') : 'not configured',
        port,
        startupMs: Math.round(performance.now() - startedAt),
      },
      `ready: Swagger UI at http://${config.HOST}:${port}/docs`,
    );
    const advice = await firstStartKeyAdvice(db, config.BOOTSTRAP_OFFICER_KEY !== undefined);
    if (advice) app.log.warn(advice);

    const running = app;
    const runningListeners = [listener, revocations];
    let closing: Promise<void> | undefined;
    return {
      app: running,
      close: () =>
        (closing ??= (async () => {
          await sweeper.stop();
          // Fastify stops accepting, closes idle keep-alive connections and waits for requests in flight.
          await running.close();
          await Promise.all(runningListeners.map((l) => l.close()));
          await db.$disconnect();
        })()),
    };
  } catch (error) {
    await listener?.close().catch(() => undefined);
    await revocations?.close().catch(() => undefined);
    await app?.close().catch(() => undefined);
    await db.$disconnect().catch(() => undefined);
    throw error;
  }
}
