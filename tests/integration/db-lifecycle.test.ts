import { seededRandom, seedFor } from '../helpers/seed.ts';
import { spawnSync } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { cp, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ensureTestDataRoot, TEST_DATA_ROOT } from '../helpers/test-data-root.ts';
import { createPrismaClient } from '../../src/db/client.ts';
import {
  endpointToUrl,
  parseDatabaseUrl,
  startEmbeddedPostgres,
  type DatabaseEndpoint,
} from '../../src/db/embedded.ts';
import {
  createMigration,
  deployMigrations,
  diffSchemaAgainstMigrations,
  migrationStatus,
  resetDatabase,
} from '../../src/db/schema-engine.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const MIGRATIONS_DIR = join(ROOT, 'prisma', 'migrations');
const APP_TABLES = [
  'api_keys',
  'audit_events',
  'countries',
  'ledger_entries',
  'products',
  'quota_pools',
  'shipments',
];

const endpoint = (): DatabaseEndpoint => parseDatabaseUrl(inject('databaseUrl'));

async function query<T extends pg.QueryResultRow>(
  target: DatabaseEndpoint,
  sql: string,
  values: unknown[] = [],
) {
  const client = new pg.Client(target);
  await client.connect();
  try {
    return (await client.query<T>(sql, values)).rows;
  } finally {
    await client.end();
  }
}

async function migrationFolders(): Promise<string[]> {
  const entries = await readdir(MIGRATIONS_DIR, { withFileTypes: true });
  return entries
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();
}

describe('the shared test database', () => {
  it('has every migration applied, recorded with the sha256 of its file as Prisma does', async () => {
    const folders = await migrationFolders();
    expect(folders.some((folder) => /^\d{14}_init$/.test(folder))).toBe(true);

    const tables = await query<{ table_name: string }>(
      endpoint(),
      "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'",
    );
    expect(tables.map((row) => row.table_name)).toEqual(
      expect.arrayContaining([...APP_TABLES, '_prisma_migrations']),
    );

    const recorded = await query<{ migration_name: string; checksum: string; finished_at: Date | null }>(
      endpoint(),
      'SELECT migration_name, checksum, finished_at FROM _prisma_migrations WHERE rolled_back_at IS NULL ORDER BY migration_name',
    );
    const expected = await Promise.all(
      folders.map(async (folder) => ({
        migration_name: folder,
        checksum: createHash('sha256')
          .update(await readFile(join(MIGRATIONS_DIR, folder, 'migration.sql')))
          .digest('hex'),
        finished_at: expect.any(Date),
      })),
    );
    expect(recorded).toEqual(expected);
  });

  it('reports a clean migration status', async () => {
    const status = await migrationStatus(endpoint());
    expect(status).toMatchObject({
      clean: true,
      hasMigrationsTable: true,
      pending: [],
      failed: [],
      edited: [],
    });
    expect(status.inDirectory).toEqual(await migrationFolders());
  });

  it('has migrations that produce exactly the schema, and leaves no shadow database behind', async () => {
    // Compared with the list before, since a process killed mid-diff on a reused TEST_DATABASE_URL leaves one.
    const shadows = () =>
      query(
        endpoint(),
        "SELECT datname FROM pg_database WHERE datname LIKE 'prisma_shadow_%' ORDER BY datname",
      );
    const before = await shadows();
    expect(await diffSchemaAgainstMigrations(endpoint())).toBe('');
    expect(await shadows()).toEqual(before);
  });

  it('serves a PrismaClient on the pg adapter: a country round-trips, decimals intact', async () => {
    const prisma = createPrismaClient(endpoint(), { poolSize: 2 });
    // ISO 3166 reserves Q[M-Z] for user assignment, so no seeded country can collide with it. QQ and QZ are
    // left out: other files use them as codes nobody has.
    const code = `Q${'MNOPRSTUVWXY'[Math.floor(seededRandom(seedFor('user-assigned code'))() * 12)]}`;
    try {
      await prisma.country.create({
        data: { code, name: 'Testland', tier: 'TIER_2', tierSource: 'test', allocationTpp: '1234567.891' },
      });
      const found = await prisma.country.findUniqueOrThrow({ where: { code } });
      expect(found).toMatchObject({ code, name: 'Testland', tier: 'TIER_2', govToGovArrangement: false });
      expect(found.allocationTpp?.toString()).toBe('1234567.891');
      expect(found.createdAt).toBeInstanceOf(Date);
    } finally {
      await prisma.country.deleteMany({ where: { code } });
      await prisma.$disconnect();
    }
  });
});

