import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, createApiKey, createTier2Country } from '../helpers/factories.ts';
import { createTestApp, type TestApp } from '../helpers/test-app.ts';

/**
 * A consignee's LPP budget belongs to the party, not to a spelling: every variant of a name shares one budget,
 * when the variants arrive together and after the service restarts.
 */
let t: TestApp;
let procurement: string;
let vendor: string;
const clock = new Date('2025-06-01T12:00:00Z');
const H100 = 15_832;
const LPP_CAP = 26_900_000;

const VARIANTS = (base: string): string[] => [
  `${base}, LLC`,
  `${base.toLowerCase()} llc`,
  `${base}\u200b LLC`, // zero-width space
  `${base.replace('a', '\u0430')} LLC`, // a Cyrillic "а" in place of the first Latin "a"
  `${base.toUpperCase()} L.L.C.`,
];

beforeAll(async () => {
  t = await createTestApp({ now: () => clock });
  procurement = (await createApiKey(t.db, 'procurement')).key;
  vendor = (await createApiKey(t.db, 'vendor')).key;
});
afterAll(async () => t.close());

function order(destination: string, units: number, consignee: string) {
  return {
    destination,
    items: [{ productId: 'nvidia-h100-sxm', quantity: units }],
    endUser: { name: consignee, headquarters: destination, verifiedEndUser: null },
    shipDate: '2025-06-01',
  };
}

async function reserve(app: TestApp['app'], body: object) {
  return request(app.server)
    .post('/v1/shipments')
    .set(bearer(procurement))
    .set('idempotency-key', `party-${randomUUID()}`)
    .send(body);
}

describe('parties', () => {
  it('records a party once: every spelling answers 200 with the first one, creation audited once', async () => {
    const code = await createTier2Country(t.db);
    const names = VARIANTS(`Gulf AI ${code}`);
    const first = await request(t.app.server)
      .post('/v1/parties')
      .set(bearer(procurement))
      .send({ name: names[0], country: code.toLowerCase() })
      .expect(201);
    expect(first.headers.location).toBe(`/v1/parties/${first.body.id}`);
    for (const name of names.slice(1)) {
      const again = await request(t.app.server)
        .post('/v1/parties')
        .set(bearer(procurement))
        .send({ name, country: code })
        .expect(200);
      expect(again.body, JSON.stringify(name)).toEqual(first.body);
    }
    // The same name in another country is another party.
    const elsewhere = await createTier2Country(t.db);
    const other = await request(t.app.server)
      .post('/v1/parties')
      .set(bearer(procurement))
      .send({ name: names[0], country: elsewhere })
      .expect(201);
    expect(other.body.id).not.toBe(first.body.id);
    expect(await t.db.auditEvent.count({ where: { action: 'party.create', targetId: first.body.id } })).toBe(
      1,
    );

    const found = await request(t.app.server)
      .get('/v1/parties')
      .query({ q: `GULF \u0430I ${code}`, country: code })
      .set(bearer(vendor))
      .expect(200);
    expect(found.body.data.map((p: { id: string }) => p.id)).toEqual([first.body.id]);
  });

  it('refuses a name without letters or digits and an unknown party id', async () => {
    const code = await createTier2Country(t.db);
    const res = await request(t.app.server)
      .post('/v1/parties')
      .set(bearer(procurement))
      .send({ name: '\u200b.,-', country: code })
      .expect(400);
    expect(res.body.errors).toEqual([expect.objectContaining({ path: 'body.name' })]);
    await request(t.app.server).get(`/v1/parties/${randomUUID()}`).set(bearer(vendor)).expect(404);
    const check = await request(t.app.server)
      .post('/v1/checks')
      .set(bearer(vendor))
      .send({ ...order(code, 1, 'x'), consigneeId: randomUUID() })
      .expect(400);
    expect(check.body.errors).toEqual([expect.objectContaining({ path: 'body.consigneeId' })]);
  });

  it('shares one LPP budget among concurrent reservations under five spellings', async () => {
    const code = await createTier2Country(t.db);
    const names = VARIANTS(`Falcon Compute ${code}`);
    // 500 H100 = 7,916,000 TPP each: three fit in 26,900,000, a fourth does not.
    const results = await Promise.all(names.map((name) => reserve(t.app, order(code, 500, name))));
    for (const res of results) expect(res.status, JSON.stringify(res.body)).toBe(201);
    const partyIds = new Set(results.map((r) => r.body.consignee.id as string));
    expect(partyIds.size).toBe(1);
    const statuses = results.map((r) => r.body.status as string).sort();
    expect(statuses).toEqual(['PENDING_LICENSE', 'PENDING_LICENSE', 'RESERVED', 'RESERVED', 'RESERVED']);
    expect(await t.db.party.count({ where: { country: code } })).toBe(1);

    const [partyId] = [...partyIds];
    const party = await request(t.app.server).get(`/v1/parties/${partyId}`).set(bearer(vendor)).expect(200);
    expect(party.body.lpp).toEqual([
      { year: 2025, capTpp: LPP_CAP, usedTpp: 3 * 500 * H100, remainingTpp: LPP_CAP - 3 * 500 * H100 },
    ]);
    // A check under yet another spelling (and by id) reads the same budget and names the recorded party.
    for (const body of [
      order(code, 1, `FALCON  COMPUTE ${code} llc`),
      { ...order(code, 1, 'ignored'), consigneeId: partyId },
    ]) {
      const check = await request(t.app.server).post('/v1/checks').set(bearer(vendor)).send(body).expect(200);
      expect(check.body.consignee).toEqual({ id: partyId, name: party.body.name });
      expect(check.body.quota.lpp.usedTpp).toBe(3 * 500 * H100);
    }
  });

  it('keeps the budget across a restart: a new service instance on the same database sees the same party', async () => {
    const code = await createTier2Country(t.db);
    const names = VARIANTS(`Pelican Data ${code}`);
    const before = await reserve(t.app, order(code, 1000, names[0] as string));
    expect(before.body.status).toBe('RESERVED');

    const restarted = await createTestApp({ now: () => clock });
    try {
      // 1,000 + 700 H100 = 26,914,400 TPP: over the limit under any spelling.
      const after = await reserve(restarted.app, order(code, 700, names[3] as string));
      expect(after.status).toBe(201);
      expect(after.body.consignee.id).toBe(before.body.consignee.id);
      expect(after.body.status).toBe('PENDING_LICENSE');
      expect(after.body.decision.quota.lpp).toMatchObject({ usedTpp: 1000 * H100, applies: false });
      const fits = await reserve(restarted.app, order(code, 699, names[2] as string));
      expect(fits.body.status).toBe('RESERVED');
    } finally {
      await restarted.close();
    }
  });
});
