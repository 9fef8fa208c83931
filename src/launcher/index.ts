import { ConfigError, loadConfig, type Config } from '../config.ts';
import { parseDatabaseUrl } from '../db/endpoint.ts';
import { deployMigrations } from '../db/schema-engine.ts';
import { createLogger, startService, type RunningService } from '../service.ts';
import { superviseEmbeddedPostgres, type SupervisedPostgres } from './postgres-supervisor.ts';

const EXIT_CONFIG = 78;

/**
 * `npm start`: what a laptop needs around the service. With no DATABASE_URL it provisions the embedded
 * PostgreSQL in DATA_DIR (and keeps it running), applies pending migrations as the owner role, then starts the
 * service in this process as the service's role. On SIGINT/SIGTERM (Ctrl-C reaches the whole process group;
 * PostgreSQL has a group of its own) it drains HTTP first and stops PostgreSQL last.
 */
async function main(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`${error.message}\n`);
    process.exit(EXIT_CONFIG);
  }
  const log = createLogger(config);

  let postgres: SupervisedPostgres | null = null;
  let service: RunningService | null = null;
  let stopping: Promise<void> | null = null;
  const stop = (signal: NodeJS.Signals): void => {
    if (stopping) {
      log.warn({ signal }, 'already stopping: waiting for requests in flight to finish');
      return;
    }
    log.info({ signal }, 'stopping: draining requests, then PostgreSQL');
    stopping = (async () => {
      await service?.close();
      await postgres?.stop();
    })().then(
      () => process.exit(0),
      (error: unknown) => {
        log.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);

  try {
    let serviceEndpoint;
    let ownerEndpoint;
    if (config.DATABASE_URL) {
      serviceEndpoint = parseDatabaseUrl(config.DATABASE_URL);
      ownerEndpoint = parseDatabaseUrl(config.MIGRATION_DATABASE_URL ?? config.DATABASE_URL);
    } else {
      postgres = await superviseEmbeddedPostgres({
        dataDir: config.DATA_DIR,
        port: config.EMBEDDED_PG_PORT,
        log,
      });
      serviceEndpoint = postgres.app;
      ownerEndpoint = postgres.owner;
    }
    if (stopping) return;
    const applied = await deployMigrations(ownerEndpoint);
    log.info({ applied }, applied.length ? 'migrations applied' : 'no pending migrations');
    if (stopping) return;
    service = await startService({ config, endpoint: serviceEndpoint, log });
  } catch (error) {
    log.fatal({ err: error }, 'startup failed');
    await postgres?.stop().catch(() => undefined);
    process.exit(1);
  }
}

void main();