describe('schema engine on a database of its own', () => {
  let scratch: DatabaseEndpoint;

  beforeAll(async () => {
    scratch = { ...endpoint(), database: `lifecycle_${randomUUID().replaceAll('-', '')}` };
    await query(endpoint(), `CREATE DATABASE "${scratch.database}"`);
  });

  afterAll(async () => {
    await query(endpoint(), `DROP DATABASE IF EXISTS "${scratch.database}" WITH (FORCE)`);
  });

  it('deploys pending migrations once, and reset empties the database', async () => {
    const folders = await migrationFolders();
    expect(await migrationStatus(scratch)).toMatchObject({
      clean: false,
      hasMigrationsTable: false,
      pending: folders,
    });

    expect(await deployMigrations(scratch)).toEqual(folders);
    expect(await deployMigrations(scratch)).toEqual([]);
    expect((await migrationStatus(scratch)).clean).toBe(true);

    await resetDatabase(scratch);
    const tables = await query(
      scratch,
      "SELECT 1 FROM information_schema.tables WHERE table_schema = 'public'",
    );
    expect(tables).toEqual([]);
    expect(await migrationStatus(scratch)).toMatchObject({ clean: false, pending: folders });
  });

  it('flags a migration edited after it was applied', async () => {
    await ensureTestDataRoot();
    const dir = await mkdtemp(join(TEST_DATA_ROOT, 'migrations-'));
    try {
      await cp(MIGRATIONS_DIR, dir, { recursive: true });
      await resetDatabase(scratch);
      await deployMigrations(scratch, { migrationsDir: dir });
      const [first] = await migrationFolders();
      await writeFile(join(dir, first!, 'migration.sql'), '-- edited\n', { flag: 'a' });

      expect(await migrationStatus(scratch, { migrationsDir: dir })).toMatchObject({
        clean: false,
        edited: [first],
      });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('creates a migration in Prisma layout from the diff, then finds nothing left to create', async () => {
    await ensureTestDataRoot();
    const dir = await mkdtemp(join(TEST_DATA_ROOT, 'migrations-'));
    try {
      const script = await diffSchemaAgainstMigrations(scratch, { migrationsDir: dir });
      expect(script).toContain('CREATE TABLE "countries"');

      const created = await createMigration(scratch, 'First Cut', { migrationsDir: dir });
      expect(created).toMatch(/^\d{14}_first_cut$/);
      expect(await readFile(join(dir, created!, 'migration.sql'), 'utf8')).toBe(script);
      expect(await readFile(join(dir, 'migration_lock.toml'), 'utf8')).toBe(
        await readFile(join(MIGRATIONS_DIR, 'migration_lock.toml'), 'utf8'),
      );

      expect(await diffSchemaAgainstMigrations(scratch, { migrationsDir: dir })).toBe('');
      expect(await createMigration(scratch, 'nothing', { migrationsDir: dir })).toBeNull();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('startEmbeddedPostgres', () => {
  let dataDir: string;

  beforeAll(async () => {
    await ensureTestDataRoot();
    dataDir = await mkdtemp(join(TEST_DATA_ROOT, 'restart-'));
  });

  afterAll(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  it('restarts on the same data directory with the data intact; stop() may be called twice', async () => {
    const first = await startEmbeddedPostgres({ dataDir, durable: false });
    expect(first.endpoint).toMatchObject({ host: '127.0.0.1', database: 'compliance' });
    await query(first.endpoint, 'CREATE TABLE kept (value text)');
    await query(first.endpoint, "INSERT INTO kept VALUES ('still here')");
    await first.stop();
    await first.stop();

    const second = await startEmbeddedPostgres({ dataDir, durable: false });
    try {
      expect(await query(second.endpoint, 'SELECT value FROM kept')).toEqual([{ value: 'still here' }]);
      await expect(startEmbeddedPostgres({ dataDir })).rejects.toThrow(/already running/);
    } finally {
      await second.stop();
    }
  });

  it('starts despite a postmaster.pid left by a process that is gone', async () => {
    const exited = spawnSync(process.execPath, ['-e', '0']);
    expect(exited.pid).toBeGreaterThan(0);
    const pidFile = join(dataDir, 'postmaster.pid');
    await writeFile(pidFile, `${exited.pid}\n${dataDir}\n0\n54329\n\n127.0.0.1\n0 0\nready\n`);

    const server = await startEmbeddedPostgres({ dataDir, durable: false });
    try {
      expect(await query(server.endpoint, 'SELECT value FROM kept')).toEqual([{ value: 'still here' }]);
      expect((await readFile(pidFile, 'utf8')).split('\n')[0]).not.toBe(String(exited.pid));
    } finally {
      await server.stop();
    }
  });
});

describe('database URLs', () => {
  it('round-trip through endpoints, escaping credentials', () => {
    const endpoint: DatabaseEndpoint = {
      host: 'db.internal',
      port: 6543,
      user: 'app user',
      password: 'p@ss:w/rd%',
      database: 'compliance',
    };
    expect(parseDatabaseUrl(endpointToUrl(endpoint))).toEqual(endpoint);
    expect(parseDatabaseUrl('postgres://u@localhost/db')).toEqual({
      host: 'localhost',
      port: 5432,
      user: 'u',
      password: '',
      database: 'db',
    });
  });

  it('refuses options it would otherwise drop, such as sslmode', () => {
    expect(() => parseDatabaseUrl('postgresql://u:p@h:5432/db?sslmode=require')).toThrow(/sslmode=require/);
    expect(() => parseDatabaseUrl('mysql://u:p@h/db')).toThrow(/postgresql:\/\//);
  });
});
