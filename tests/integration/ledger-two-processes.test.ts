import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPrismaClient } from '../../src/db/client.ts';
import { parseDatabaseUrl } from '../../src/db/embedded.ts';
import { reconcilePools } from '../../src/repositories/ledger-repository.ts';
import type { PrismaClient } from '../../src/repositories/db.ts';
import { seedReferenceData } from '../../src/services/seed-reference-data.ts';
import { createApiKey, createTier2Country } from '../helpers/factories.ts';
import { startService, stopService, type Service } from '../helpers/service-process.ts';
import { testDatabaseUrl } from '../helpers/test-app.ts';

/**
 * Two real service processes on one PostgreSQL, 240 concurrent reservations against one small allocation:
 * exactly the ones that fit may succeed. This is the guarantee that must hold across processes, so it is
 * tested across processes, not with in-process concurrency.
 */
const H100 = 15_832;
const UNITS = 1_700; // 26,914,400 TPP: over the LPP limit, so each needs a licence against the allocation
const PER_SHIPMENT = UNITS * H100;
const FIT = 10;
const REQUESTS = 240;

let db: PrismaClient;
let services: Service[] = [];
let ports: number[] = [];
let key: string;

beforeAll(async () => {
  db = createPrismaClient(parseDatabaseUrl(testDatabaseUrl()), { poolSize: 4 });
  await seedReferenceData(db);
  key = (await createApiKey(db, 'procurement')).key;
  services = await Promise.all([
    startService({ DATABASE_URL: testDatabaseUrl() }),
    startService({ DATABASE_URL: testDatabaseUrl() }),
  ]);
  ports = services.map((s) => s.port);
}, 120_000);

afterAll(async () => {
  await Promise.all(services.map((s) => stopService(s.child)));
  await db.$disconnect();
});

describe('reservations from two service processes on one database', () => {
  for (const round of [1, 2, 3]) {
    it(`round ${round}: ${REQUESTS} concurrent reservations, exactly ${FIT} fit, balances reconcile`, async () => {
      const code = await createTier2Country(db, { allocationTpp: FIT * PER_SHIPMENT });
      const results = await Promise.all(
        Array.from({ length: REQUESTS }, async (_, i) => {
          const port = ports[i % ports.length];
          const res = await fetch(`http://127.0.0.1:${port}/v1/shipments`, {
            method: 'POST',
            headers: {
              authorization: `Bearer ${key}`,
              'content-type': 'application/json',
              'idempotency-key': `two-proc-${code}-${round}-${i}`,
            },
            body: JSON.stringify({
              destination: code,
              items: [{ productId: 'nvidia-h100-sxm', quantity: UNITS }],
              endUser: { name: `Buyer ${i}`, headquarters: code, verifiedEndUser: null },
              shipDate: '2025-06-01',
            }),
          });
          return {
            status: res.status,
            body: (await res.json()) as { status: string; holds: { countryTpp: number } },
          };
        }),
      );
      expect(results.map((r) => r.status).filter((s) => s !== 201)).toEqual([]);
      const statuses = results.map((r) => r.body.status);
      expect(statuses.filter((s) => s === 'PENDING_LICENSE')).toHaveLength(FIT);
      expect(statuses.filter((s) => s === 'REJECTED')).toHaveLength(REQUESTS - FIT);
      expect(
        results
          .filter((r) => r.body.status === 'PENDING_LICENSE')
          .every((r) => r.body.holds.countryTpp === PER_SHIPMENT),
      ).toBe(true);

      const pool = await db.quotaPool.findUniqueOrThrow({
        where: { kind_subject_year: { kind: 'COUNTRY_ALLOCATION', subject: code, year: 0 } },
      });
      expect(Number(pool.reservedTpp)).toBe(FIT * PER_SHIPMENT);
      expect(Number(pool.capTpp)).toBe(FIT * PER_SHIPMENT);
      const [reconciled] = await reconcilePools(db, [pool.id]);
      expect(reconciled).toMatchObject({
        reservedTpp: FIT * PER_SHIPMENT,
        entriesReservedTpp: FIT * PER_SHIPMENT,
        entriesCapTpp: FIT * PER_SHIPMENT,
        shippedTpp: 0,
        entriesShippedTpp: 0,
      });
      const held = await db.shipment.aggregate({
        where: { destination: code, status: 'PENDING_LICENSE' },
        _sum: { countryHoldTpp: true },
      });
      expect(Number(held._sum.countryHoldTpp)).toBe(FIT * PER_SHIPMENT);
      expect(await db.ledgerEntry.count({ where: { poolId: pool.id, type: 'HOLD' } })).toBe(FIT);
    });
  }
});
