import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reconcilePools } from '../../src/repositories/ledger-repository.ts';
import { bearer, createApiKey, createTier2Country } from '../helpers/factories.ts';
import { createTestApp, type TestApp } from '../helpers/test-app.ts';
import { payloadOf } from '../../src/services/audit.ts';

let t: TestApp;
let procurement: string;
let procurementOrganisation: string;
let vendor: string;
let officer: string;
let clock = new Date('2025-06-01T12:00:00Z');

const LPP_CAP = 26_900_000;
const H100 = 15_832;

beforeAll(async () => {
  t = await createTestApp({ now: () => clock });
  const buyer = await createApiKey(t.db, 'procurement');
  procurement = buyer.key;
  procurementOrganisation = buyer.organisationId as string;
  vendor = (await createApiKey(t.db, 'vendor')).key;
  officer = (await createApiKey(t.db, 'officer')).key;
});
afterAll(async () => t.close());

let seq = 0;
function uniqueKey(): string {
  seq += 1;
  return `test-${seq}-${randomUUID()}`;
}

function order(
  destination: string,
  quantity: number,
  consignee: string,
  extra: Record<string, unknown> = {},
) {
  return {
    destination,
    items: [{ productId: 'nvidia-h100-sxm', quantity }],
    endUser: { name: consignee, headquarters: destination, verifiedEndUser: null },
    shipDate: '2025-06-01',
    ...extra,
  };
}

async function reserve(body: object, key = uniqueKey(), apiKey = procurement) {
  return request(t.app.server)
    .post('/v1/shipments')
    .set(bearer(apiKey))
    .set('idempotency-key', key)
    .send(body);
}

async function quota(code: string) {
  return (await request(t.app.server).get(`/v1/quotas/${code}`).set(bearer(vendor)).expect(200)).body;
}

async function expectReconciled(code: string): Promise<void> {
  const pool = await t.db.quotaPool.findUniqueOrThrow({
    where: { kind_subject_year: { kind: 'COUNTRY_ALLOCATION', subject: code, year: 0 } },
  });
  const [row] = await reconcilePools(t.db, [pool.id]);
  expect(row).toBeDefined();
  expect(row?.reservedTpp).toBe(row?.entriesReservedTpp);
  expect(row?.shippedTpp).toBe(row?.entriesShippedTpp);
  expect(row?.capTpp).toBe(row?.entriesCapTpp);
  expect((row?.reservedTpp ?? 0) + (row?.shippedTpp ?? 0)).toBeLessThanOrEqual(row?.capTpp ?? 0);
}

