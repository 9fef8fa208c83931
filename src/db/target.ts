import type { Config } from '../config.ts';
import {
  parseDatabaseUrl,
  runningEmbeddedEndpoints,
  startEmbeddedPostgres,
  type DatabaseEndpoint,
  type DbLogger,
  type EmbeddedPostgresHandle,
} from './embedded.ts';

/** The database a command-line tool works on, and the embedded server it started for that, if any. */
export interface DatabaseTarget {
  endpoint: DatabaseEndpoint;
  description: string;
  embedded: EmbeddedPostgresHandle | null;
}

/**
 * DATABASE_URL if set; else the embedded PostgreSQL already serving DATA_DIR (a running service); else one started
 * on DATA_DIR for the duration of the command, on a free port so it never collides with a service elsewhere.
 * On the embedded server, commands log in as its owner role (they migrate and administer).
 */
export async function openDatabaseTarget(
  config: Pick<Config, 'DATABASE_URL' | 'DATA_DIR'>,
  options: { logger?: DbLogger } = {},
): Promise<DatabaseTarget> {
  if (config.DATABASE_URL) {
    const endpoint = parseDatabaseUrl(config.DATABASE_URL);
    return {
      endpoint,
      description: `DATABASE_URL (${endpoint.host}:${endpoint.port}/${endpoint.database})`,
      embedded: null,
    };
  }
  const running = await runningEmbeddedEndpoints(config.DATA_DIR);
  if (running) {
    return {
      endpoint: running.owner,
      description: `embedded PostgreSQL already running on ${config.DATA_DIR} (port ${running.owner.port})`,
      embedded: null,
    };
  }
  const embedded = await startEmbeddedPostgres({
    dataDir: config.DATA_DIR,
    ...(options.logger ? { logger: options.logger } : {}),
  });
  return { endpoint: embedded.endpoint, description: `embedded PostgreSQL in ${config.DATA_DIR}`, embedded };
}
