import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reconcilePools } from '../../src/repositories/ledger-repository.ts';
import { bearer, createApiKey, createTier2Country, uniqueLicenseNumber } from '../helpers/factories.ts';
import { createTestApp, type TestApp } from '../helpers/test-app.ts';

/**
 * The licence workflow over HTTP with two exporters: a shipment that needs a licence ships only once an officer
 * has recorded one that covers it and it is attached; the licence's TPP is held, consumed and released in the
 * ledger; the other exporter sees none of it.
 */
let t: TestApp;
let officer: string;
let auditor: string;
const clock = new Date('2025-06-01T12:00:00Z');
const H100 = 15_832;

interface Exporter {
  organisationId: string;
  procurement: string;
  vendor: string;
}
let alpha: Exporter;
let beta: Exporter;

async function exporter(name: string): Promise<Exporter> {
  const org = await request(t.app.server)
    .post('/v1/organisations')
    .set(bearer(officer))
    .send({ name, country: 'US' })
    .expect(201);
  const organisationId = org.body.id as string;
  const key = async (role: string) =>
    (
      await request(t.app.server)
        .post('/v1/api-keys')
        .set(bearer(officer))
        .send({ role, name: `${name} ${role}`, organisationId })
        .expect(201)
    ).body.key as string;
  return { organisationId, procurement: await key('procurement'), vendor: await key('vendor') };
}