describe('POST /v1/shipments', () => {
  it('holds the country allocation for a licence within it (PENDING_LICENSE) and the quota endpoint shows it', async () => {
    const code = await createTier2Country(t.db, { allocationTpp: 100_000_000 });
    const res = await reserve(order(code, 2000, `Cloud ${code}`));
    expect(res.status).toBe(201);
    expect(res.body.status).toBe('PENDING_LICENSE');
    expect(res.body.holds).toEqual({ countryTpp: 2000 * H100, lppTpp: 0, lppYear: 2025, licenseTpp: 0 });
    expect(res.body.decision).toMatchObject({
      licenseRequired: true,
      reviewPolicy: 'PRESUMPTION_OF_APPROVAL',
      checkId: res.body.id,
    });
    expect(res.body.decision.quota.countryAllocation).toMatchObject({
      applies: true,
      usedTpp: 0,
      thisShipmentTpp: 2000 * H100,
    });
    expect(res.body.holdExpiresAt).toBe(new Date(clock.getTime() + 180 * 86_400_000).toISOString());
    const q = await quota(code);
    expect(q).toMatchObject({
      capTpp: 100_000_000,
      reservedTpp: 2000 * H100,
      shippedTpp: 0,
      remainingTpp: 100_000_000 - 2000 * H100,
    });
    // A check afterwards reads the same balance.
    const check = await request(t.app.server)
      .post('/v1/checks')
      .set(bearer(vendor))
      .send(order(code, 2000, `Other ${code}`))
      .expect(200);
    expect(check.body.quota.countryAllocation.usedTpp).toBe(2000 * H100);
    await expectReconciled(code);
  });

  it("holds the consignee's LPP budget (RESERVED) up to the limit exactly, then needs a licence", async () => {
    const code = await createTier2Country(t.db);
    const consignee = `LPP Buyer ${code}`;
    // 1,699 H100 = 26,898,568 TPP fits in 26,900,000; one more H100 does not.
    const first = await reserve(order(code, 1699, consignee));
    expect(first.body).toMatchObject({
      status: 'RESERVED',
      holds: { countryTpp: 0, lppTpp: 1699 * H100, lppYear: 2025 },
    });
    expect(first.body.decision.authorization).toBe('LPP');
    const second = await reserve(order(code, 1, consignee.toUpperCase()));
    expect(second.body.status).toBe('PENDING_LICENSE');
    expect(second.body.decision.quota.lpp).toMatchObject({
      usedTpp: 1699 * H100,
      capTpp: LPP_CAP,
      applies: false,
    });
    expect(second.body.holds.countryTpp).toBe(H100);
  });

  it('CLEARS a Tier 1 shipment and REJECTS a Tier 3 one, holding nothing', async () => {
    const kr = await reserve(order('KR', 10_000, 'Korea Cloud'));
    expect(kr.body).toMatchObject({
      status: 'CLEARED',
      holds: { countryTpp: 0, lppTpp: 0 },
      holdExpiresAt: null,
    });
    expect(kr.body.decision.authorization).toBe('AIA');
    const cn = await reserve(order('CN', 10, 'Beijing Lab'));
    expect(cn.body).toMatchObject({ status: 'REJECTED', holds: { countryTpp: 0, lppTpp: 0 } });
    expect(cn.body.decision.reviewPolicy).toBe('PRESUMPTION_OF_DENIAL');
  });

  it('REJECTS a licence that would not fit the remaining allocation and holds nothing', async () => {
    const code = await createTier2Country(t.db, { allocationTpp: 30_000_000 });
    const res = await reserve(order(code, 2000, `Big ${code}`));
    expect(res.body.status).toBe('REJECTED');
    expect(res.body.decision.reasons.map((r: { code: string }) => r.code)).toContain(
      'TIER2_ALLOCATION_EXCEEDED',
    );
    expect((await quota(code)).reservedTpp).toBe(0);
  });

  it('is idempotent: same key and body returns the same shipment; another body is 409; no second hold', async () => {
    const code = await createTier2Country(t.db, { allocationTpp: 100_000_000 });
    const key = uniqueKey();
    const body = order(code, 2000, `Idem ${code}`);
    const a = await reserve(body, key);
    const b = await reserve(body, key);
    expect(b.status).toBe(a.status);
    expect(b.body).toEqual(a.body);
    expect(b.headers['idempotent-replayed']).toBe('true');
    const c = await reserve(order(code, 1999, `Idem ${code}`), key);
    expect(c.status).toBe(409);
    expect(c.body.code).toBe('IDEMPOTENCY_KEY_REUSED');
    expect((await quota(code)).reservedTpp).toBe(2000 * H100);
    // A key is scoped to its API key: another caller may use the same string.
    const other = (await createApiKey(t.db, 'procurement')).key;
    const d = await reserve(body, key, other);
    expect(d.status).toBe(201);
    expect(d.body.id).not.toBe(a.body.id);
  });

  it('answers concurrent retries with one key with one shipment', async () => {
    const code = await createTier2Country(t.db, { allocationTpp: 500_000_000 });
    const key = uniqueKey();
    const body = order(code, 2000, `Race ${code}`);
    const results = await Promise.all(Array.from({ length: 8 }, () => reserve(body, key)));
    expect(new Set(results.map((r) => r.status))).toEqual(new Set([201]));
    expect(new Set(results.map((r) => r.body.id)).size).toBe(1);
    expect((await quota(code)).reservedTpp).toBe(2000 * H100);
  });

  it('groups concurrent reservations without letting one bad request fail the others', async () => {
    // 20 distinct reservations of 2,000 H100 against room for 5, plus 4 uses of one key with different bodies.
    const code = await createTier2Country(t.db, { allocationTpp: 5 * 2000 * H100 });
    const shared = uniqueKey();
    const results = await Promise.all([
      ...Array.from({ length: 20 }, (_, i) => reserve(order(code, 2000, `Group ${code} ${i}`))),
      ...Array.from({ length: 4 }, (_, i) => reserve(order(code, 2000, `Group ${code} shared ${i}`), shared)),
    ]);
    const distinct = results.slice(0, 20);
    const sharedKey = results.slice(20);
    expect(distinct.map((r) => r.status)).toEqual(Array(20).fill(201));
    // The shared key belongs to whichever request won; the others used it with another body.
    expect(sharedKey.filter((r) => r.status === 201)).toHaveLength(1);
    expect(sharedKey.filter((r) => r.status === 409).map((r) => r.body.code)).toEqual(
      Array(3).fill('IDEMPOTENCY_KEY_REUSED'),
    );
    const statuses = [...distinct, ...sharedKey.filter((r) => r.status === 201)].map((r) => r.body.status);
    expect(statuses.filter((s) => s === 'PENDING_LICENSE')).toHaveLength(5);
    expect(statuses.filter((s) => s === 'REJECTED')).toHaveLength(16);
    expect((await quota(code)).reservedTpp).toBe(5 * 2000 * H100);
    await expectReconciled(code);
  });

  it('requires an Idempotency-Key and changes nothing without one', async () => {
    const code = await createTier2Country(t.db);
    const res = await request(t.app.server)
      .post('/v1/shipments')
      .set(bearer(procurement))
      .send(order(code, 2000, 'No key'));
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('IDEMPOTENCY_KEY_REQUIRED');
    const bad = await reserve(order(code, 2000, 'Bad key'), 'has a space');
    expect(bad.status).toBe(400);
    expect(await t.db.quotaPool.count({ where: { subject: code } })).toBe(0);
  });

  it('forbids vendors and auditors from reserving', async () => {
    expect((await reserve(order('KR', 1, 'x'), uniqueKey(), vendor)).status).toBe(403);
    const auditor = (await createApiKey(t.db, 'auditor')).key;
    expect((await reserve(order('KR', 1, 'x'), uniqueKey(), auditor)).status).toBe(403);
  });
});

