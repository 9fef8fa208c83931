import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPrismaClient } from '../../src/db/client.ts';
import { parseDatabaseUrl } from '../../src/db/embedded.ts';
import type { PrismaClient } from '../../src/repositories/db.ts';
import { seedReferenceData } from '../../src/services/seed-reference-data.ts';
import { createApiKey } from '../helpers/factories.ts';
import { testDatabaseUrl } from '../helpers/test-app.ts';
import { awaitFreshWindow } from '../helpers/throttle.ts';

/**
 * Two real service processes on one PostgreSQL: one rate limit between them (not one each), and a key revoked
 * through one process is refused by the other within a second (not after its cache's 2 s).
 */
const LIMIT = 20;

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

async function startService(port: number): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
    env: {
      ...process.env,
      DATABASE_URL: testDatabaseUrl(),
      PORT: String(port),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
      DB_POOL_SIZE: '4',
      RATE_LIMIT_PER_MINUTE: String(LIMIT),
      RATE_LIMIT_UNAUTHENTICATED_PER_MINUTE: '100000',
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`service on ${port} exited: ${stderr}`);
    try {
      const res = await fetch(`http://127.0.0.1:${port}/readyz`);
      if (res.ok) return child;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  child.kill('SIGKILL');
  throw new Error(`service on ${port} did not become ready: ${stderr}`);
}

async function stopService(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

let db: PrismaClient;
let services: ChildProcess[] = [];
let ports: number[] = [];

async function get(port: number, path: string, key: string): Promise<number> {
  const res = await fetch(`http://127.0.0.1:${port}${path}`, { headers: { authorization: `Bearer ${key}` } });
  await res.arrayBuffer();
  return res.status;
}

beforeAll(async () => {
  db = createPrismaClient(parseDatabaseUrl(testDatabaseUrl()), { poolSize: 2 });
  await seedReferenceData(db);
  ports = [await freePort(), await freePort()];
  services = await Promise.all(ports.map((port) => startService(port)));
}, 120_000);

afterAll(async () => {
  await Promise.all(services.map(stopService));
  await db.$disconnect();
});

describe('two service processes on one database', () => {
  it(`share one rate limit: ${3 * LIMIT} concurrent calls with one key, exactly ${LIMIT} pass`, async () => {
    const { key } = await createApiKey(db, 'vendor');
    await awaitFreshWindow(20_000);
    const statuses = await Promise.all(
      Array.from({ length: 3 * LIMIT }, (_, i) => get(ports[i % 2] as number, '/v1/rulesets', key)),
    );
    expect(statuses.filter((s) => s === 200)).toHaveLength(LIMIT);
    expect(statuses.filter((s) => s === 429)).toHaveLength(2 * LIMIT);
    // Each process answered half the calls: with a limit per process, each would have let LIMIT of its 1.5 x
    // LIMIT calls through (2 x LIMIT in all), so exactly LIMIT in all means the count is shared.
    const perProcess = [0, 1].map((p) => statuses.filter((_s, i) => i % 2 === p).length);
    expect(perProcess).toEqual([1.5 * LIMIT, 1.5 * LIMIT]);
  });

  it('refuse a key revoked through the other process within a second', async () => {
    const officer = (await createApiKey(db, 'officer')).key;
    const vendor = await createApiKey(db, 'vendor');
    const [a, b] = ports as [number, number];
    // Process b has just authenticated the key, so without the notification it would trust it for 2 s more.
    expect(await get(b, '/v1/rulesets', vendor.key)).toBe(200);
    const revoke = await fetch(`http://127.0.0.1:${a}/v1/api-keys/${vendor.id}`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${officer}` },
    });
    expect(revoke.status).toBe(200);
    const revokedAt = Date.now();
    // 200, or 429 once the polling spends the key's limit: either way process b still accepts the key.
    const accepted = (s: number): boolean => s === 200 || s === 429;
    let status = 200;
    while (accepted(status) && Date.now() - revokedAt < 3_000) {
      status = await get(b, '/v1/rulesets', vendor.key);
      if (accepted(status)) await new Promise((r) => setTimeout(r, 20));
    }
    const elapsed = Date.now() - revokedAt;
    expect(status).toBe(401);
    expect(elapsed).toBeLessThan(1_000);
  });
});
