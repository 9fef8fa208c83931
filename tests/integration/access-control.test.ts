import { execFile } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { FastifyInstance, InjectOptions } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.ts';
import { ACCESS_POLICIES, ROLES, type AccessPolicy, type Role } from '../../src/http/access.ts';
import type { RouteAccess } from '../../src/http/plugins/auth.ts';
import { registerBootstrapKey } from '../../src/services/api-keys.ts';
import { bearer, createApiKey, createOrganisation } from '../helpers/factories.ts';
import { createTestApp, testConfig, testOwnerDatabaseUrl, type TestApp } from '../helpers/test-app.ts';
import { payloadOf } from '../../src/services/audit.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const execFileAsync = promisify(execFile);

let t: TestApp;
const keys = {} as Record<Role, { id: string; key: string }>;
let revokedKey: string;

beforeAll(async () => {
  t = await createTestApp();
  for (const role of ROLES) keys[role] = await createApiKey(t.db, role, `matrix ${role}`);
  const revoked = await createApiKey(t.db, 'officer', 'matrix revoked officer');
  await t.db.apiKey.update({ where: { id: revoked.id }, data: { revokedAt: new Date() } });
  revokedKey = revoked.key;
});
afterAll(async () => t.close());

/** Syntactically valid values that name nothing, so an allowed caller reaches validation or a 404, never a change. */
function samplePath(url: string): string {
  return url.replace(/:(\w+)/g, (_match, name: string) => (name === 'code' ? 'XQ' : randomUUID()));
}

/** A body no strict schema accepts: an allowed role gets 400 (or 404 first), a refused one never gets that far. */
function probe(route: RouteAccess, authorization?: string): InjectOptions {
  const options: InjectOptions = {
    method: route.method,
    url: samplePath(route.url),
    headers: { 'idempotency-key': `matrix-${randomUUID()}`, ...(authorization ? { authorization } : {}) },
  };
  if (route.method === 'POST' || route.method === 'PUT' || route.method === 'PATCH') {
    options.payload = { matrixProbe: true };
  }
  return options;
}

/**
 * Who may call each /v1 route, written out by hand from API.md's role column (vendor: checks and reference
 * data; procurement: vendor plus shipments; officer: everything; auditor: read everything, change nothing).
 * Deliberately not derived from ACCESS_POLICIES: a route tagged with the wrong policy must fail here. HEAD
 * routes Fastify adds for GETs follow their GET.
 */
const ALL: readonly Role[] = ['vendor', 'procurement', 'officer', 'auditor'];
const WHO_MAY_CALL_GET: Record<string, readonly Role[]> = {
  '/v1/countries': ALL,
  '/v1/countries/:code': ALL,
  '/v1/products': ALL,
  '/v1/products/:id': ALL,
  '/v1/rulesets': ALL,
  '/v1/quotas/:code': ALL,
  '/v1/shipments/:id': ['procurement', 'officer', 'auditor'],
  '/v1/audit': ['officer', 'auditor'],
  '/v1/audit/verify': ['officer', 'auditor'],
  '/v1/audit/checkpoints': ['officer', 'auditor'],
  '/v1/api-keys': ['officer', 'auditor'],
  // API.md: a check is readable by the organisation that asked, officers and auditors.
  '/v1/checks/:checkId': ALL,
  '/v1/checks/:checkId/record': ALL,
  // API.md, second part: shipments and licences for procurement (own organisation), officers and auditors;
  // organisations and screening-list imports for officers and auditors; parties for every role.
  '/v1/quotas': ALL,
  '/v1/session': ALL,
  '/v1/shipments': ['procurement', 'officer', 'auditor'],
  '/v1/licenses': ['procurement', 'officer', 'auditor'],
  '/v1/licenses/:id': ['procurement', 'officer', 'auditor'],
  '/v1/organisations': ['officer', 'auditor'],
  '/v1/parties': ALL,
  '/v1/parties/:id': ALL,
  '/v1/screening-lists': ['officer', 'auditor'],
};
const WHO_MAY_CALL: Record<string, readonly Role[]> = {
  ...Object.fromEntries(Object.entries(WHO_MAY_CALL_GET).map(([url, roles]) => [`GET ${url}`, roles])),
  ...Object.fromEntries(Object.entries(WHO_MAY_CALL_GET).map(([url, roles]) => [`HEAD ${url}`, roles])),
  'PATCH /v1/countries/:code': ['officer'],
  'POST /v1/products': ['officer'],
  'POST /v1/checks': ['vendor', 'procurement', 'officer'],
  'POST /v1/checks/batch': ['vendor', 'procurement', 'officer'],
  'POST /v1/plans': ['vendor', 'procurement', 'officer'],
  'POST /v1/screenings': ['vendor', 'procurement', 'officer'],
  'POST /v1/screening-lists': ['officer'],
  'POST /v1/organisations': ['officer'],
  'POST /v1/parties': ['procurement', 'officer'],
  'POST /v1/licenses': ['officer'],
  'POST /v1/licenses/:id/revoke': ['officer'],
  'POST /v1/shipments/:id/license': ['procurement', 'officer'],
  'POST /v1/shipments': ['procurement', 'officer'],
  'POST /v1/shipments/:id/ship': ['procurement', 'officer'],
  'POST /v1/shipments/:id/cancel': ['procurement', 'officer'],
  'POST /v1/api-keys': ['officer'],
  'DELETE /v1/api-keys/:id': ['officer'],
};