describe('ship and cancel', () => {
  it('ship turns the holds into consumption, idempotently; cancel after ship is 409', async () => {
    const code = await createTier2Country(t.db, { allocationTpp: 100_000_000 });
    const created = (await reserve(order(code, 2000, `Ship ${code}`))).body;
    // A licence is needed: without one, and with a made-up number, shipping is refused and changes nothing.
    for (const body of [undefined, { licenseNumber: 'FAKE' }]) {
      const refused = await request(t.app.server)
        .post(`/v1/shipments/${created.id}/ship`)
        .set(bearer(procurement))
        .send(body)
        .expect(409);
      expect(refused.body).toMatchObject({ code: 'LICENSE_REQUIRED' });
    }
    expect(await quota(code)).toMatchObject({ reservedTpp: 2000 * H100, shippedTpp: 0 });
    const license = await request(t.app.server)
      .post('/v1/licenses')
      .set(bearer(officer))
      .send({
        number: `D${String(Math.floor(Math.random() * 9_000_000) + 1_000_000)}`,
        organisationId: procurementOrganisation,
        destination: code,
        consigneeId: created.consignee.id,
        eccns: ['3A090.a'],
        tppAuthorized: 2000 * H100,
        validFrom: '2025-05-01',
        validUntil: '2026-04-30',
      })
      .expect(201);
    await request(t.app.server)
      .post(`/v1/shipments/${created.id}/license`)
      .set(bearer(procurement))
      .send({ licenseId: license.body.id })
      .expect(200);
    const shipped = await request(t.app.server)
      .post(`/v1/shipments/${created.id}/ship`)
      .set(bearer(procurement))
      .send({ licenseNumber: license.body.number })
      .expect(200);
    expect(shipped.body).toMatchObject({
      status: 'SHIPPED',
      id: created.id,
      licenseId: license.body.id,
      holds: { countryTpp: 0, lppTpp: 0, licenseTpp: 0 },
    });
    expect(await quota(code)).toMatchObject({ reservedTpp: 0, shippedTpp: 2000 * H100 });
    const again = await request(t.app.server)
      .post(`/v1/shipments/${created.id}/ship`)
      .set(bearer(procurement))
      .expect(200);
    expect(again.body.status).toBe('SHIPPED');
    // Country HOLD and CONSUME, licence HOLD and CONSUME.
    expect(await t.db.ledgerEntry.count({ where: { shipmentId: created.id } })).toBe(4);
    const cancel = await request(t.app.server)
      .post(`/v1/shipments/${created.id}/cancel`)
      .set(bearer(procurement))
      .expect(409);
    expect(cancel.body.detail).toMatch(/shipped/);
    const audit = await t.db.auditEvent.findMany({
      where: { targetId: created.id },
      orderBy: { seq: 'asc' },
    });
    expect(audit.map((e) => e.action)).toEqual([
      'shipment.create',
      'shipment.license.attach',
      'shipment.ship',
    ]);
    await expectReconciled(code);
  });

  it('cancel releases the hold, idempotently; ship after cancel is 409', async () => {
    const code = await createTier2Country(t.db, { allocationTpp: 100_000_000 });
    const created = (await reserve(order(code, 2000, `Cancel ${code}`))).body;
    const cancelled = await request(t.app.server)
      .post(`/v1/shipments/${created.id}/cancel`)
      .set(bearer(procurement))
      .send({ reason: 'customer withdrew the order' })
      .expect(200);
    expect(cancelled.body).toMatchObject({
      status: 'CANCELLED',
      cancelReason: 'customer withdrew the order',
      holds: { countryTpp: 0, lppTpp: 0, licenseTpp: 0 },
      holdExpiresAt: null,
    });
    await request(t.app.server)
      .post(`/v1/shipments/${created.id}/cancel`)
      .set(bearer(procurement))
      .expect(200);
    expect(await quota(code)).toMatchObject({ reservedTpp: 0, shippedTpp: 0, remainingTpp: 100_000_000 });
    const ship = await request(t.app.server)
      .post(`/v1/shipments/${created.id}/ship`)
      .set(bearer(procurement))
      .expect(409);
    expect(ship.body).toMatchObject({ code: 'SHIPMENT_STATE_CONFLICT' });
    expect(ship.body.detail).toMatch(/cancelled/);
    const got = await request(t.app.server)
      .get(`/v1/shipments/${created.id}`)
      .set(bearer(vendor))
      .expect(403);
    expect(got.body.code).toBe('FORBIDDEN');
    const view = await request(t.app.server)
      .get(`/v1/shipments/${created.id}`)
      .set(bearer(procurement))
      .expect(200);
    expect(view.body).toMatchObject({ status: 'CANCELLED', destination: code });
    expect(view.body.cancelledAt).not.toBeNull();
    await expectReconciled(code);
  });

  it('releases a hold after its expiry and refuses to ship it', async () => {
    const code = await createTier2Country(t.db, { allocationTpp: 100_000_000 });
    const created = (await reserve(order(code, 2000, `Expire ${code}`))).body;
    const saved = clock;
    clock = new Date(saved.getTime() + 181 * 86_400_000);
    try {
      const res = await request(t.app.server)
        .post(`/v1/shipments/${created.id}/ship`)
        .set(bearer(procurement))
        .expect(409);
      expect(res.body.detail).toMatch(/expired/);
      const view = await request(t.app.server)
        .get(`/v1/shipments/${created.id}`)
        .set(bearer(procurement))
        .expect(200);
      expect(view.body.status).toBe('EXPIRED');
      expect((await quota(code)).reservedTpp).toBe(0);
    } finally {
      clock = saved;
    }
    await expectReconciled(code);
  });

  it('answers 404 for an unknown shipment and 400 for a malformed id', async () => {
    const missing = await request(t.app.server)
      .post('/v1/shipments/00000000-0000-4000-8000-000000000000/ship')
      .set(bearer(procurement))
      .expect(404);
    expect(missing.body.code).toBe('SHIPMENT_NOT_FOUND');
    await request(t.app.server).get('/v1/shipments/not-a-uuid').set(bearer(procurement)).expect(400);
  });
});

