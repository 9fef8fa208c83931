import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { testDatabaseUrl, testOwnerDatabaseUrl } from '../helpers/test-app.ts';
import { freePort, logMessage, logRecord, ROOT, spawnWatched } from '../helpers/processes.ts';

const execFileAsync = promisify(execFile);
const SERVER = join(ROOT, 'dist', 'server.js');

/** The production entry point as the image runs it: `npm run build`, then `node dist/server.js`. */
describe('node dist/server.js', { timeout: 240_000 }, () => {
  beforeAll(async () => {
    await execFileAsync('npm', ['run', 'build', '--silent'], { cwd: ROOT });
    expect(existsSync(SERVER)).toBe(true);
    // The Prisma client is generated into src/generated and must be compiled with the rest.
    expect(existsSync(join(ROOT, 'dist', 'generated', 'prisma', 'client.js'))).toBe(true);
  }, 240_000);

  const env = (extra: Record<string, string>): NodeJS.ProcessEnv => {
    const base: NodeJS.ProcessEnv = { ...process.env, LOG_LEVEL: 'info', HOST: '127.0.0.1' };
    for (const name of ['DATABASE_URL', 'MIGRATION_DATABASE_URL', 'MIGRATE_ON_START', 'TEST_DATABASE_URL'])
      delete base[name];
    return { ...base, ...extra };
  };

  it('refuses to start without DATABASE_URL, naming it, and provisions nothing', async () => {
    const proc = spawnWatched(process.execPath, [SERVER], { env: env({ PORT: '0' }) });
    const { code } = await proc.exited;
    expect(code).toBe(78);
    expect(proc.output()).toMatch(/DATABASE_URL is required/);
    expect(proc.output()).not.toMatch(/PostgreSQL ready|initialising/);
  });

  it('serves the API on the database it is given, as the service role, without migrating by default', async () => {
    const port = await freePort();
    const proc = spawnWatched(process.execPath, [SERVER], {
      env: env({ DATABASE_URL: testDatabaseUrl(), PORT: String(port) }),
    });
    try {
      const ready = await proc.waitForLine((line) => logMessage(line).startsWith('ready:'), 60_000);
      expect(logRecord(ready)).toMatchObject({
        database: expect.stringMatching(/^compliance_app@/),
        migrationsApplied: 'not asked (MIGRATE_ON_START=false)',
      });
      const res = await fetch(`http://127.0.0.1:${port}/v1/countries/KR`);
      expect(res.status).toBe(401);
      expect((await fetch(`http://127.0.0.1:${port}/readyz`)).status).toBe(200);
      // No credential reaches the log.
      expect(proc.output()).not.toContain(new URL(testDatabaseUrl()).password);
    } finally {
      proc.child.kill('SIGTERM');
      expect((await proc.exited).code).toBe(0);
    }
  });

  it('applies pending migrations at start only when MIGRATE_ON_START=true, as MIGRATION_DATABASE_URL', async () => {
    const port = await freePort();
    const proc = spawnWatched(process.execPath, [SERVER], {
      env: env({
        DATABASE_URL: testDatabaseUrl(),
        MIGRATION_DATABASE_URL: testOwnerDatabaseUrl(),
        MIGRATE_ON_START: 'true',
        PORT: String(port),
      }),
    });
    try {
      const ready = await proc.waitForLine((line) => logMessage(line).startsWith('ready:'), 60_000);
      // The shared test database is migrated already: the deploy ran and found nothing pending.
      expect(logRecord(ready)).toMatchObject({ migrationsApplied: [] });
    } finally {
      proc.child.kill('SIGTERM');
      await proc.exited;
    }
  });
});