function v1Routes(app: FastifyInstance): RouteAccess[] {
  return app.routeAccess.filter((route) => route.url.startsWith('/v1/'));
}

describe('the route table', () => {
  it('lists every route with a policy from the table, and only probes and docs are public', () => {
    const routes = t.app.routeAccess;
    for (const route of routes)
      expect(Object.keys(ACCESS_POLICIES), `${route.method} ${route.url}`).toContain(route.access);
    const publicUrls = new Set(routes.filter((r) => r.access === 'public').map((r) => r.url));
    for (const url of publicUrls)
      expect(url).toMatch(/^(\/healthz|\/readyz|\/metrics|\/openapi\.json|\/docs(\/.*)?|\/console(\/.*)?)$/);
    const urls = new Set(routes.map((r) => `${r.method} ${r.url}`));
    for (const expected of [
      'POST /v1/checks',
      'GET /v1/countries',
      'GET /v1/audit',
      'GET /v1/audit/verify',
      'POST /v1/api-keys',
      'GET /v1/api-keys',
      'DELETE /v1/api-keys/:id',
    ]) {
      expect(urls).toContain(expected);
    }
  });

  it('refuses to boot when a route declares no access policy', async () => {
    const { db } = t;
    const app = await buildApp({ config: testConfig(), db, logger: false });
    try {
      const booting = app.register(async (child) => {
        child.get('/v1/forgotten', async () => ({ ok: true }));
      });
      await expect(booting).rejects.toThrow(/GET \/v1\/forgotten declares no access policy/);
    } finally {
      await app.close().catch(() => undefined);
    }
  });

  it('declares a schema for the path parameters and the query of every /v1 route', () => {
    for (const route of v1Routes(t.app)) {
      const name = `${route.method} ${route.url}`;
      expect(route.validates.querystring, `${name} query`).toBe(true);
      if (route.url.includes(':')) expect(route.validates.params, `${name} params`).toBe(true);
    }
  });
});

describe('every /v1 route against every role', () => {
  it('answers 401 without a key, with an unknown key and with a revoked key', async () => {
    for (const route of v1Routes(t.app)) {
      const name = `${route.method} ${route.url}`;
      for (const authorization of [
        undefined,
        'Bearer gec_unknown_key_000000000000',
        `Bearer ${revokedKey}`,
        'Basic b2ZmaWNlcjp4',
      ]) {
        const res = await t.app.inject(probe(route, authorization));
        expect(res.statusCode, `${name} with ${authorization ?? 'no key'}`).toBe(401);
        if (route.method !== 'HEAD') {
          expect(res.headers['content-type']).toContain('application/problem+json');
          expect(res.json()).toMatchObject({ code: 'UNAUTHENTICATED', requestId: expect.any(String) });
        }
      }
    }
  });

  it('answers 403 to the roles the contract leaves out and lets the others through', async () => {
    const checked: string[] = [];
    for (const route of v1Routes(t.app)) {
      const name = `${route.method} ${route.url}`;
      const allowed = WHO_MAY_CALL[name];
      expect(allowed, `${name} has no row in WHO_MAY_CALL: decide who may call it and add one`).toBeDefined();
      for (const role of ROLES) {
        const res = await t.app.inject(probe(route, bearer(keys[role].key).authorization));
        const label = `${role} ${name}`;
        if (allowed?.includes(role)) {
          expect([401, 403], label).not.toContain(res.statusCode);
          expect(res.statusCode, `${label}: ${res.body}`).toBeLessThan(500);
          // The probe body has a field no operation declares: a body must be refused before anything runs.
          if (probe(route).payload !== undefined) expect(res.statusCode, `${label}: ${res.body}`).toBe(400);
        } else {
          expect(res.statusCode, label).toBe(403);
          if (route.method !== 'HEAD') expect(res.json()).toMatchObject({ code: 'FORBIDDEN', status: 403 });
        }
        checked.push(label);
      }
    }
    // Every row of the table names a route that exists: a renamed route cannot leave its row behind.
    const served = new Set(v1Routes(t.app).map((r) => `${r.method} ${r.url}`));
    for (const row of Object.keys(WHO_MAY_CALL)) expect(served, row).toContain(row);
    expect(checked).toHaveLength(Object.keys(WHO_MAY_CALL).length * ROLES.length);
  });

  it('follows the contract for the key routes and the audit trail', () => {
    const policy = (method: string, url: string) =>
      t.app.routeAccess.find((r) => r.method === method && r.url === url)?.access;
    expect(ACCESS_POLICIES[policy('POST', '/v1/api-keys') as AccessPolicy]).toEqual(['officer']);
    expect(ACCESS_POLICIES[policy('DELETE', '/v1/api-keys/:id') as AccessPolicy]).toEqual(['officer']);
    expect(ACCESS_POLICIES[policy('GET', '/v1/audit') as AccessPolicy]).toEqual(['officer', 'auditor']);
    expect(ACCESS_POLICIES[policy('GET', '/v1/audit/verify') as AccessPolicy]).toEqual([
      'officer',
      'auditor',
    ]);
  });
});

