import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROLES, type Role } from '../../src/http/access.ts';
import { bearer, createApiKey, createTier2Country } from '../helpers/factories.ts';
import { createTestApp, type TestApp } from '../helpers/test-app.ts';

/**
 * The console over HTTP: the page and its assets, the headers that keep it strict, and the two small read
 * endpoints it added to the API (GET /v1/quotas, GET /v1/session). The browser test (tests/e2e) drives it.
 */
let t: TestApp;
const keys = {} as Record<Role, { id: string; key: string; organisationId: string | null }>;

beforeAll(async () => {
  t = await createTestApp();
  for (const role of ROLES) keys[role] = await createApiKey(t.db, role, `console ${role}`);
});
afterAll(async () => t?.close());

const H100 = 15_832;

async function reservePendingLicence(destination: string, quantity: number): Promise<void> {
  const res = await t.app.inject({
    method: 'POST',
    url: '/v1/shipments',
    headers: { ...bearer(keys.procurement.key), 'idempotency-key': `console-${randomUUID()}` },
    payload: {
      destination,
      items: [{ productId: 'nvidia-h100-sxm', quantity }],
      endUser: {
        name: `Console buyer ${randomUUID().slice(0, 8)}`,
        headquarters: destination,
        verifiedEndUser: null,
      },
      shipDate: '2025-06-01',
    },
  });
  expect(res.statusCode, res.body).toBe(201);
  expect(res.json().status).toBe('PENDING_LICENSE');
}

describe('GET /console', () => {
  it('serves the page with a strict CSP: scripts and styles from the service only, nothing inline', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/console' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    const csp = String(res.headers['content-security-policy']);
    const directives = new Map(
      csp.split(';').map((d) => {
        const [name, ...values] = d.trim().split(/\s+/);
        return [name, values.join(' ')] as const;
      }),
    );
    expect(directives.get('default-src')).toBe("'none'");
    expect(directives.get('script-src')).toBe("'self'");
    expect(directives.get('style-src')).toBe("'self'");
    expect(directives.get('script-src-attr')).toBe("'none'");
    expect(directives.get('style-src-attr')).toBe("'none'");
    expect(directives.get('connect-src')).toBe("'self'");
    expect(directives.get('form-action')).toBe("'none'");
    expect(directives.get('frame-ancestors')).toBe("'none'");
    expect(directives.get('require-trusted-types-for')).toBe("'script'");
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).not.toContain('unsafe-eval');
    expect(csp).not.toContain('data:');
    expect(res.headers['x-frame-options']).toBe('DENY');
    expect(res.headers['referrer-policy']).toBe('no-referrer');

    // Nothing in the page that the CSP would have to allow: no inline script, style or handler.
    const html = res.body;
    const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)];
    expect(scripts.length).toBeGreaterThanOrEqual(2);
    for (const [, attributes, body] of scripts) {
      expect(attributes).toMatch(/\bsrc="\/console\/assets\/[a-z0-9.-]+\.js"/);
      expect(body?.trim()).toBe('');
    }
    expect(html).not.toMatch(/<style\b/i);
    expect(html).not.toMatch(/\sstyle=/i);
    expect(html).not.toMatch(/\son[a-z]+=/i);
    // The key field is never sent by the browser on its own: forms do not navigate (form-action 'none') and
    // the field is a password field.
    expect(html).toMatch(/<input id="api-key" name="api-key" type="password"/);
  });

  it('serves every asset the page names, with its content type, and revalidates with an ETag', async () => {
    const page = (await t.app.inject({ method: 'GET', url: '/console' })).body;
    const named = [...page.matchAll(/(?:src|href)="(\/console\/assets\/[^"]+)"/g)].map((m) => m[1] as string);
    expect(named).toEqual(
      expect.arrayContaining([
        '/console/assets/app.js',
        '/console/assets/chart.umd.min.js',
        '/console/assets/console.css',
        '/console/assets/favicon.svg',
      ]),
    );
    const types: Record<string, string> = {
      js: 'text/javascript; charset=utf-8',
      css: 'text/css; charset=utf-8',
      svg: 'image/svg+xml',
    };
    for (const url of named) {
      const res = await t.app.inject({ method: 'GET', url });
      expect(res.statusCode, url).toBe(200);
      expect(res.headers['content-type'], url).toBe(types[url.split('.').pop() as string]);
      expect(res.headers['cache-control']).toBe('no-cache');
      const etag = String(res.headers.etag);
      const again = await t.app.inject({ method: 'GET', url, headers: { 'if-none-match': etag } });
      expect(again.statusCode, url).toBe(304);
      expect(again.body).toBe('');
    }
    // The modules app.js imports are served too (the browser test loads them all).
    const app = (await t.app.inject({ method: 'GET', url: '/console/assets/app.js' })).body;
    for (const [, module] of app.matchAll(/from '\.\/([a-z-]+\.js)'/g)) {
      expect(
        (await t.app.inject({ method: 'GET', url: `/console/assets/${module}` })).statusCode,
        module,
      ).toBe(200);
    }
  });

  it('serves Chart.js byte for byte from the installed package', async () => {
    const dist = dirname(createRequire(import.meta.url).resolve('chart.js'));
    const res = await t.app.inject({ method: 'GET', url: '/console/assets/chart.umd.min.js' });
    expect(res.rawPayload.equals(readFileSync(join(dist, 'chart.umd.min.js')))).toBe(true);
  });

  it('answers 404 problem+json for an unknown asset and never reads outside its folder', async () => {
    for (const url of [
      '/console/assets/nope.js',
      '/console/assets/index.html',
      '/console/assets/tsconfig.json',
      '/console/assets/..%2f..%2fpackage.json',
      '/console/assets/%2e%2e%2fconfig.ts',
      '/console/assets/',
    ]) {
      const res = await t.app.inject({ method: 'GET', url });
      expect([400, 404], `${url}: ${res.body}`).toContain(res.statusCode);
      expect(res.headers['content-type']).toContain('application/problem+json');
      expect(res.body).not.toContain('"dependencies"');
    }
  });

  it('keeps the closed API CSP on /v1 answers', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/v1/quotas', headers: bearer(keys.vendor.key) });
    expect(res.headers['content-security-policy']).toContain("default-src 'none'");
    expect(res.headers['content-security-policy']).not.toContain("script-src 'self'");
  });
});

