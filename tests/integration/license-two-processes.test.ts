import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPrismaClient } from '../../src/db/client.ts';
import { parseDatabaseUrl } from '../../src/db/embedded.ts';
import { reconcilePools } from '../../src/repositories/ledger-repository.ts';
import type { PrismaClient } from '../../src/repositories/db.ts';
import { seedReferenceData } from '../../src/services/seed-reference-data.ts';
import { createApiKey, createTier2Country, uniqueLicenseNumber } from '../helpers/factories.ts';
import { startService, stopService, type Service } from '../helpers/service-process.ts';
import { testDatabaseUrl } from '../helpers/test-app.ts';

/**
 * Two real service processes on one PostgreSQL, 40 shipments attached at once to one licence with room for 10:
 * exactly 10 attachments may succeed, and the licence's pool must equal the sum of its entries. As for the
 * allocation, the guarantee must hold across processes, so it is tested across processes.
 */
const H100 = 15_832;
const UNITS = 1_700; // over the LPP limit: each shipment needs a licence
const PER_SHIPMENT = UNITS * H100;
const FIT = 10;
const SHIPMENTS = 40;

let db: PrismaClient;
let services: Service[] = [];
let ports: number[] = [];
let procurement: string;
let officer: string;
let organisationId: string;

async function call(
  port: number,
  key: string,
  path: string,
  body: unknown,
  headers: Record<string, string> = {},
) {
  const res = await fetch(`http://127.0.0.1:${port}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

beforeAll(async () => {
  db = createPrismaClient(parseDatabaseUrl(testDatabaseUrl()), { poolSize: 4 });
  await seedReferenceData(db);
  const buyer = await createApiKey(db, 'procurement');
  procurement = buyer.key;
  organisationId = buyer.organisationId as string;
  officer = (await createApiKey(db, 'officer')).key;
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

describe('licence attachments from two service processes on one database', () => {
  for (const round of [1, 2]) {
    it(`round ${round}: ${SHIPMENTS} concurrent attachments, exactly ${FIT} fit, the licence reconciles`, async () => {
      const code = await createTier2Country(db, { allocationTpp: SHIPMENTS * PER_SHIPMENT });
      const port0 = ports[0] as number;
      const shipments: { id: string; consigneeId: string }[] = [];
      for (let i = 0; i < SHIPMENTS; i += 1) {
        const res = await call(
          port0,
          procurement,
          '/v1/shipments',
          {
            destination: code,
            items: [{ productId: 'nvidia-h100-sxm', quantity: UNITS }],
            endUser: { name: `Licensee ${code}`, headquarters: code, verifiedEndUser: null },
            shipDate: '2025-06-01',
          },
          { 'idempotency-key': `lic-two-proc-${code}-${round}-${i}` },
        );
        expect(res.status).toBe(201);
        expect(res.body.status).toBe('PENDING_LICENSE');
        shipments.push({ id: res.body.id as string, consigneeId: (res.body.consignee as { id: string }).id });
      }
      const licence = await call(port0, officer, '/v1/licenses', {
        number: uniqueLicenseNumber(),
        organisationId,
        destination: code,
        consigneeId: shipments[0]?.consigneeId,
        eccns: ['3A090.a'],
        tppAuthorized: FIT * PER_SHIPMENT,
        validFrom: '2025-01-01',
        validUntil: '2025-12-31',
      });
      expect(licence.status).toBe(201);
      const licenceId = licence.body.id as string;

      const results = await Promise.all(
        shipments.map((s, i) =>
          call(ports[i % ports.length] as number, procurement, `/v1/shipments/${s.id}/license`, {
            licenseId: licenceId,
          }),
        ),
      );
      const statuses = results.map((r) => r.status);
      expect(statuses.filter((s) => s === 200)).toHaveLength(FIT);
      expect(statuses.filter((s) => s === 409)).toHaveLength(SHIPMENTS - FIT);
      expect(
        results.filter((r) => r.status === 409).every((r) => r.body.code === 'LICENSE_INSUFFICIENT_TPP'),
      ).toBe(true);

      const row = await db.license.findUniqueOrThrow({ where: { id: licenceId } });
      const [pool] = await reconcilePools(db, [row.poolId]);
      expect(pool).toMatchObject({
        capTpp: FIT * PER_SHIPMENT,
        reservedTpp: FIT * PER_SHIPMENT,
        entriesReservedTpp: FIT * PER_SHIPMENT,
        entriesCapTpp: FIT * PER_SHIPMENT,
        shippedTpp: 0,
      });
      expect(await db.shipment.count({ where: { licenseId: licenceId, status: 'LICENSED' } })).toBe(FIT);
      expect(await db.ledgerEntry.count({ where: { poolId: row.poolId, type: 'HOLD' } })).toBe(FIT);
    });
  }
});
