import { ConfigError, loadConfig, type Config } from './config.ts';
import { parseDatabaseUrl } from './db/endpoint.ts';
import { createLogger, startService } from './service.ts';

/** EX_CONFIG from sysexits.h: the configuration is unusable. */
const EXIT_CONFIG = 78;

/**
 * Production entry point (`node dist/server.js`): the service on the database DATABASE_URL names. It never
 * provisions a database and migrates only when MIGRATE_ON_START=true; `npm start` (src/launcher) is the
 * laptop's way, with an embedded PostgreSQL.
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
  if (!config.DATABASE_URL) {
    process.stderr.write(
      'DATABASE_URL is required: the postgresql:// URL of the service role (see README, Configuration). ' +
        'For a local database run `npm start`, which provisions one.\n',
    );
    process.exit(EXIT_CONFIG);
  }
  const log = createLogger(config);
  let endpoint;
  let migrateWith;
  try {
    endpoint = parseDatabaseUrl(config.DATABASE_URL);
    if (config.MIGRATE_ON_START)
      migrateWith = parseDatabaseUrl(config.MIGRATION_DATABASE_URL ?? config.DATABASE_URL);
  } catch (error) {
    // The parser's messages never include the URL, so no password reaches the log.
    process.stderr.write(`DATABASE_URL: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(EXIT_CONFIG);
  }

  let service: Awaited<ReturnType<typeof startService>>;
  try {
    service = await startService({ config, endpoint, log, ...(migrateWith ? { migrateWith } : {}) });
  } catch (error) {
    log.fatal({ err: error }, 'startup failed');
    process.exit(1);
  }

  let stopping = false;
  const stop = (signal: NodeJS.Signals): void => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'draining requests, then stopping');
    service.close().then(
      () => process.exit(0),
      (error: unknown) => {
        log.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

void main();
