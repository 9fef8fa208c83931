/**
 * Database commands, on Prisma's WASM schema engine (the native engine cannot be downloaded here):
 *
 *   npm run db:migrate -- --name <name>   write a migration from the schema diff, then apply pending ones
 *   npm run db:deploy                     apply pending migrations (prisma migrate deploy)
 *   npm run db:status                     exit 2 unless every migration is applied, none failed or edited
 *   npm run db:diff                       print the SQL the migrations lack; exit 2 when there is some
 *   npm run db:reset [-- --force]         drop everything, then apply all migrations
 *   npm run db:seed                       load the reference data (idempotent)
 *
 * Target: DATABASE_URL if set; otherwise the embedded PostgreSQL in DATA_DIR (default ./.data), started
 * for the command, or the one already running there (the service's) if there is one. Exit 1 on error.
 */
import { parseArgs } from 'node:util';
import { openDatabaseTarget } from '../db/target.ts';
import { loadDatabaseConfig } from '../config.ts';
import type { DatabaseEndpoint } from '../db/endpoint.ts';
import {
  createMigration,
  deployMigrations,
  diffSchemaAgainstMigrations,
  migrationStatus,
  resetDatabase,
  type MigrationStatus,
} from '../db/schema-engine.ts';

const COMMANDS = ['migrate', 'deploy', 'status', 'diff', 'reset', 'seed'] as const;
type Command = (typeof COMMANDS)[number];

const info = (message: string): void => void process.stderr.write(`${message}\n`);

const HELP = [
  "Database commands (npm run db:<command>), on the WASM build of Prisma's schema engine:",
  '  db:migrate -- --name <name>   write a migration from the schema diff, then apply pending ones',
  '  db:deploy                     apply pending migrations',
  '  db:status                     exit 2 unless every migration is applied, none failed or edited',
  '  db:diff                       print the SQL the migrations lack; exit 2 when there is some',
  '  db:reset [-- --force]         drop everything, then apply all migrations (--force with DATABASE_URL)',
  '  db:seed                       load the reference data (idempotent)',
  'Target: DATABASE_URL if set; otherwise the embedded PostgreSQL in DATA_DIR (default ./.data).',
].join('\n');

async function main(): Promise<number> {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: {
      name: { type: 'string' },
      force: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(`${HELP}\n`);
    return 0;
  }
  const command = positionals[0] as Command | undefined;
  if (!command || !COMMANDS.includes(command)) {
    info(`usage: npm run db:<command> <${COMMANDS.join('|')}> [--name <migration name>] [--force]`);
    return 1;
  }
  if (command === 'migrate' && !values.name) {
    info('db:migrate needs a name: npm run db:migrate -- --name <what_changed>');
    return 1;
  }
  const config = loadDatabaseConfig();
  if (command === 'reset' && config.DATABASE_URL && !values.force) {
    info('db:reset drops every table of the DATABASE_URL database; add -- --force to confirm.');
    return 1;
  }

  const target = await openDatabaseTarget(config);
  try {
    info(`database: ${target.description}`);
    return await run(command, target.endpoint, values.name ?? '');
  } finally {
    await target.embedded?.stop();
  }
}

async function run(command: Command, endpoint: DatabaseEndpoint, name: string): Promise<number> {
  switch (command) {
    case 'migrate': {
      const created = await createMigration(endpoint, name);
      info(
        created
          ? `created prisma/migrations/${created}/migration.sql`
          : 'the migrations already produce the schema: nothing to create',
      );
      reportApplied(await deployMigrations(endpoint));
      return 0;
    }
    case 'deploy':
      reportApplied(await deployMigrations(endpoint));
      return 0;
    case 'status': {
      const status = await migrationStatus(endpoint);
      printStatus(status);
      return status.clean ? 0 : 2;
    }
    case 'diff': {
      const script = await diffSchemaAgainstMigrations(endpoint);
      if (!script) {
        info('the migrations produce exactly the schema');
        return 0;
      }
      process.stdout.write(script.endsWith('\n') ? script : `${script}\n`);
      info('the schema differs from the migrations: run npm run db:migrate -- --name <what_changed>');
      return 2;
    }
    case 'reset':
      await resetDatabase(endpoint);
      info('database reset');
      reportApplied(await deployMigrations(endpoint));
      return 0;
    case 'seed': {
      // Loaded here only, so the migration commands keep working while the domain code is being changed.
      const { seedReferenceData } = await import('../services/seed-reference-data.ts');
      const { createPrismaClient } = await import('../db/client.ts');
      const prisma = createPrismaClient(endpoint, { poolSize: 2 });
      try {
        const result = await seedReferenceData(prisma);
        info(`seeded: ${JSON.stringify(result)}`);
      } finally {
        await prisma.$disconnect();
      }
      return 0;
    }
  }
}

function reportApplied(applied: string[]): void {
  info(applied.length === 0 ? 'no pending migrations' : `applied: ${applied.join(', ')}`);
}

function printStatus(status: MigrationStatus): void {
  const lines = [
    `${status.inDirectory.length} migration(s) in prisma/migrations`,
    status.hasMigrationsTable ? null : 'the database has no _prisma_migrations table yet',
    status.pending.length ? `not applied yet: ${status.pending.join(', ')}` : null,
    status.failed.length ? `FAILED: ${status.failed.join(', ')}` : null,
    status.edited.length ? `EDITED after being applied: ${status.edited.join(', ')}` : null,
    status.unpersisted.length
      ? `applied but missing from prisma/migrations: ${status.unpersisted.join(', ')}`
      : null,
    status.clean ? 'the database is up to date' : 'the database is NOT up to date',
  ];
  for (const line of lines) if (line) process.stdout.write(`${line}\n`);
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    info(error instanceof Error ? (error.stack ?? error.message) : String(error));
    process.exit(1);
  },
);
