import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.ts';
import { reconcilePools } from '../../src/repositories/ledger-repository.ts';
import type { PrismaClient } from '../../src/repositories/db.ts';
import { payloadOf } from '../../src/services/audit.ts';
import { startHoldSweeper, type SweepOutcome } from '../../src/services/hold-sweeper.ts';
import { seedReferenceData } from '../../src/services/seed-reference-data.ts';
import { bearer, createApiKey, uniqueLicenseNumber, createTier2Country } from '../helpers/factories.ts';
import { createIsolatedDatabase, type IsolatedDatabase } from '../helpers/isolated-db.ts';
import { createTestApp, testConfig, type TestApp } from '../helpers/test-app.ts';

/**
 * Behaviour the audit of issue 16 found untested: the periodic hold-expiry sweeper, shipping and cancelling
 * LPP holds, shipping REJECTED and CLEARED shipments, and lowering an allocation below what is reserved.
 * Expected figures are written out: 1 H100 SXM = 15,832 TPP.
 */
const H100 = 15_832;
const DAY = 86_400_000;

function order(destination: string, quantity: number, consignee: string) {
  return {
    destination,
    items: [{ productId: 'nvidia-h100-sxm', quantity }],
    endUser: { name: consignee, headquarters: destination, verifiedEndUser: null },
    shipDate: '2025-06-01',
  };
}

async function reconciled(db: PrismaClient, poolId: string): Promise<void> {
  const [row] = await reconcilePools(db, [poolId]);
  expect(row).toBeDefined();
  expect(row?.reservedTpp).toBe(row?.entriesReservedTpp);
  expect(row?.shippedTpp).toBe(row?.entriesShippedTpp);
  expect(row?.capTpp).toBe(row?.entriesCapTpp);
}

