import { createServer } from 'node:net';
import fastifyHelmet from '@fastify/helmet';
import Fastify, { type LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.ts';
import { createPrismaClient } from '../../src/db/client.ts';
import { API_HELMET_OPTIONS, DOCS_HELMET_OPTIONS } from '../../src/http/plugins/security.ts';
import { bearer, createApiKey } from '../helpers/factories.ts';
import { createTestApp, testConfig, type TestApp } from '../helpers/test-app.ts';
import { awaitFreshWindow, uniqueAddress } from '../helpers/throttle.ts';

const CHECK = {
  destination: 'KR',
  items: [{ productId: 'nvidia-h100-sxm', quantity: 1 }],
  endUser: { name: 'Hostile Input Test Co', headquarters: 'KR', verifiedEndUser: null },
  shipDate: '2025-06-01',
};

/** Internals that must never reach a caller: stack frames, file paths, SQL, ORM and driver names. */
const LEAKS =
  /\bat .+:\d+:\d+|node_modules|\.ts\b|\bprisma\b|\bSELECT\b|\bINSERT\b|postgres|ECONNREFUSED|stack/i;

function expectProblem(res: LightMyRequestResponse, status: number, code?: string): void {
  expect(res.statusCode, res.body).toBe(status);
  expect(res.headers['content-type']).toContain('application/problem+json');
  const body = res.json();
  expect(body).toMatchObject({
    status,
    type: expect.any(String),
    title: expect.any(String),
    detail: expect.any(String),
  });
  expect(body.requestId).toBe(res.headers['x-request-id']);
  if (code) expect(body.code).toBe(code);
  expect(res.body).not.toMatch(LEAKS);
}

let t: TestApp;
let key: string;

beforeAll(async () => {
  t = await createTestApp({ env: { BODY_LIMIT_BYTES: '4096' } });
  key = (await createApiKey(t.db, 'vendor', 'hostile input')).key;
});
afterAll(async () => t.close());

function postCheck(payload: string | undefined, headers: Record<string, string> = {}) {
  return t.app.inject({
    method: 'POST',
    url: '/v1/checks',
    headers: { ...bearer(key), 'content-type': 'application/json', ...headers },
    ...(payload === undefined ? {} : { payload }),
  });
}

describe('bodies', () => {
  it('accepts a well-formed check (the baseline for the cases below)', async () => {
    const res = await postCheck(JSON.stringify(CHECK));
    expect(res.statusCode).toBe(200);
  });

  it('answers 413 problem+json to a body over BODY_LIMIT_BYTES, declared or streamed', async () => {
    const big = JSON.stringify({ ...CHECK, consignee: 'x'.repeat(5000) });
    expectProblem(await postCheck(big), 413, 'PAYLOAD_TOO_LARGE');
    const chunked = await t.app.inject({
      method: 'POST',
      url: '/v1/checks',
      headers: { ...bearer(key), 'content-type': 'application/json', 'transfer-encoding': 'chunked' },
      payload: big,
    });
    expect([400, 413]).toContain(chunked.statusCode);
    expect(chunked.headers['content-type']).toContain('application/problem+json');
  });

  it('answers 415 problem+json to anything but JSON', async () => {
    for (const type of [
      'text/plain',
      'application/xml',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=x',
      'application/octet-stream',
    ]) {
      expectProblem(
        await postCheck('destination=KR', { 'content-type': type }),
        415,
        'UNSUPPORTED_MEDIA_TYPE',
      );
    }
    const noType = await t.app.inject({
      method: 'POST',
      url: '/v1/checks',
      headers: bearer(key),
      payload: Buffer.from(JSON.stringify(CHECK)),
    });
    expectProblem(noType, 415, 'UNSUPPORTED_MEDIA_TYPE');
  });

  it('answers 400 problem+json to malformed or empty JSON without echoing it', async () => {
    for (const payload of [
      '{"destination":',
      '{destination: "KR"}',
      "{'a':1}",
      '[1,]',
      'NaN',
      '\u0000',
      '{"a":1}}',
    ]) {
      const res = await postCheck(payload);
      expectProblem(res, 400, 'VALIDATION_FAILED');
    }
    expectProblem(await postCheck(''), 400, 'VALIDATION_FAILED');
    expectProblem(await postCheck('null'), 400, 'VALIDATION_FAILED');
  });

  it('refuses prototype-pollution keys and leaves Object.prototype alone', async () => {
    const payloads = [
      '{"__proto__":{"polluted":true},"destination":"KR"}',
      '{"constructor":{"prototype":{"polluted":true}}}',
      '{"endUser":{"__proto__":{"polluted":true}}}',
      JSON.stringify({
        ...CHECK,
        items: [
          { productId: 'nvidia-h100-sxm', quantity: 1, constructor: { prototype: { polluted: true } } },
        ],
      }),
    ];
    for (const payload of payloads) expectProblem(await postCheck(payload), 400, 'VALIDATION_FAILED');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('refuses U+0000 and unpaired surrogates anywhere in a body, which the database could not store', async () => {
    for (const bad of ['a\u0000b', '\ud800', 'x\udc00y']) {
      const body = {
        ...CHECK,
        consignee: `Co ${bad}`,
        items: [{ description: bad, tpp: 5200, performanceDensity: 7.1, datacenter: true, quantity: 1 }],
      };
      const res = await postCheck(JSON.stringify(body));
      expectProblem(res, 400, 'VALIDATION_FAILED');
      expect(res.json().errors[0].path).toMatch(/^body\.(items\[0\]\.description|consignee)$/);
      const key = await postCheck(JSON.stringify({ ...CHECK, [`k${bad}`]: 1 }));
      expectProblem(key, 400, 'VALIDATION_FAILED');
    }
    // A well-formed pair (an emoji) is fine.
    expect(
      (await postCheck(JSON.stringify({ ...CHECK, consignee: 'Cloud \ud83d\ude80 Co' }))).statusCode,
    ).toBe(200);
    expectProblem(
      await t.app.inject({ method: 'GET', url: '/v1/products/a%00b', headers: bearer(key) }),
      400,
    );
    expectProblem(
      await t.app.inject({ method: 'GET', url: '/v1/countries?tier=%00', headers: bearer(key) }),
      400,
    );
  });

  it('refuses unknown fields at every depth, naming them', async () => {
    const res = await postCheck(
      JSON.stringify({ ...CHECK, endUser: { ...CHECK.endUser, isAdmin: true }, priority: 1 }),
    );
    expectProblem(res, 400, 'VALIDATION_FAILED');
    expect(res.json().errors.map((e: { path: string }) => e.path)).toEqual(
      expect.arrayContaining(['body', 'body.endUser']),
    );
  });
});

describe('URLs and queries', () => {
  it('refuses query parameters a route does not declare, even where it reads none', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/v1/products?debug=1', headers: bearer(key) });
    expectProblem(res, 400, 'VALIDATION_FAILED');
    const repeated = await t.app.inject({
      method: 'GET',
      url: '/v1/countries?tier=TIER_1&tier=TIER_2',
      headers: bearer(key),
    });
    expectProblem(repeated, 400, 'VALIDATION_FAILED');
  });

  it('answers problem+json to a malformed URL and to an over-long path parameter', async () => {
    expectProblem(
      await t.app.inject({ method: 'GET', url: '/v1/countries/%E0%A4%A', headers: bearer(key) }),
      400,
    );
    expectProblem(
      await t.app.inject({ method: 'GET', url: `/v1/products/${'a'.repeat(300)}`, headers: bearer(key) }),
      400,
    );
    expectProblem(
      await t.app.inject({ method: 'GET', url: '/v1/countries/%00%00', headers: bearer(key) }),
      400,
    );
  });

  it('answers 404 problem+json for unknown routes, and a malformed Authorization header is 401', async () => {
    expectProblem(await t.app.inject({ method: 'GET', url: '/v1/../../etc/passwd' }), 404, 'NOT_FOUND');
    expectProblem(
      await t.app.inject({ method: 'GET', url: '/v1/products', headers: { authorization: 'Bearer' } }),
      401,
    );
    expectProblem(
      await t.app.inject({
        method: 'GET',
        url: '/v1/products',
        headers: { authorization: `Bearer ${'k'.repeat(5000)}` },
      }),
      401,
    );
  });
});

describe('security headers', () => {
  it('sends a locked-down policy with every API answer, errors included', async () => {
    for (const res of [
      await t.app.inject({ method: 'GET', url: '/v1/countries/AE', headers: bearer(key) }),
      await t.app.inject({ method: 'GET', url: '/v1/countries/AE' }),
      await t.app.inject({ method: 'GET', url: '/v1/nowhere' }),
    ]) {
      expect(res.headers['content-security-policy']).toContain("default-src 'none'");
      expect(res.headers['content-security-policy']).toContain("frame-ancestors 'none'");
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['x-frame-options']).toBe('DENY');
      expect(res.headers['referrer-policy']).toBe('no-referrer');
      expect(res.headers['strict-transport-security']).toMatch(/max-age=\d+/);
      expect(res.headers['x-powered-by']).toBeUndefined();
    }
    const ok = await t.app.inject({ method: 'GET', url: '/v1/countries/AE', headers: bearer(key) });
    expect(ok.headers['cache-control']).toBe('no-store');
  });

  it('sets exactly the headers @fastify/helmet set with the same options, without running helmet per request', async () => {
    // The reference: @fastify/helmet as the service used it (global options, the docs' CSP as route options).
    const reference = Fastify();
    await reference.register(fastifyHelmet, { global: true, ...API_HELMET_OPTIONS });
    reference.get('/v1/countries/AE', async () => ({ ok: true }));
    reference.get(
      '/docs/',
      { config: { helmet: { contentSecurityPolicy: DOCS_HELMET_OPTIONS.contentSecurityPolicy } } },
      async () => 'docs',
    );
    try {
      const cases = [
        { url: '/v1/countries/AE', headers: bearer(key), refUrl: '/v1/countries/AE' },
        { url: '/v1/countries/AE', headers: {}, refUrl: '/v1/countries/AE' },
        { url: '/v1/nowhere', headers: {}, refUrl: '/v1/nowhere' },
        { url: '/docs/', headers: {}, refUrl: '/docs/' },
      ];
      // Headers Fastify itself sets, which differ with the body; everything else the reference sends is helmet's.
      const own = new Set(['content-type', 'content-length', 'date', 'connection', 'keep-alive']);
      for (const c of cases) {
        const expected = await reference.inject({ method: 'GET', url: c.refUrl });
        const actual = await t.app.inject({ method: 'GET', url: c.url, headers: c.headers });
        const helmetHeaders = Object.keys(expected.headers).filter((name) => !own.has(name));
        expect(helmetHeaders.length, c.url).toBeGreaterThanOrEqual(10);
        for (const name of helmetHeaders)
          expect([c.url, name, actual.headers[name]]).toEqual([c.url, name, expected.headers[name]]);
        expect(actual.headers['x-powered-by']).toBeUndefined();
      }
    } finally {
      await reference.close();
    }
  });

  it('lets Swagger UI load its own scripts, styles and the document, and nothing from elsewhere', async () => {
    const page = await t.app.inject({ method: 'GET', url: '/docs/' });
    expect(page.statusCode).toBe(200);
    const csp = String(page.headers['content-security-policy']);
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toMatch(/script-src[^;]*(unsafe-inline|unsafe-eval|https:|\*)/);
    expect(csp).toContain("connect-src 'self'");
    expect(csp).not.toContain('upgrade-insecure-requests');
    // Every script the page loads is a file from this server, as script-src 'self' requires.
    const scripts = [...page.body.matchAll(/<script([^>]*)>([\s\S]*?)<\/script>/g)];
    expect(scripts.length).toBeGreaterThan(0);
    for (const [, attributes, inline] of scripts) {
      expect(attributes).toMatch(/src="\.\/static\//);
      expect(inline?.trim()).toBe('');
    }
    for (const [, src] of page.body.matchAll(/src="\.\/(static\/[^"]+)"/g)) {
      const asset = await t.app.inject({ method: 'GET', url: `/docs/${src}` });
      expect(asset.statusCode, src).toBe(200);
    }
    expect((await t.app.inject({ method: 'GET', url: '/openapi.json' })).statusCode).toBe(200);
  });
});

describe('rate limiting', () => {
  it('answers 429 problem+json with Retry-After once a key spends its minute, per key', async () => {
    const limited = await createTestApp({
      env: { RATE_LIMIT_PER_MINUTE: '3', RATE_LIMIT_UNAUTHENTICATED_PER_MINUTE: '3' },
    });
    // The address budget is shared through the database by every file's apps: use an address of our own.
    const remoteAddress = uniqueAddress();
    await awaitFreshWindow(15_000);
    try {
      const a = (await createApiKey(limited.db, 'vendor', 'rate a')).key;
      const b = (await createApiKey(limited.db, 'vendor', 'rate b')).key;
      for (let i = 0; i < 3; i += 1) {
        const res = await limited.app.inject({ method: 'GET', url: '/v1/rulesets', headers: bearer(a) });
        expect(res.statusCode).toBe(200);
        expect(Number(res.headers['x-ratelimit-remaining'])).toBe(2 - i);
      }
      const over = await limited.app.inject({ method: 'GET', url: '/v1/rulesets', headers: bearer(a) });
      expectProblem(over, 429, 'RATE_LIMITED');
      expect(Number(over.headers['retry-after'])).toBeGreaterThan(0);
      expect(Number(over.headers['retry-after'])).toBeLessThanOrEqual(60);

      expect(
        (await limited.app.inject({ method: 'GET', url: '/v1/rulesets', headers: bearer(b) })).statusCode,
      ).toBe(200);
      // Probes are never throttled; callers without a key share their address's budget.
      for (let i = 0; i < 5; i += 1)
        expect((await limited.app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
      const anonymous = [];
      for (let i = 0; i < 4; i += 1)
        anonymous.push(
          (await limited.app.inject({ method: 'GET', url: '/v1/rulesets', remoteAddress })).statusCode,
        );
      expect(anonymous).toEqual([401, 401, 401, 429]);
    } finally {
      await limited.close();
    }
  });
});

describe('internal failures', () => {
  it('answers 503 DATABASE_UNAVAILABLE problem+json with nothing about the database, SQL or the stack', async () => {
    // A "database" that hangs up on every connection, on a port bound to 0 and held for the whole test: a
    // closed free port could be taken by another process (another test's PostgreSQL) before it is used.
    const deadServer = createServer((socket) => socket.destroy());
    const port = await new Promise<number>((resolve) => {
      deadServer.listen(0, '127.0.0.1', () => {
        const address = deadServer.address();
        resolve(typeof address === 'object' && address ? address.port : 1);
      });
    });
    const deadDb = createPrismaClient(
      { host: '127.0.0.1', port, user: 'nobody', password: 'secret-password', database: 'nothing' },
      { connectionTimeoutMs: 1_000 },
    );
    const app = await buildApp({ config: testConfig(), db: deadDb, logger: false });
    try {
      const ready = await app.inject({ method: 'GET', url: '/readyz' });
      expectProblem(ready, 503, 'DATABASE_UNAVAILABLE');
      expect(Number(ready.headers['retry-after'])).toBeGreaterThan(0);
      const res = await app.inject({
        method: 'POST',
        url: '/v1/checks',
        headers: bearer(key),
        payload: CHECK,
      });
      // An unreachable database is an outage, not a bug: 503 with Retry-After (issue 10), never 500.
      expectProblem(res, 503, 'DATABASE_UNAVAILABLE');
      expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
      expect(res.body).not.toContain('secret-password');
      expect(res.body).not.toContain(String(port));
    } finally {
      await app.close();
      await deadDb.$disconnect();
      await new Promise((resolve) => deadServer.close(resolve));
    }
  });
});