describe('API keys', () => {
  it('issues a key once, stores only its hash, and audits the issue', async () => {
    const exporter = await createOrganisation(t.db);
    const res = await t.app.inject({
      method: 'POST',
      url: '/v1/api-keys',
      headers: bearer(keys.officer.key),
      payload: { role: 'vendor', name: '  ERP integration  ', organisationId: exporter.id },
    });
    expect(res.statusCode).toBe(201);
    const body = res.json();
    expect(body).toMatchObject({ id: expect.any(String), role: 'vendor', name: 'ERP integration' });
    expect(body.key).toMatch(/^gec_[A-Za-z0-9_-]{40,}$/);
    expect(body.prefix).toBe(body.key.slice(0, body.prefix.length));
    expect(res.headers['cache-control']).toBe('no-store');

    const row = await t.db.apiKey.findUniqueOrThrow({ where: { id: body.id } });
    expect(row.keyHash).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(row)).not.toContain(body.key);

    const works = await t.app.inject({ method: 'GET', url: '/v1/countries/AE', headers: bearer(body.key) });
    expect(works.statusCode).toBe(200);

    const events = await t.db.auditEvent.findMany({ where: { action: 'api-key.create', targetId: body.id } });
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      actorKeyId: keys.officer.id,
      actorRole: 'officer',
      targetType: 'api-key',
    });
    expect(`${events[0]?.record}`).not.toContain(body.key);
  });

  it('registers the bootstrap key idempotently with a label that reveals none of its characters', async () => {
    const secret = randomBytes(32).toString('hex');
    const first = await registerBootstrapKey(t.db, secret);
    const again = await registerBootstrapKey(t.db, secret);
    expect([first.created, again.created]).toEqual([true, false]);
    expect(again.record.id).toBe(first.record.id);
    expect(first.record.prefix).toMatch(/^bootstrap:[0-9a-f]{8}$/);
    for (let n = 4; n <= secret.length; n += 1) expect(first.record.prefix).not.toContain(secret.slice(0, n));
    const works = await t.app.inject({ method: 'GET', url: '/v1/api-keys', headers: bearer(secret) });
    expect(works.statusCode).toBe(200);
    expect(works.body).not.toContain(secret.slice(0, 12));
  });

  it('lists keys to officers and auditors without secrets or hashes', async () => {
    const { key, id } = await createApiKey(t.db, 'procurement', 'listed key');
    const res = await t.app.inject({ method: 'GET', url: '/v1/api-keys', headers: bearer(keys.auditor.key) });
    expect(res.statusCode).toBe(200);
    const listed = res.json().data.find((k: { id: string }) => k.id === id);
    expect(listed).toMatchObject({ id, role: 'procurement', name: 'listed key', revokedAt: null });
    expect(Object.keys(listed).sort()).toEqual([
      'createdAt',
      'expiresAt',
      'id',
      'name',
      'organisationId',
      'prefix',
      'revokedAt',
      'role',
    ]);
    expect(res.body).not.toContain(key);
    expect(res.body).not.toMatch(/keyHash|key_hash/);
  });

  it('revokes a key: 401 at once in this process, idempotent, audited once, 404 for an unknown id', async () => {
    const victim = await createApiKey(t.db, 'vendor', 'to revoke');
    // Warm the authenticator's cache, so the test shows the revocation drops the cached entry.
    expect(
      (await t.app.inject({ method: 'GET', url: '/v1/products', headers: bearer(victim.key) })).statusCode,
    ).toBe(200);

    const first = await t.app.inject({
      method: 'DELETE',
      url: `/v1/api-keys/${victim.id}`,
      headers: bearer(keys.officer.key),
    });
    expect(first.statusCode).toBe(200);
    expect(first.json()).toMatchObject({ id: victim.id, revokedAt: expect.any(String) });

    const after = await t.app.inject({ method: 'GET', url: '/v1/products', headers: bearer(victim.key) });
    expect(after.statusCode).toBe(401);

    const again = await t.app.inject({
      method: 'DELETE',
      url: `/v1/api-keys/${victim.id}`,
      headers: bearer(keys.officer.key),
    });
    expect(again.statusCode).toBe(200);
    expect(again.json().revokedAt).toBe(first.json().revokedAt);

    const events = await t.db.auditEvent.findMany({
      where: { action: 'api-key.revoke', targetId: victim.id },
    });
    expect(events).toHaveLength(1);
    expect(events[0] && payloadOf(events[0])).toMatchObject({
      before: { revokedAt: null },
      after: { revokedAt: first.json().revokedAt },
    });

    const unknown = await t.app.inject({
      method: 'DELETE',
      url: `/v1/api-keys/${randomUUID()}`,
      headers: bearer(keys.officer.key),
    });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().code).toBe('API_KEY_NOT_FOUND');
    const malformed = await t.app.inject({
      method: 'DELETE',
      url: '/v1/api-keys/not-a-uuid',
      headers: bearer(keys.officer.key),
    });
    expect(malformed.statusCode).toBe(400);
  });

  it('revocation reaches every app in the process, not only the one that served it', async () => {
    const other = await createTestApp();
    try {
      const victim = await createApiKey(t.db, 'auditor', 'seen by two apps');
      expect(
        (await other.app.inject({ method: 'GET', url: '/v1/audit?limit=1', headers: bearer(victim.key) }))
          .statusCode,
      ).toBe(200);
      await t.app.inject({
        method: 'DELETE',
        url: `/v1/api-keys/${victim.id}`,
        headers: bearer(keys.officer.key),
      });
      expect(
        (await other.app.inject({ method: 'GET', url: '/v1/audit?limit=1', headers: bearer(victim.key) }))
          .statusCode,
      ).toBe(401);
    } finally {
      await other.close();
    }
  });

  it('rejects bad key requests with the failing fields', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/v1/api-keys',
      headers: bearer(keys.officer.key),
      payload: { role: 'admin', name: '', keyHash: 'x' },
    });
    expect(res.statusCode).toBe(400);
    const paths = res.json().errors.map((e: { path: string }) => e.path);
    expect(paths).toEqual(expect.arrayContaining(['body.role', 'body.name']));
  });
});