describe('GET /v1/quotas', () => {
  it('lists every Tier 2 allocation with the same balances as GET /v1/quotas/{code}', async () => {
    const code = await createTier2Country(t.db, { allocationTpp: 10_000 * H100 });
    // Over the consignee's LPP budget (26,900,000 TPP = 1,699 H100), so it holds the country allocation.
    await reservePendingLicence(code, 3_000);
    const res = await t.app.inject({ method: 'GET', url: '/v1/quotas', headers: bearer(keys.vendor.key) });
    expect(res.statusCode, res.body).toBe(200);
    const { data } = res.json<{ data: { country: string; tier: string }[] }>();
    const mine = data.find((q) => q.country === code);
    expect(mine).toMatchObject({
      tier: 'TIER_2',
      capTpp: 10_000 * H100,
      reservedTpp: 3_000 * H100,
      shippedTpp: 0,
      usedTpp: 3_000 * H100,
      remainingTpp: 7_000 * H100,
      reservedH100e: 3_000,
      remainingH100e: 7_000,
    });
    const one = await t.app.inject({
      method: 'GET',
      url: `/v1/quotas/${code}`,
      headers: bearer(keys.vendor.key),
    });
    expect(one.json()).toEqual(mine);

    // Every entry is Tier 2, once, in code order; Tier 1 and Tier 3 countries have no allocation.
    expect(data.every((q) => q.tier === 'TIER_2')).toBe(true);
    const codes = data.map((q) => q.country);
    expect(new Set(codes).size).toBe(codes.length);
    expect([...codes].sort()).toEqual(codes);
    expect(codes).toContain('AE');
    expect(codes).not.toContain('KR');
    expect(codes).not.toContain('CN');
  });

  it('answers every role and refuses a missing key or a query', async () => {
    for (const role of ROLES) {
      const res = await t.app.inject({ method: 'GET', url: '/v1/quotas', headers: bearer(keys[role].key) });
      expect(res.statusCode, role).toBe(200);
    }
    expect((await t.app.inject({ method: 'GET', url: '/v1/quotas' })).statusCode).toBe(401);
    const query = await t.app.inject({
      method: 'GET',
      url: '/v1/quotas?tier=TIER_1',
      headers: bearer(keys.vendor.key),
    });
    expect(query.statusCode).toBe(400);
    expect(query.json().code).toBe('VALIDATION_FAILED');
  });
});

describe('GET /v1/session', () => {
  it('tells the calling key its id, name and role, and never the secret', async () => {
    for (const role of ROLES) {
      const res = await t.app.inject({ method: 'GET', url: '/v1/session', headers: bearer(keys[role].key) });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual({
        keyId: keys[role].id,
        name: `console ${role}`,
        role,
        organisationId: keys[role].organisationId,
      });
      expect(res.body).not.toContain(keys[role].key);
    }
  });

  it('is 401 without a key and with an unknown one', async () => {
    const none = await t.app.inject({ method: 'GET', url: '/v1/session' });
    expect(none.statusCode).toBe(401);
    expect(none.json().code).toBe('UNAUTHENTICATED');
    const unknown = await t.app.inject({
      method: 'GET',
      url: '/v1/session',
      headers: bearer('gec_unknown_key_000000000000'),
    });
    expect(unknown.statusCode).toBe(401);
  });
});