describe('shipment states and holds (shared database, own rows)', () => {
  let t: TestApp;
  let procurement: string;
  let vendor: string;
  let officer: string;

  beforeAll(async () => {
    t = await createTestApp({ now: () => new Date('2025-06-01T12:00:00Z') });
    procurement = (await createApiKey(t.db, 'procurement')).key;
    vendor = (await createApiKey(t.db, 'vendor')).key;
    officer = (await createApiKey(t.db, 'officer')).key;
  });
  afterAll(async () => t.close());

  const reserve = (body: object) =>
    request(t.app.server)
      .post('/v1/shipments')
      .set(bearer(procurement))
      .set('idempotency-key', `states-${randomUUID()}`)
      .send(body);
  const transition = (id: string, what: 'ship' | 'cancel') =>
    request(t.app.server).post(`/v1/shipments/${id}/${what}`).set(bearer(procurement));
  const lppUsed = async (code: string, consignee: string): Promise<number> => {
    const res = await request(t.app.server)
      .post('/v1/checks')
      .set(bearer(vendor))
      .send(order(code, 1, consignee))
      .expect(200);
    return res.body.quota.lpp.usedTpp as number;
  };
  const lppPool = (shipmentId: string) =>
    t.db.shipment.findUniqueOrThrow({ where: { id: shipmentId } }).then((s) => s.lppPoolId);

  it('ships an LPP hold: the consignee budget moves from reserved to shipped and stays used', async () => {
    const code = await createTier2Country(t.db);
    const consignee = `LPP ship ${code}`;
    const created = await reserve(order(code, 100, consignee)).expect(201);
    expect(created.body).toMatchObject({
      status: 'RESERVED',
      holds: { countryTpp: 0, lppTpp: 1_583_200, lppYear: 2025 },
    });
    expect(await lppUsed(code, consignee)).toBe(1_583_200);

    const shipped = await transition(created.body.id, 'ship').expect(200);
    expect(shipped.body.status).toBe('SHIPPED');
    expect(await lppUsed(code, consignee)).toBe(1_583_200);

    const poolId = await lppPool(created.body.id);
    expect(poolId).not.toBeNull();
    const pool = await t.db.quotaPool.findUniqueOrThrow({ where: { id: poolId as string } });
    expect({ reserved: Number(pool.reservedTpp), shipped: Number(pool.shippedTpp) }).toEqual({
      reserved: 0,
      shipped: 1_583_200,
    });
    const entries = await t.db.ledgerEntry.findMany({
      where: { shipmentId: created.body.id },
      orderBy: { id: 'asc' },
    });
    expect(entries.map((e) => [e.type, Number(e.reservedDelta), Number(e.shippedDelta)])).toEqual([
      ['HOLD', 1_583_200, 0],
      ['CONSUME', -1_583_200, 1_583_200],
    ]);
    await reconciled(t.db, poolId as string);
    // The country allocation was never touched.
    expect((await request(t.app.server).get(`/v1/quotas/${code}`).set(bearer(vendor))).body).toMatchObject({
      reservedTpp: 0,
      shippedTpp: 0,
    });
  });

  it('cancels an LPP hold: the consignee budget is free again, and the same order then fits again', async () => {
    const code = await createTier2Country(t.db);
    const consignee = `LPP cancel ${code}`;
    // 1,699 H100 = 26,898,568 TPP: the whole LPP budget but 1,432 TPP.
    const first = await reserve(order(code, 1_699, consignee)).expect(201);
    expect(first.body.status).toBe('RESERVED');
    const blocked = await reserve(order(code, 1, consignee)).expect(201);
    expect(blocked.body.status).toBe('PENDING_LICENSE');

    await transition(first.body.id, 'cancel').expect(200);
    expect(await lppUsed(code, consignee)).toBe(0);
    const again = await reserve(order(code, 1_699, consignee)).expect(201);
    expect(again.body).toMatchObject({ status: 'RESERVED', holds: { lppTpp: 26_898_568 } });
    const poolId = await lppPool(first.body.id);
    await reconciled(t.db, poolId as string);
    const actions = await t.db.auditEvent.findMany({
      where: { targetId: first.body.id },
      orderBy: { seq: 'asc' },
    });
    expect(actions.map((a) => a.action)).toEqual(['shipment.create', 'shipment.cancel']);
    expect(actions[1] ? payloadOf(actions[1]) : null).toMatchObject({
      released: { countryTpp: 0, lppTpp: 26_898_568 },
    });
  });

  it('refuses to ship or cancel a REJECTED shipment, with 409 and no ledger entry', async () => {
    const rejected = await reserve(order('CN', 10, 'Rejected Lab')).expect(201);
    expect(rejected.body.status).toBe('REJECTED');
    const ship = await transition(rejected.body.id, 'ship').expect(409);
    expect(ship.headers['content-type']).toContain('application/problem+json');
    expect(ship.body).toMatchObject({ code: 'SHIPMENT_STATE_CONFLICT', status: 409 });
    expect(ship.body.detail).toMatch(/rejected/);
    const cancel = await transition(rejected.body.id, 'cancel').expect(409);
    expect(cancel.body.code).toBe('SHIPMENT_STATE_CONFLICT');
    const view = await request(t.app.server)
      .get(`/v1/shipments/${rejected.body.id}`)
      .set(bearer(procurement))
      .expect(200);
    expect(view.body).toMatchObject({ status: 'REJECTED', shippedAt: null });
    expect(await t.db.ledgerEntry.count({ where: { shipmentId: rejected.body.id } })).toBe(0);
    const actions = await t.db.auditEvent.findMany({ where: { targetId: rejected.body.id } });
    expect(actions.map((a) => a.action)).toEqual(['shipment.create']);
  });

  it('ships a CLEARED shipment (nothing held, nothing consumed), audited once', async () => {
    const cleared = await reserve(order('KR', 10, 'Cleared Cloud')).expect(201);
    expect(cleared.body).toMatchObject({ status: 'CLEARED', holds: { countryTpp: 0, lppTpp: 0 } });
    const shipped = await transition(cleared.body.id, 'ship').expect(200);
    expect(shipped.body).toMatchObject({ status: 'SHIPPED', shippedAt: expect.any(String) });
    await transition(cleared.body.id, 'ship').expect(200);
    expect(await t.db.ledgerEntry.count({ where: { shipmentId: cleared.body.id } })).toBe(0);
    const actions = await t.db.auditEvent.findMany({ where: { targetId: cleared.body.id } });
    expect(actions.map((a) => a.action).sort()).toEqual(['shipment.create', 'shipment.ship']);
    await transition(cleared.body.id, 'cancel').expect(409);
  });

  it('cancels a CLEARED shipment', async () => {
    const cleared = await reserve(order('DE', 1, 'Cleared Berlin')).expect(201);
    expect(cleared.body.status).toBe('CLEARED');
    const res = await transition(cleared.body.id, 'cancel').expect(200);
    expect(res.body.status).toBe('CANCELLED');
    await transition(cleared.body.id, 'ship').expect(409);
  });

  it('lowers an allocation below what is reserved: existing holds stand, new licences are denied', async () => {
    const code = await createTier2Country(t.db, { allocationTpp: 100_000_000 });
    const held = await reserve(order(code, 2_000, `Held ${code}`)).expect(201);
    expect(held.body).toMatchObject({ status: 'PENDING_LICENSE', holds: { countryTpp: 31_664_000 } });

    const patched = await request(t.app.server)
      .patch(`/v1/countries/${code}`)
      .set(bearer(officer))
      .send({ allocationTpp: 20_000_000 })
      .expect(200);
    expect(patched.body).toMatchObject({ allocationTpp: 20_000_000, effectiveAllocationTpp: 20_000_000 });

    const quota = await request(t.app.server).get(`/v1/quotas/${code}`).set(bearer(vendor)).expect(200);
    expect(quota.body).toMatchObject({
      capTpp: 20_000_000,
      reservedTpp: 31_664_000,
      shippedTpp: 0,
      remainingTpp: 0,
    });

    // The pool opened with its cap as an ADJUST entry; the officer's change is one more, of -80,000,000,
    // and one audit event says so.
    const adjust = await t.db.ledgerEntry.findMany({
      where: { pool: { subject: code }, type: 'ADJUST' },
      orderBy: { id: 'asc' },
    });
    expect(adjust.map((e) => Number(e.capDelta))).toEqual([100_000_000, -80_000_000]);
    const audit = await t.db.auditEvent.findFirstOrThrow({
      where: { action: 'country.update', targetId: code },
    });
    expect(payloadOf(audit)).toMatchObject({
      before: { allocationTpp: 100_000_000 },
      after: { allocationTpp: 20_000_000 },
      capAdjustmentTpp: -80_000_000,
    });

    // A new licence against the allocation finds nothing left: presumption of denial, nothing held.
    const next = await reserve(order(code, 2_000, `Next ${code}`)).expect(201);
    expect(next.body).toMatchObject({ status: 'REJECTED', holds: { countryTpp: 0, lppTpp: 0 } });
    expect(next.body.decision.quota.countryAllocation).toMatchObject({
      capTpp: 20_000_000,
      usedTpp: 31_664_000,
      remainingTpp: 0,
    });

    // The hold taken before the change can still ship, once its licence is attached (issue 11: a shipment that
    // needs a licence never ships without one).
    const license = await request(t.app.server)
      .post('/v1/licenses')
      .set(bearer(officer))
      .send({
        number: uniqueLicenseNumber(),
        organisationId: held.body.organisationId,
        destination: code,
        consignee: `Held ${code}`,
        eccns: ['3A090.a'],
        tppAuthorized: 31_664_000,
        validFrom: '2025-01-01',
        validUntil: '2026-12-31',
      })
      .expect(201);
    await request(t.app.server)
      .post(`/v1/shipments/${held.body.id}/license`)
      .set(bearer(procurement))
      .send({ licenseId: license.body.id })
      .expect(200);
    await transition(held.body.id, 'ship').expect(200);
    const after = await request(t.app.server).get(`/v1/quotas/${code}`).set(bearer(vendor)).expect(200);
    expect(after.body).toMatchObject({ reservedTpp: 0, shippedTpp: 31_664_000, remainingTpp: 0 });
    const pool = await t.db.quotaPool.findUniqueOrThrow({
      where: { kind_subject_year: { kind: 'COUNTRY_ALLOCATION', subject: code, year: 0 } },
    });
    await reconciled(t.db, pool.id);
  });
});