describe('officer allocation changes', () => {
  it('a government-to-government arrangement doubles the cap through an ADJUST entry, audited', async () => {
    const code = await createTier2Country(t.db, { allocationTpp: 100_000_000 });
    await reserve(order(code, 2000, `G2G ${code}`));
    const res = await request(t.app.server)
      .patch(`/v1/countries/${code.toLowerCase()}`)
      .set(bearer(officer))
      .send({ govToGovArrangement: true })
      .expect(200);
    expect(res.body).toMatchObject({
      govToGovArrangement: true,
      effectiveAllocationTpp: 200_000_000,
      officerModified: true,
    });
    expect(await quota(code)).toMatchObject({ capTpp: 200_000_000, reservedTpp: 2000 * H100 });
    const adjust = await t.db.ledgerEntry.findMany({
      where: { pool: { subject: code }, type: 'ADJUST' },
      orderBy: { id: 'asc' },
    });
    expect(adjust.map((e) => Number(e.capDelta))).toEqual([100_000_000, 100_000_000]);
    const audit = await t.db.auditEvent.findFirstOrThrow({
      where: { action: 'country.update', targetId: code },
    });
    expect(payloadOf(audit)).toMatchObject({
      before: { govToGovArrangement: false },
      after: { govToGovArrangement: true },
    });
    await expectReconciled(code);
  });

  it('rejects bad patches and non-officers without changing anything', async () => {
    const code = await createTier2Country(t.db, { allocationTpp: 100_000_000 });
    await request(t.app.server).patch(`/v1/countries/${code}`).set(bearer(officer)).send({}).expect(400);
    await request(t.app.server)
      .patch(`/v1/countries/${code}`)
      .set(bearer(officer))
      .send({ allocationTpp: -5 })
      .expect(400);
    await request(t.app.server)
      .patch(`/v1/countries/${code}`)
      .set(bearer(officer))
      .send({ tier: 'TIER_4' })
      .expect(400);
    await request(t.app.server)
      .patch(`/v1/countries/${code}`)
      .set(bearer(officer))
      .send({ allocationTpp: null })
      .expect(400);
    await request(t.app.server)
      .patch(`/v1/countries/${code}`)
      .set(bearer(procurement))
      .send({ govToGovArrangement: true })
      .expect(403);
    await request(t.app.server)
      .patch('/v1/countries/XQ1')
      .set(bearer(officer))
      .send({ govToGovArrangement: true })
      .expect(400);
    const row = await t.db.country.findUniqueOrThrow({ where: { code } });
    expect(row.govToGovArrangement).toBe(false);
    expect(Number(row.allocationTpp)).toBe(100_000_000);
  });
});

describe('GET /v1/quotas/{code}', () => {
  it('answers 404 NO_ALLOCATION for Tier 1 and Tier 3, 404 for unknown', async () => {
    expect((await request(t.app.server).get('/v1/quotas/KR').set(bearer(vendor)).expect(404)).body.code).toBe(
      'NO_ALLOCATION',
    );
    expect((await request(t.app.server).get('/v1/quotas/cn').set(bearer(vendor)).expect(404)).body.code).toBe(
      'NO_ALLOCATION',
    );
    expect((await request(t.app.server).get('/v1/quotas/XZ').set(bearer(vendor)).expect(404)).body.code).toBe(
      'COUNTRY_NOT_FOUND',
    );
  });
});