beforeAll(async () => {
  t = await createTestApp({ now: () => clock });
  officer = (await createApiKey(t.db, 'officer')).key;
  auditor = (await createApiKey(t.db, 'auditor')).key;
  alpha = await exporter(`Alpha Semiconductors ${randomUUID().slice(0, 6)}`);
  beta = await exporter(`Beta Systems ${randomUUID().slice(0, 6)}`);
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

async function reserve(key: string, body: object) {
  return request(t.app.server)
    .post('/v1/shipments')
    .set(bearer(key))
    .set('idempotency-key', `wf-${randomUUID()}`)
    .send(body);
}

async function recordLicence(body: Record<string, unknown>) {
  return request(t.app.server).post('/v1/licenses').set(bearer(officer)).send(body);
}

function licenceFor(code: string, organisationId: string, consigneeId: string, tppAuthorized: number) {
  return {
    number: uniqueLicenseNumber(),
    organisationId,
    destination: code,
    consigneeId,
    eccns: ['3A090.a'],
    tppAuthorized,
    validFrom: '2025-05-01',
    validUntil: '2026-04-30',
  };
}

async function expectLedgerReconciled(): Promise<void> {
  for (const row of await reconcilePools(t.db)) {
    expect(row.reservedTpp, row.poolId).toBe(row.entriesReservedTpp);
    expect(row.shippedTpp, row.poolId).toBe(row.entriesShippedTpp);
    expect(row.capTpp, row.poolId).toBe(row.entriesCapTpp);
  }
}

describe('the licence workflow, end to end', () => {
  it('check, reserve, refuse to ship, license, ship; the licence figures follow; the other exporter sees nothing', async () => {
    const code = await createTier2Country(t.db, { allocationTpp: 500_000_000 });
    const consignee = `Gulf Compute ${code}`;
    // 1. Check, then reserve: 3,000 H100 is over the LPP limit, so a licence is needed within the allocation.
    const check = await request(t.app.server)
      .post('/v1/checks')
      .set(bearer(alpha.vendor))
      .send(order(code, 3000, consignee))
      .expect(200);
    expect(check.body).toMatchObject({ licenseRequired: true, consignee: { id: null, name: consignee } });
    const created = await reserve(alpha.procurement, order(code, 3000, consignee));
    expect(created.status).toBe(201);
    expect(created.headers.location).toBe(`/v1/shipments/${created.body.id}`);
    expect(created.body).toMatchObject({ status: 'PENDING_LICENSE', organisationId: alpha.organisationId });
    const shipmentId = created.body.id as string;
    const consigneeId = created.body.consignee.id as string;
    expect(consigneeId).toMatch(/^[0-9a-f-]{36}$/);
    const got = await request(t.app.server)
      .get(`/v1/shipments/${shipmentId}`)
      .set(bearer(alpha.procurement))
      .expect(200);
    expect(got.body).toEqual(created.body);

    // 2. Ship without a licence: 409 LICENSE_REQUIRED, with or without a made-up number.
    for (const body of [undefined, { licenseNumber: 'FAKE' }]) {
      const refused = await request(t.app.server)
        .post(`/v1/shipments/${shipmentId}/ship`)
        .set(bearer(alpha.procurement))
        .send(body)
        .expect(409);
      expect(refused.body).toMatchObject({ code: 'LICENSE_REQUIRED', status: 409 });
    }

    // 3. The officer records a licence for 4,000 H100; attach it.
    const total = 3000 * H100;
    const licence = await recordLicence(licenceFor(code, alpha.organisationId, consigneeId, 4000 * H100));
    expect(licence.status).toBe(201);
    expect(licence.headers.location).toBe(`/v1/licenses/${licence.body.id}`);
    expect(licence.body).toMatchObject({
      status: 'ACTIVE',
      tppAuthorized: 4000 * H100,
      tppUsed: 0,
      tppHeld: 0,
      tppRemaining: 4000 * H100,
    });
    const licenceId = licence.body.id as string;
    const attached = await request(t.app.server)
      .post(`/v1/shipments/${shipmentId}/license`)
      .set(bearer(alpha.procurement))
      .send({ licenseId: licenceId })
      .expect(200);
    expect(attached.body).toMatchObject({
      status: 'LICENSED',
      licenseId: licenceId,
      holds: { licenseTpp: total },
    });
    const held = await request(t.app.server)
      .get(`/v1/licenses/${licenceId}`)
      .set(bearer(alpha.procurement))
      .expect(200);
    expect(held.body).toMatchObject({
      tppHeld: total,
      tppUsed: 0,
      tppRemaining: 1000 * H100,
      status: 'ACTIVE',
    });

    // 4. Ship; the licence's figures move from held to used; a second attachment finds too little left.
    const shipped = await request(t.app.server)
      .post(`/v1/shipments/${shipmentId}/ship`)
      .set(bearer(alpha.procurement))
      .expect(200);
    expect(shipped.body).toMatchObject({ status: 'SHIPPED', holds: { countryTpp: 0, licenseTpp: 0 } });
    const used = await request(t.app.server)
      .get(`/v1/licenses/${licenceId}`)
      .set(bearer(officer))
      .expect(200);
    expect(used.body).toMatchObject({ tppHeld: 0, tppUsed: total, tppRemaining: 1000 * H100 });
    const second = (await reserve(alpha.procurement, order(code, 3000, consignee))).body;
    expect(second.consignee.id).toBe(consigneeId);
    const exhausted = await request(t.app.server)
      .post(`/v1/shipments/${second.id}/license`)
      .set(bearer(alpha.procurement))
      .send({ licenseId: licenceId })
      .expect(409);
    expect(exhausted.body).toMatchObject({ code: 'LICENSE_INSUFFICIENT_TPP' });
    expect((await t.db.shipment.findUniqueOrThrow({ where: { id: second.id } })).status).toBe(
      'PENDING_LICENSE',
    );

    // 5. The other exporter gets 404 everywhere on these records, and lists none of them.
    for (const [method, url, body] of [
      ['get', `/v1/shipments/${shipmentId}`, undefined],
      ['post', `/v1/shipments/${shipmentId}/ship`, undefined],
      ['post', `/v1/shipments/${shipmentId}/cancel`, undefined],
      ['post', `/v1/shipments/${second.id}/license`, { licenseId: licenceId }],
      ['get', `/v1/licenses/${licenceId}`, undefined],
    ] as const) {
      const res = await request(t.app.server)[method](url).set(bearer(beta.procurement)).send(body);
      expect(res.status, `${method} ${url}`).toBe(404);
      expect(res.headers['content-type']).toContain('application/problem+json');
    }
    const betaList = await request(t.app.server)
      .get('/v1/shipments')
      .set(bearer(beta.procurement))
      .expect(200);
    expect(betaList.body.data.map((s: { id: string }) => s.id)).not.toContain(shipmentId);
    const betaLicences = await request(t.app.server)
      .get('/v1/licenses')
      .set(bearer(beta.procurement))
      .expect(200);
    expect(betaLicences.body.data.map((l: { id: string }) => l.id)).not.toContain(licenceId);
    // Officers and auditors see both exporters' records.
    await request(t.app.server).get(`/v1/shipments/${shipmentId}`).set(bearer(auditor)).expect(200);

    const audit = await t.db.auditEvent.findMany({
      where: { targetId: shipmentId },
      orderBy: { seq: 'asc' },
    });
    expect(audit.map((e) => e.action)).toEqual([
      'shipment.create',
      'shipment.license.attach',
      'shipment.ship',
    ]);
    await expectLedgerReconciled();
  });

  it('refuses an attachment that does not cover the shipment with the coded 409, changing nothing', async () => {
    const code = await createTier2Country(t.db, { allocationTpp: 500_000_000 });
    const other = await createTier2Country(t.db, { allocationTpp: 500_000_000 });
    const shipment = (await reserve(alpha.procurement, order(code, 2000, `Coverage ${code}`))).body;
    const consigneeId = shipment.consignee.id as string;
    const otherParty = (
      await request(t.app.server)
        .post('/v1/parties')
        .set(bearer(alpha.procurement))
        .send({ name: `Someone Else ${code}`, country: code })
        .expect(201)
    ).body.id as string;
    const otherDestinationParty = (
      await request(t.app.server)
        .post('/v1/parties')
        .set(bearer(alpha.procurement))
        .send({ name: `Coverage ${code}`, country: other })
        .expect(201)
    ).body.id as string;
    const base = licenceFor(code, alpha.organisationId, consigneeId, 10_000 * H100);
    const cases: [string, Record<string, unknown>][] = [
      ['LICENSE_WRONG_DESTINATION', { destination: other, consigneeId: otherDestinationParty }],
      ['LICENSE_WRONG_CONSIGNEE', { consigneeId: otherParty }],
      ['LICENSE_ECCN_NOT_COVERED', { eccns: ['4A090.a'] }],
      ['LICENSE_NOT_VALID_ON_SHIP_DATE', { validFrom: '2025-07-01', validUntil: '2026-06-30' }],
      ['LICENSE_INSUFFICIENT_TPP', { tppAuthorized: 1999 * H100 }],
      ['LICENSE_WRONG_ORGANISATION', { organisationId: beta.organisationId }],
    ];
    for (const [code409, change] of cases) {
      const licence = await recordLicence({ ...base, number: uniqueLicenseNumber(), ...change });
      expect(licence.status, JSON.stringify(licence.body)).toBe(201);
      // An officer may try any licence; the beta licence is refused on its owner, not hidden.
      const res = await request(t.app.server)
        .post(`/v1/shipments/${shipment.id}/license`)
        .set(bearer(officer))
        .send({ licenseId: licence.body.id })
        .expect(409);
      expect(res.body, code409).toMatchObject({ code: code409 });
      const after = await request(t.app.server).get(`/v1/licenses/${licence.body.id}`).set(bearer(officer));
      expect(after.body).toMatchObject({ tppHeld: 0, tppUsed: 0 });
    }
    // A procurement key does not even learn that the other exporter's licence exists.
    const betaLicence = await recordLicence({
      ...licenceFor(code, beta.organisationId, consigneeId, 10_000 * H100),
    });
    await request(t.app.server)
      .post(`/v1/shipments/${shipment.id}/license`)
      .set(bearer(alpha.procurement))
      .send({ licenseId: betaLicence.body.id })
      .expect(404);
    await request(t.app.server)
      .post(`/v1/shipments/${shipment.id}/license`)
      .set(bearer(alpha.procurement))
      .send({ licenseId: randomUUID() })
      .expect(404);
    const unchanged = await request(t.app.server)
      .get(`/v1/shipments/${shipment.id}`)
      .set(bearer(alpha.procurement))
      .expect(200);
    expect(unchanged.body).toMatchObject({ status: 'PENDING_LICENSE', licenseId: null });
    expect(await t.db.auditEvent.count({ where: { targetId: shipment.id } })).toBe(1);
  });

  it('refuses malformed licences with 400 and a duplicate number with 409, recording nothing', async () => {
    const code = await createTier2Country(t.db);
    const party = (
      await request(t.app.server)
        .post('/v1/parties')
        .set(bearer(alpha.procurement))
        .send({ name: `Licensee ${code}`, country: code })
        .expect(201)
    ).body.id as string;
    const good = licenceFor(code, alpha.organisationId, party, 1_000_000);
    const licencesHere = () => t.db.license.count({ where: { destination: code } });
    const before = await licencesHere();
    for (const bad of [
      { number: 'FAKE' },
      { number: 'D12' },
      { number: 'D1234567890' },
      { eccns: [] },
      { eccns: ['OUTSIDE_3A090'] },
      { tppAuthorized: 0 },
      { validFrom: '2026-01-01', validUntil: '2025-01-01' },
      { validUntil: '2025-02-30' },
      { destination: 'XZ' },
      { consigneeId: randomUUID() },
      { consignee: 'Both Named', consigneeId: party },
      { unexpected: true },
    ]) {
      const res = await recordLicence({ ...good, ...bad });
      expect(res.status, JSON.stringify(bad)).toBe(400);
      expect(res.headers['content-type']).toContain('application/problem+json');
    }
    const unknownOrg = await recordLicence({ ...good, organisationId: randomUUID() });
    expect(unknownOrg.status).toBe(404);
    expect(await licencesHere()).toBe(before);
    const first = await recordLicence({ ...good, number: good.number.toLowerCase() });
    expect(first.status).toBe(201);
    expect(first.body.number).toBe(good.number);
    const duplicate = await recordLicence(good);
    expect(duplicate.status).toBe(409);
    expect(duplicate.body.code).toBe('LICENSE_NUMBER_TAKEN');
    expect(await licencesHere()).toBe(before + 1);
    // Refused before anything is recorded: a consignee named for the first time is not left behind.
    const partiesHere = () => t.db.party.count({ where: { country: code } });
    const parties = await partiesHere();
    const { consigneeId: _id, ...byName } = good;
    const named = await recordLicence({ ...byName, consignee: `Never Recorded ${code}` });
    expect(named.status).toBe(409);
    expect(await partiesHere()).toBe(parties);
    // Only officers record licences.
    await request(t.app.server).post('/v1/licenses').set(bearer(alpha.procurement)).send(good).expect(403);
  });

  it('cancel releases the licence hold; revocation sends unshipped shipments back to PENDING_LICENSE', async () => {
    const code = await createTier2Country(t.db, { allocationTpp: 500_000_000 });
    const consignee = `Revocable ${code}`;
    const a = (await reserve(alpha.procurement, order(code, 2000, consignee))).body;
    const b = (await reserve(alpha.procurement, order(code, 2000, consignee))).body;
    const c = (await reserve(alpha.procurement, order(code, 2000, consignee))).body;
    const licence = (await recordLicence(licenceFor(code, alpha.organisationId, a.consignee.id, 6000 * H100)))
      .body;
    for (const s of [a, b, c]) {
      await request(t.app.server)
        .post(`/v1/shipments/${s.id}/license`)
        .set(bearer(alpha.procurement))
        .send({ licenseId: licence.id })
        .expect(200);
    }
    // Attaching the same licence again changes nothing.
    await request(t.app.server)
      .post(`/v1/shipments/${a.id}/license`)
      .set(bearer(alpha.procurement))
      .send({ licenseId: licence.id })
      .expect(200);
    await request(t.app.server).post(`/v1/shipments/${a.id}/ship`).set(bearer(alpha.procurement)).expect(200);
    const cancelled = await request(t.app.server)
      .post(`/v1/shipments/${b.id}/cancel`)
      .set(bearer(alpha.procurement))
      .send({ reason: 'order withdrawn' })
      .expect(200);
    expect(cancelled.body).toMatchObject({
      status: 'CANCELLED',
      cancelReason: 'order withdrawn',
      holds: { countryTpp: 0, lppTpp: 0, licenseTpp: 0 },
    });
    let view = (await request(t.app.server).get(`/v1/licenses/${licence.id}`).set(bearer(officer))).body;
    expect(view).toMatchObject({ tppUsed: 2000 * H100, tppHeld: 2000 * H100, tppRemaining: 2000 * H100 });

    const revoked = await request(t.app.server)
      .post(`/v1/licenses/${licence.id}/revoke`)
      .set(bearer(officer))
      .send({ reason: 'BIS revoked it' })
      .expect(200);
    expect(revoked.body).toMatchObject({ status: 'REVOKED', revokeReason: 'BIS revoked it', tppHeld: 0 });
    const back = await request(t.app.server)
      .get(`/v1/shipments/${c.id}`)
      .set(bearer(alpha.procurement))
      .expect(200);
    expect(back.body).toMatchObject({
      status: 'PENDING_LICENSE',
      licenseId: null,
      holds: { countryTpp: 2000 * H100, licenseTpp: 0 },
    });
    const shippedStays = await request(t.app.server)
      .get(`/v1/shipments/${a.id}`)
      .set(bearer(officer))
      .expect(200);
    expect(shippedStays.body.status).toBe('SHIPPED');
    // A revoked licence takes no new attachment, and revoking again changes nothing.
    const refused = await request(t.app.server)
      .post(`/v1/shipments/${c.id}/license`)
      .set(bearer(alpha.procurement))
      .send({ licenseId: licence.id })
      .expect(409);
    expect(refused.body.code).toBe('LICENSE_NOT_ACTIVE');
    await request(t.app.server)
      .post(`/v1/licenses/${licence.id}/revoke`)
      .set(bearer(officer))
      .send({ reason: 'again' })
      .expect(200);
    view = (await request(t.app.server).get(`/v1/licenses/${licence.id}`).set(bearer(auditor))).body;
    expect(view).toMatchObject({ status: 'REVOKED', revokeReason: 'BIS revoked it', tppUsed: 2000 * H100 });
    expect(await t.db.auditEvent.count({ where: { action: 'license.revoke', targetId: licence.id } })).toBe(
      1,
    );
    expect(
      await t.db.auditEvent.count({ where: { action: 'shipment.license.detach', targetId: c.id } }),
    ).toBe(1);
    await expectLedgerReconciled();
  });
});

describe('shipments a buyer can manage', () => {
  it('lists its own shipments newest first with filters and cursor pages', async () => {
    const buyer = await exporter(`Lister ${randomUUID().slice(0, 6)}`);
    const code = await createTier2Country(t.db);
    const made: string[] = [];
    for (let i = 0; i < 5; i += 1) {
      const res = await reserve(buyer.procurement, {
        ...order(code, 10, `Lister Consignee ${code}`),
        externalReference: `PO-${i}`,
      });
      expect(res.status).toBe(201);
      made.push(res.body.id as string);
    }
    await request(t.app.server)
      .post(`/v1/shipments/${made[1]}/cancel`)
      .set(bearer(buyer.procurement))
      .expect(200);

    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: request.Response = await request(t.app.server)
        .get('/v1/shipments')
        .query({ limit: 2, ...(cursor ? { cursor } : {}) })
        .set(bearer(buyer.procurement))
        .expect(200);
      expect(page.body.data.length).toBeLessThanOrEqual(2);
      seen.push(...page.body.data.map((s: { id: string }) => s.id));
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(seen).toHaveLength(5);
    expect(new Set(seen)).toEqual(new Set(made));
    const times = await Promise.all(
      seen.map(async (id) => (await t.db.shipment.findUniqueOrThrow({ where: { id } })).createdAt.getTime()),
    );
    expect([...times].sort((x, y) => y - x)).toEqual(times);

    const byRef = await request(t.app.server)
      .get('/v1/shipments')
      .query({ externalReference: 'PO-3' })
      .set(bearer(buyer.procurement))
      .expect(200);
    expect(byRef.body.data.map((s: { id: string }) => s.id)).toEqual([made[3]]);
    const cancelledOnly = await request(t.app.server)
      .get('/v1/shipments')
      .query({ status: 'CANCELLED', destination: code.toLowerCase() })
      .set(bearer(buyer.procurement))
      .expect(200);
    expect(cancelledOnly.body.data.map((s: { id: string }) => s.id)).toEqual([made[1]]);
    const consigneeId = (await t.db.shipment.findUniqueOrThrow({ where: { id: made[0] as string } }))
      .consigneeId;
    const byConsignee = await request(t.app.server)
      .get('/v1/shipments')
      .query({ consigneeId, limit: 200 })
      .set(bearer(buyer.procurement))
      .expect(200);
    expect(byConsignee.body.data).toHaveLength(5);
    const none = await request(t.app.server)
      .get('/v1/shipments')
      .query({ from: '2099-01-01T00:00:00Z' })
      .set(bearer(buyer.procurement))
      .expect(200);
    expect(none.body).toEqual({ data: [], nextCursor: null });
    for (const query of [
      { cursor: 'not-a-cursor' },
      { limit: 0 },
      { status: 'LOST' },
      { from: 'yesterday' },
    ]) {
      const res = await request(t.app.server)
        .get('/v1/shipments')
        .query(query)
        .set(bearer(buyer.procurement));
      expect(res.status, JSON.stringify(query)).toBe(400);
    }
  });

  it('keeps externalReference unique per organisation, not across organisations', async () => {
    const code = await createTier2Country(t.db);
    const ref = `PO-${randomUUID()}`;
    const first = await reserve(alpha.procurement, {
      ...order(code, 10, `Ref ${code}`),
      externalReference: ref,
    });
    expect(first.status).toBe(201);
    expect(first.body.externalReference).toBe(ref);
    const again = await reserve(alpha.procurement, {
      ...order(code, 20, `Ref ${code}`),
      externalReference: ref,
    });
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('EXTERNAL_REFERENCE_TAKEN');
    const elsewhere = await reserve(beta.procurement, {
      ...order(code, 10, `Ref ${code}`),
      externalReference: ref,
    });
    expect(elsewhere.status).toBe(201);
    // Concurrent creations with one reference: exactly one wins.
    const racing = `PO-${randomUUID()}`;
    const results = await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        reserve(alpha.procurement, { ...order(code, 10 + i, `Ref ${code}`), externalReference: racing }),
      ),
    );
    expect(results.map((r) => r.status).sort()).toEqual([201, 409, 409, 409, 409, 409]);
    expect(await t.db.shipment.count({ where: { externalReference: racing } })).toBe(1);
  });

  it('cancels with a body-less POST, with or without a JSON content type', async () => {
    const code = await createTier2Country(t.db);
    for (const contentType of [undefined, 'application/json']) {
      const created = (await reserve(alpha.procurement, order(code, 10, `Bodyless ${code}`))).body;
      const call = request(t.app.server)
        .post(`/v1/shipments/${created.id}/cancel`)
        .set(bearer(alpha.procurement));
      if (contentType) call.set('content-type', contentType);
      const res = await call;
      expect(res.status, String(contentType)).toBe(200);
      expect(res.body).toMatchObject({ status: 'CANCELLED', cancelReason: null });
    }
    // A body that is not an object is still refused.
    const created = (await reserve(alpha.procurement, order(code, 10, `Bodyless ${code}`))).body;
    await request(t.app.server)
      .post(`/v1/shipments/${created.id}/cancel`)
      .set(bearer(alpha.procurement))
      .set('content-type', 'application/json')
      .send('"please"')
      .expect(400);
    // A check still needs its body.
    await request(t.app.server)
      .post('/v1/checks')
      .set(bearer(alpha.vendor))
      .set('content-type', 'application/json')
      .send('')
      .expect(400);
  });

  it('refuses a shipment from an officer key, which belongs to no organisation', async () => {
    const code = await createTier2Country(t.db);
    const res = await reserve(officer, order(code, 10, `Officer ${code}`));
    expect(res.status).toBe(400);
    expect(res.body.detail).toMatch(/organisation/);
  });
});
