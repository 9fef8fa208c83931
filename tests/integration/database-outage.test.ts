import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { createPrismaClient } from '../../src/db/client.ts';
import { endpointToUrl, startEmbeddedPostgres, type EmbeddedPostgresHandle } from '../../src/db/embedded.ts';
import { deployMigrations } from '../../src/db/schema-engine.ts';
import type { PrismaClient } from '../../src/repositories/db.ts';
import { seedReferenceData } from '../../src/services/seed-reference-data.ts';
import { createApiKey } from '../helpers/factories.ts';
import { ensureTestDataRoot } from '../helpers/test-data-root.ts';

/**
 * A real PostgreSQL of this file's own (not the shared test database) is stopped and started again while
 * clients keep sending checks. Every answer must be 200 or a 503 problem with Retry-After, the outage must be
 * logged once (and its end once), /readyz must follow, and calls must recover without restarting anything.
 */

interface Outcome {
  status: number;
  code?: string;
  retryAfter: string | null;
  contentType: string | null;
}

let dataDir: string;
let server: EmbeddedPostgresHandle;
let db: PrismaClient;
let app: FastifyInstance;
let base: string;
let key: string;
const logLines: { level: number; msg: string; cause?: { message: string; code?: string } }[] = [];

const CHECK = {
  destination: 'KR',
  items: [{ productId: 'nvidia-h100-sxm', quantity: 8 }],
  endUser: { name: 'Outage Test Co', headquarters: 'KR', verifiedEndUser: null },
  shipDate: '2025-06-01',
};

async function call(path: string, init: RequestInit = {}): Promise<Outcome> {
  const res = await fetch(`${base}${path}`, init);
  const text = await res.text();
  let code: string | undefined;
  if (res.headers.get('content-type')?.includes('json')) {
    code = (JSON.parse(text) as { code?: string }).code;
  }
  return {
    status: res.status,
    ...(code !== undefined ? { code } : {}),
    retryAfter: res.headers.get('retry-after'),
    contentType: res.headers.get('content-type'),
  };
}

const check = (): Promise<Outcome> =>
  call('/v1/checks', {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify({ ...CHECK, endUser: { ...CHECK.endUser, name: `Outage ${randomUUID()}` } }),
  });

/** Resolves once `predicate` holds for an answer the load loop saw. */
function waiter(): {
  until: (predicate: (o: Outcome) => boolean) => Promise<void>;
  saw: (o: Outcome) => void;
} {
  const watchers: { predicate: (o: Outcome) => boolean; resolve: () => void }[] = [];
  return {
    until: (predicate) => new Promise<void>((resolve) => watchers.push({ predicate, resolve })),
    saw: (outcome) => {
      for (let i = watchers.length - 1; i >= 0; i -= 1) {
        const w = watchers[i];
        if (w && w.predicate(outcome)) {
          watchers.splice(i, 1);
          w.resolve();
        }
      }
    },
  };
}

beforeAll(async () => {
  dataDir = await mkdtemp(join(await ensureTestDataRoot(), 'outage-'));
  server = await startEmbeddedPostgres({ dataDir, durable: false });
  await deployMigrations(server.endpoint);
  db = createPrismaClient(server.endpoint, { poolSize: 5, connectionTimeoutMs: 2_000 });
  await seedReferenceData(db);
  key = (await createApiKey(db, 'vendor')).key;
  const config = loadConfig({
    DATABASE_URL: endpointToUrl(server.endpoint),
    RATE_LIMIT_PER_MINUTE: '1000000',
    RATE_LIMIT_UNAUTHENTICATED_PER_MINUTE: '1000000',
  });
  app = await buildApp({
    config,
    db,
    logger: {
      level: 'info',
      stream: {
        write: (line: string) => {
          logLines.push(JSON.parse(line) as (typeof logLines)[number]);
        },
      },
    },
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
}, 120_000);

afterAll(async () => {
  await app?.close();
  await db?.$disconnect();
  await server?.stop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

describe('a database outage under load', () => {
  it('answers 503 with Retry-After while PostgreSQL is down, logs it once, and recovers by itself', async () => {
    const outcomes: Outcome[] = [];
    const events = waiter();
    let running = true;
    const workers = Array.from({ length: 4 }, async () => {
      while (running) {
        const outcome = await check();
        outcomes.push(outcome);
        events.saw(outcome);
      }
    });

    await events.until((o) => o.status === 200);
    const port = server.endpoint.port;
    await server.stop();
    await events.until((o) => o.status === 503);
    const downReady = await call('/readyz');
    expect(downReady.status).toBe(503);
    expect(downReady.code).toBe('DATABASE_UNAVAILABLE');
    expect(Number(downReady.retryAfter)).toBeGreaterThanOrEqual(1);
    expect((await call('/healthz')).status).toBe(200);

    const failuresBeforeRestart = outcomes.filter((o) => o.status === 503).length;
    server = await startEmbeddedPostgres({ dataDir, port, durable: false });
    const recoveredAfter = outcomes.length;
    await events.until((o) => o.status === 200);
    running = false;
    await Promise.all(workers);
    expect((await call('/readyz')).status).toBe(200);

    // Only two kinds of answer, ever: a decision, or an honest 503 that says when to retry.
    const statuses = [...new Set(outcomes.map((o) => o.status))].sort();
    expect(statuses).toEqual([200, 503]);
    for (const outcome of outcomes.filter((o) => o.status === 503)) {
      expect(outcome.code).toBe('DATABASE_UNAVAILABLE');
      expect(outcome.contentType).toContain('application/problem+json');
      expect(Number(outcome.retryAfter)).toBeGreaterThanOrEqual(1);
    }
    expect(failuresBeforeRestart).toBeGreaterThan(0);
    expect(outcomes.slice(recoveredAfter).some((o) => o.status === 200)).toBe(true);

    // Logged once per outage with its cause, once when it ends; never a stack per request.
    const down = logLines.filter((l) => l.msg === 'database unavailable: answering 503');
    const up = logLines.filter((l) => l.msg === 'database available again');
    expect(down).toHaveLength(1);
    expect(down[0]?.level).toBe(50);
    expect(down[0]?.cause?.message).toBeTruthy();
    expect(up).toHaveLength(1);
    expect(logLines.filter((l) => l.level >= 50)).toHaveLength(1);
  });
});
