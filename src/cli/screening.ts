/**
 * Restricted-party list administration:
 *
 *   npm run screening -- import <file>   # a Consolidated Screening List JSON file (trade.gov consolidated.json)
 *   npm run screening -- list            # imports, newest first
 *
 * `import` streams the file (it is tens of MB), validates every entry (malformed ones are reported by index and
 * skipped), writes a new versioned import in one transaction with its audit event, and prints the summary as
 * JSON on stdout. Target: DATABASE_URL if set, otherwise the embedded PostgreSQL in DATA_DIR.
 */
import { randomUUID } from 'node:crypto';
import { createReadStream, existsSync } from 'node:fs';
import { basename } from 'node:path';
import { ConfigError, loadConfig } from '../config.ts';
import { createPrismaClient } from '../db/client.ts';
import { deployMigrations } from '../db/schema-engine.ts';
import { openDatabaseTarget } from '../db/target.ts';
import { AppError } from '../errors.ts';
import { cslEntries } from '../services/csl-stream.ts';
import { getScreeningLists, importScreeningList } from '../services/screening.ts';

const USAGE = ['usage: npm run screening -- import <file>', '       npm run screening -- list'].join('\n');
const info = (message: string): void => void process.stderr.write(`${message}\n`);

async function main(): Promise<number> {
  const [command, file, ...rest] = process.argv.slice(2);
  if (rest.length > 0 || (command === 'import' && !file) || (command === 'list' && file) || !command) {
    info(USAGE);
    return 2;
  }
  if (command !== 'import' && command !== 'list') {
    info(`unknown command ${command}\n${USAGE}`);
    return 2;
  }
  if (command === 'import' && file && !existsSync(file)) {
    info(`no such file: ${file}`);
    return 2;
  }
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      info(error.message);
      return 78;
    }
    throw error;
  }
  const target = await openDatabaseTarget(config, {
    logger: { info: () => undefined, debug: () => undefined, warn: info, error: info },
  });
  const db = createPrismaClient(target.endpoint, { poolSize: 2 });
  try {
    info(`database: ${target.description}`);
    const applied = await deployMigrations(target.endpoint);
    if (applied.length > 0) info(`applied migrations: ${applied.join(', ')}`);
    const ctx = { db, actor: null, requestId: `cli:${randomUUID()}`, now: () => new Date() };
    if (command === 'list') {
      process.stdout.write(`${JSON.stringify(await getScreeningLists(ctx), null, 2)}\n`);
      return 0;
    }
    const started = performance.now();
    const summary = await importScreeningList(ctx, {
      entries: cslEntries(createReadStream(file as string)),
      origin: basename(file as string),
    });
    info(
      `imported ${summary.entries} entries (${summary.malformedCount} malformed) as ${summary.id} in ${((performance.now() - started) / 1000).toFixed(1)} s`,
    );
    process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
    return 0;
  } catch (error) {
    if (error instanceof AppError) {
      info(error.message);
      return 1;
    }
    throw error;
  } finally {
    await db.$disconnect();
    await target.embedded?.stop();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    info(error instanceof Error ? (error.stack ?? error.message) : String(error));
    process.exit(1);
  },
);
