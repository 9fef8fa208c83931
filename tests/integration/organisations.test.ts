import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, createApiKey } from '../helpers/factories.ts';
import { createTestApp, type TestApp } from '../helpers/test-app.ts';

let t: TestApp;
let officer: string;
let auditor: string;
let clock = new Date('2025-06-01T12:00:00Z');

beforeAll(async () => {
  t = await createTestApp({ now: () => clock });
  officer = (await createApiKey(t.db, 'officer')).key;
  auditor = (await createApiKey(t.db, 'auditor')).key;
});
afterAll(async () => t.close());

async function newOrganisation(name = `Exporter ${randomUUID().slice(0, 8)}`): Promise<string> {
  const res = await request(t.app.server)
    .post('/v1/organisations')
    .set(bearer(officer))
    .send({ name, country: 'us' })
    .expect(201);
  expect(res.body).toMatchObject({ name, country: 'US', id: expect.any(String) });
  return res.body.id as string;
}

async function issue(body: Record<string, unknown>) {
  return request(t.app.server).post('/v1/api-keys').set(bearer(officer)).send(body);
}

describe('organisations', () => {
  it('are recorded by officers, listed to officers and auditors, and audited', async () => {
    const id = await newOrganisation('Listed Exporter Inc.');
    const listed = await request(t.app.server).get('/v1/organisations').set(bearer(auditor)).expect(200);
    expect(listed.body.data).toContainEqual(expect.objectContaining({ id, name: 'Listed Exporter Inc.' }));
    const events = await t.db.auditEvent.findMany({ where: { action: 'organisation.create', targetId: id } });
    expect(events).toHaveLength(1);
  });

  it('refuses a control character in a name and a bad country code, creating nothing', async () => {
    const named = () => t.db.organisation.count({ where: { name: { in: ['Bad\u0007Name', 'Fine'] } } });
    const before = await named();
    await request(t.app.server)
      .post('/v1/organisations')
      .set(bearer(officer))
      .send({ name: 'Bad\u0007Name', country: 'US' })
      .expect(400);
    await request(t.app.server)
      .post('/v1/organisations')
      .set(bearer(officer))
      .send({ name: 'Fine', country: 'USA' })
      .expect(400);
    expect(await named()).toBe(before);
  });
});

describe('keys and organisations', () => {
  it('requires an organisation for vendor and procurement keys and refuses one for officers and auditors', async () => {
    const organisationId = await newOrganisation();
    const keysFor = () =>
      t.db.apiKey.count({ where: { name: { in: ['no owner', 'owned', 'ghost owner'] } } });
    const before = await keysFor();
    for (const role of ['vendor', 'procurement']) {
      const res = await issue({ role, name: 'no owner' });
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({
        code: 'VALIDATION_FAILED',
        errors: [{ path: 'body.organisationId' }],
      });
    }
    for (const role of ['officer', 'auditor']) {
      const res = await issue({ role, name: 'owned', organisationId });
      expect(res.status).toBe(400);
    }
    const unknown = await issue({ role: 'vendor', name: 'ghost owner', organisationId: randomUUID() });
    expect(unknown.status).toBe(404);
    expect(unknown.body.code).toBe('ORGANISATION_NOT_FOUND');
    expect(await keysFor()).toBe(before);

    const created = await issue({ role: 'procurement', name: 'buyer', organisationId });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ role: 'procurement', organisationId, expiresAt: null });
  });

  it('refuses an expiry in the past and stops accepting a key once it expires (401)', async () => {
    const organisationId = await newOrganisation();
    const past = await issue({
      role: 'vendor',
      name: 'already expired',
      organisationId,
      expiresAt: '2025-05-31T00:00:00Z',
    });
    expect(past.status).toBe(400);
    expect(past.body.errors).toEqual([expect.objectContaining({ path: 'body.expiresAt' })]);

    const expiresAt = '2025-06-01T13:00:00.000Z';
    const created = await issue({ role: 'vendor', name: 'short-lived', organisationId, expiresAt });
    expect(created.status).toBe(201);
    expect(created.body.expiresAt).toBe(expiresAt);
    const key = created.body.key as string;
    await request(t.app.server).get('/v1/products').set(bearer(key)).expect(200);

    // An hour later the key has expired; the cached lookup does not keep it alive.
    clock = new Date('2025-06-01T13:00:00.001Z');
    try {
      const refused = await request(t.app.server).get('/v1/products').set(bearer(key)).expect(401);
      expect(refused.body).toMatchObject({ code: 'UNAUTHENTICATED' });
      expect(refused.headers['content-type']).toContain('application/problem+json');
    } finally {
      clock = new Date('2025-06-01T12:00:00Z');
    }
  });
});