/**
 * The sweeper releases every expired hold in the database, so it runs on a database of its own: on the
 * shared one it would expire other files' holds under them.
 */
describe('the periodic hold-expiry sweeper (isolated database)', () => {
  let iso: IsolatedDatabase;
  let app: FastifyInstance;
  let procurement: string;
  let clock = new Date('2025-06-01T12:00:00Z');

  beforeAll(async () => {
    iso = await createIsolatedDatabase('hold_sweeper');
    await seedReferenceData(iso.db);
    app = await buildApp({ config: testConfig(), db: iso.db, logger: false, now: () => clock });
    await app.ready();
    procurement = (await createApiKey(iso.db, 'procurement')).key;
  });
  afterAll(async () => {
    await app?.close();
    await iso?.drop();
  });

  async function reserve(code: string, quantity: number, consignee: string) {
    const res = await app.inject({
      method: 'POST',
      url: '/v1/shipments',
      headers: { ...bearer(procurement), 'idempotency-key': `sweep-${randomUUID()}` },
      payload: order(code, quantity, consignee),
    });
    expect(res.statusCode).toBe(201);
    return res.json<{ id: string; status: string; holdExpiresAt: string }>();
  }

  it('releases expired holds on its own, audits each, and leaves live holds alone', async () => {
    const code = await createTier2Country(iso.db, { allocationTpp: 100_000_000 });
    const licence = await reserve(code, 2_000, `Sweep licence ${code}`);
    const lpp = await reserve(code, 10, `Sweep LPP ${code}`);
    expect([licence.status, lpp.status]).toEqual(['PENDING_LICENSE', 'RESERVED']);
    // HOLD_TTL_DAYS defaults to 180.
    expect(licence.holdExpiresAt).toBe('2025-11-28T12:00:00.000Z');
    clock = new Date(clock.getTime() + 100 * DAY);
    const live = await reserve(code, 2_000, `Sweep live ${code}`);
    expect(live.holdExpiresAt).toBe('2026-03-08T12:00:00.000Z');

    // 181 days after the first two: they have expired, the third has not.
    const sweepNow = new Date('2025-11-29T12:00:00Z');
    const outcomes: SweepOutcome[] = [];
    let resolveSwept: (outcome: SweepOutcome) => void = () => undefined;
    const swept = new Promise<SweepOutcome>((resolve) => {
      resolveSwept = resolve;
    });
    const sweeper = startHoldSweeper({
      db: iso.db,
      log: { info: () => undefined, error: () => undefined },
      intervalMs: 5,
      now: () => sweepNow,
      onSweep: (outcome) => {
        outcomes.push(outcome);
        resolveSwept(outcome);
      },
    });
    try {
      expect(await swept).toEqual({ expired: 2 });
    } finally {
      await sweeper.stop();
    }
    // Later sweeps find nothing more to do.
    expect(outcomes.slice(1).every((o) => 'expired' in o && o.expired === 0)).toBe(true);

    const rows = await iso.db.shipment.findMany({
      where: { id: { in: [licence.id, lpp.id, live.id] } },
    });
    const status = Object.fromEntries(rows.map((r) => [r.id, r.status]));
    expect(status).toEqual({ [licence.id]: 'EXPIRED', [lpp.id]: 'EXPIRED', [live.id]: 'PENDING_LICENSE' });

    const expiries = await iso.db.auditEvent.findMany({ where: { action: 'shipment.expire' } });
    expect(expiries.map((e) => e.targetId).sort()).toEqual([licence.id, lpp.id].sort());
    expect(expiries.every((e) => e.requestId === 'hold-expiry-sweeper' && e.actorKeyId === null)).toBe(true);

    const pool = await iso.db.quotaPool.findUniqueOrThrow({
      where: { kind_subject_year: { kind: 'COUNTRY_ALLOCATION', subject: code, year: 0 } },
    });
    expect(Number(pool.reservedTpp)).toBe(2_000 * H100);
    await reconciled(iso.db, pool.id);
    const lppRow = await iso.db.shipment.findUniqueOrThrow({ where: { id: lpp.id } });
    const lppPool = await iso.db.quotaPool.findUniqueOrThrow({ where: { id: lppRow.lppPoolId as string } });
    expect(Number(lppPool.reservedTpp)).toBe(0);
    await reconciled(iso.db, lppPool.id);
  });

  it('reports a failed sweep and keeps sweeping', async () => {
    const outcomes: SweepOutcome[] = [];
    const errors: unknown[] = [];
    let failures = 0;
    // A client whose queries fail twice, then work: the sweeper must log, report and go on.
    const flaky = new Proxy(iso.db, {
      get(target, prop, receiver) {
        if (prop === 'shipment' && failures < 2) {
          failures += 1;
          throw new Error('database unavailable');
        }
        return Reflect.get(target, prop, receiver) as unknown;
      },
    });
    let resolveDone: () => void = () => undefined;
    const done = new Promise<void>((resolve) => {
      resolveDone = resolve;
    });
    const sweeper = startHoldSweeper({
      db: flaky,
      log: { info: () => undefined, error: (obj) => errors.push(obj) },
      intervalMs: 5,
      // Before any hold here expires, so a working sweep finds nothing.
      now: () => new Date('2025-06-02T00:00:00Z'),
      onSweep: (outcome) => {
        outcomes.push(outcome);
        if ('expired' in outcome) resolveDone();
      },
    });
    try {
      await done;
    } finally {
      await sweeper.stop();
    }
    expect(outcomes.slice(0, 2).every((o) => 'error' in o)).toBe(true);
    expect(outcomes[2]).toEqual({ expired: 0 });
    expect(errors).toHaveLength(2);
  });
});