describe('npm run apikey', () => {
  const tsx = `${ROOT}node_modules/.bin/tsx`;
  // The CLI is an administrator's tool: it applies pending migrations first, so it runs as the owner role.
  const env = { ...process.env, DATABASE_URL: testOwnerDatabaseUrl(), LOG_LEVEL: 'silent' };

  it('creates a key that authenticates, printed as the last line, and lists and revokes it', async () => {
    const name = `cli ${randomUUID()}`;
    const exporter = await createOrganisation(t.db);
    const created = await execFileAsync(
      tsx,
      ['src/cli/apikey.ts', 'create', '--role', 'vendor', '--name', name, '--organisation', exporter.id],
      { cwd: ROOT, env },
    );
    const key = created.stdout.trim().split('\n').at(-1) as string;
    expect(key).toMatch(/^gec_/);
    const res = await t.app.inject({ method: 'GET', url: '/v1/countries/KR', headers: bearer(key) });
    expect(res.statusCode).toBe(200);

    const row = await t.db.apiKey.findFirstOrThrow({ where: { name } });
    expect(row.role).toBe('vendor');
    expect(row.organisationId).toBe(exporter.id);
    const event = await t.db.auditEvent.findFirstOrThrow({
      where: { action: 'api-key.create', targetId: row.id },
    });
    expect(event.requestId).toMatch(/^cli:/);

    const listed = await execFileAsync(tsx, ['src/cli/apikey.ts', 'list'], { cwd: ROOT, env });
    expect(listed.stdout).toContain(row.id);
    expect(listed.stdout).not.toContain(key);

    await execFileAsync(tsx, ['src/cli/apikey.ts', 'revoke', row.id], { cwd: ROOT, env });
    expect((await t.db.apiKey.findUniqueOrThrow({ where: { id: row.id } })).revokedAt).not.toBeNull();
  });

  it('exits 2 with usage on a bad role', async () => {
    const failed = await execFileAsync(
      tsx,
      ['src/cli/apikey.ts', 'create', '--role', 'root', '--name', 'x'],
      { cwd: ROOT, env },
    ).then(
      () => null,
      (error: { code: number; stderr: string }) => error,
    );
    expect(failed?.code).toBe(2);
    expect(failed?.stderr).toMatch(/--role must be one of/);
  });
});
