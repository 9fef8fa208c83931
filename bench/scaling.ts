/**
 * How the cost of a check grows with the order's size, and how reservations behave as more writers hit one
 * country. In-process (app.inject, no sockets) on a fresh embedded PostgreSQL, so the figures isolate the
 * service's own work; compare them with each other, not with `npm run bench`.
 *
 *   npx tsx bench/scaling.ts
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdir, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { buildApp } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';
import { createPrismaClient } from '../src/db/client.ts';
import { startEmbeddedPostgres } from '../src/db/embedded.ts';
import { deployMigrations } from '../src/db/schema-engine.ts';
import { registerBootstrapKey } from '../src/services/api-keys.ts';
import { seedReferenceData } from '../src/services/seed-reference-data.ts';
import { RESERVATION_QUANTITY, SHIP_DATE } from './lib/fixtures.ts';

const root = resolve(import.meta.dirname, '..');
const dataDir = join(root, '.bench-data', `scaling-${randomUUID().slice(0, 8)}`);
await mkdir(dataDir, { recursive: true });
const pg = await startEmbeddedPostgres({ dataDir, logger: () => undefined });
try {
  await deployMigrations(pg.endpoint);
  const db = createPrismaClient(pg.endpoint);
  await seedReferenceData(db);
  const key = `bench-${randomBytes(24).toString('hex')}`;
  await registerBootstrapKey(db, key);
  const config = loadConfig({ LOG_LEVEL: 'silent', RATE_LIMIT_PER_MINUTE: '100000000', DATA_DIR: dataDir });
  const app = await buildApp({ config, db, logger: false });
  await app.ready();
  const headers = { authorization: `Bearer ${key}`, 'content-type': 'application/json' };

  const products = [
    'nvidia-h100-sxm',
    'nvidia-h200-sxm',
    'amd-mi300x',
    'nvidia-l40s',
    'intel-gaudi3',
    'nvidia-b200',
  ];
  const check = (lines: number) =>
    JSON.stringify({
      destination: 'AE',
      items: Array.from({ length: lines }, (_, i) => ({
        productId: products[i % products.length],
        quantity: 1 + (i % 7),
      })),
      endUser: { name: 'Scaling Cloud', headquarters: 'AE', verifiedEndUser: null },
      shipDate: SHIP_DATE,
    });

  console.log('checks by order size (sequential, 300 requests each after 50 warm-up):');
  console.log('lines  mean ms  per line us');
  let base = 0;
  for (const lines of [1, 10, 100, 500]) {
    const payload = check(lines);
    for (let i = 0; i < 50; i += 1) await app.inject({ method: 'POST', url: '/v1/checks', headers, payload });
    const started = performance.now();
    for (let i = 0; i < 300; i += 1) {
      const res = await app.inject({ method: 'POST', url: '/v1/checks', headers, payload });
      if (res.statusCode !== 200) throw new Error(`check of ${lines} lines: ${res.statusCode} ${res.body}`);
    }
    const mean = (performance.now() - started) / 300;
    if (lines === 1) base = mean;
    const perLine = lines === 1 ? '' : (((mean - base) / (lines - 1)) * 1000).toFixed(1);
    console.log(`${String(lines).padStart(5)}  ${mean.toFixed(2).padStart(7)}  ${perLine.padStart(11)}`);
  }

  console.log('\nreservations against one country by concurrent writers (2,000 per level):');
  console.log('writers  per second  mean group (approx.)');
  for (const writers of [1, 10, 50, 200]) {
    const code = 'IN';
    let done = 0;
    const total = 2000;
    const before = await db.shipment.count();
    const started = performance.now();
    await Promise.all(
      Array.from({ length: writers }, async (_, w) => {
        for (;;) {
          const n = done++;
          if (n >= total) return;
          const res = await app.inject({
            method: 'POST',
            url: '/v1/shipments',
            headers: { ...headers, 'idempotency-key': `scaling-${writers}-${w}-${n}-${randomUUID()}` },
            payload: JSON.stringify({
              destination: code,
              items: [{ productId: 'nvidia-h100-sxm', quantity: RESERVATION_QUANTITY }],
              endUser: { name: `Scaling buyer ${n % 64}`, headquarters: code, verifiedEndUser: null },
              shipDate: SHIP_DATE,
            }),
          });
          if (res.statusCode !== 201) throw new Error(`reservation: ${res.statusCode} ${res.body}`);
        }
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    // Every shipment of one group commit carries the group's timestamp, so distinct timestamps ~ transactions.
    const [groups] = await db.$queryRaw<{ n: bigint }[]>`
      SELECT count(DISTINCT created_at)::bigint AS n FROM shipments WHERE idempotency_key LIKE ${`scaling-${writers}-%`}`;
    const created = (await db.shipment.count()) - before;
    const batch = created / Number(groups?.n ?? created);
    console.log(
      `${String(writers).padStart(7)}  ${(created / seconds).toFixed(0).padStart(10)}  ${batch.toFixed(1).padStart(10)}`,
    );
  }
  await app.close();
  await db.$disconnect();
} finally {
  await pg.stop();
  await rm(dataDir, { recursive: true, force: true });
}
