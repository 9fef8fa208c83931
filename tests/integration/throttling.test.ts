import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Actor } from '../../src/http/access.ts';
import type { KeyAuthenticator } from '../../src/http/plugins/auth.ts';
import { createPrismaClient } from '../../src/db/client.ts';
import { parseDatabaseUrl } from '../../src/db/embedded.ts';
import type { PrismaClient } from '../../src/repositories/db.ts';
import { ApiKeyAuthenticator } from '../../src/services/api-keys.ts';
import { bearer, createApiKey } from '../helpers/factories.ts';
import { createTestApp, testDatabaseUrl, type TestApp } from '../helpers/test-app.ts';
import { awaitFreshWindow, uniqueAddress } from '../helpers/throttle.ts';

/** The real authenticator, counting the lookups that reach the database (cache misses). */
class CountingAuthenticator implements KeyAuthenticator {
  lookups = 0;
  constructor(private readonly inner: ApiKeyAuthenticator) {}
  peek(key: string): Actor | null | undefined {
    return this.inner.peek(key);
  }
  async authenticate(key: string): Promise<Actor | null> {
    if (this.inner.peek(key) === undefined) this.lookups += 1;
    return this.inner.authenticate(key);
  }
  close(): void {
    this.inner.close();
  }
}

let apps: TestApp[] = [];
const extraClients: PrismaClient[] = [];

afterAll(async () => {
  await Promise.all(apps.map((t) => t.close()));
  await Promise.all(extraClients.map((db) => db.$disconnect()));
});

async function app(env: Record<string, string>, authenticator?: KeyAuthenticator): Promise<TestApp> {
  const t = await createTestApp({ env, ...(authenticator ? { authenticator } : {}) });
  apps.push(t);
  return t;
}

beforeAll(() => {
  apps = [];
});

describe('unauthenticated and failed attempts, per client address', () => {
  it('stops rotating random tokens after the budget, before any database lookup', async () => {
    const lookupDb = createPrismaClient(parseDatabaseUrl(testDatabaseUrl()), { poolSize: 2 });
    const authenticator = new CountingAuthenticator(new ApiKeyAuthenticator(lookupDb));
    const t = await app({ RATE_LIMIT_UNAUTHENTICATED_PER_MINUTE: '10' }, authenticator);
    extraClients.push(lookupDb);
    await awaitFreshWindow(20_000);
    const remoteAddress = uniqueAddress();
    const statuses: number[] = [];
    for (let i = 0; i < 200; i += 1) {
      const res = await t.app.inject({
        method: 'GET',
        url: '/v1/countries',
        remoteAddress,
        headers: bearer(`gec_${randomBytes(24).toString('base64url')}`),
      });
      statuses.push(res.statusCode);
      if (res.statusCode === 429) {
        expect(res.headers['content-type']).toContain('application/problem+json');
        expect(res.json().code).toBe('RATE_LIMITED');
        const retryAfter = Number(res.headers['retry-after']);
        expect(retryAfter).toBeGreaterThanOrEqual(1);
        expect(retryAfter).toBeLessThanOrEqual(60);
      }
    }
    expect(statuses.slice(0, 10)).toEqual(Array(10).fill(401));
    expect(statuses.slice(10)).toEqual(Array(190).fill(429));
    // 10 guesses cost a lookup each; the other 190 cost none.
    expect(authenticator.lookups).toBe(10);

    // Another address is not affected, and a valid key from the throttled address still works once known.
    const other = await t.app.inject({
      method: 'GET',
      url: '/v1/countries',
      remoteAddress: uniqueAddress(),
      headers: bearer('gec_not_a_key_at_all'),
    });
    expect(other.statusCode).toBe(401);
  });

  it('counts requests without any key against the address too', async () => {
    const t = await app({ RATE_LIMIT_UNAUTHENTICATED_PER_MINUTE: '3' });
    await awaitFreshWindow(20_000);
    const remoteAddress = uniqueAddress();
    const statuses = [];
    for (let i = 0; i < 5; i += 1) {
      statuses.push((await t.app.inject({ method: 'GET', url: '/v1/countries', remoteAddress })).statusCode);
    }
    expect(statuses).toEqual([401, 401, 401, 429, 429]);
    // Probes and the docs are never throttled.
    expect((await t.app.inject({ method: 'GET', url: '/healthz', remoteAddress })).statusCode).toBe(200);
    expect((await t.app.inject({ method: 'GET', url: '/openapi.json', remoteAddress })).statusCode).toBe(200);
  });
});

describe('authenticated calls', () => {
  it('are limited per key id, not per token string, and the count is shared by every app on the database', async () => {
    const a = await app({ RATE_LIMIT_PER_MINUTE: '6' });
    const b = await app({ RATE_LIMIT_PER_MINUTE: '6' });
    const { key } = await createApiKey(a.db, 'vendor');
    const other = (await createApiKey(a.db, 'vendor')).key;
    await awaitFreshWindow(20_000);
    const statuses = [];
    for (let i = 0; i < 8; i += 1) {
      const target = i % 2 === 0 ? a : b;
      const res = await target.app.inject({ method: 'GET', url: '/v1/rulesets', headers: bearer(key) });
      statuses.push(res.statusCode);
      if (res.statusCode === 200) expect(Number(res.headers['x-ratelimit-remaining'])).toBe(5 - i);
    }
    expect(statuses).toEqual([200, 200, 200, 200, 200, 200, 429, 429]);
    // Concurrent requests on both apps: the shared count never lets one through over the limit.
    const burst = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        (i % 2 === 0 ? a : b).app.inject({ method: 'GET', url: '/v1/rulesets', headers: bearer(other) }),
      ),
    );
    expect(burst.filter((r) => r.statusCode === 200)).toHaveLength(6);
    expect(burst.filter((r) => r.statusCode === 429)).toHaveLength(14);
  });

  it('are limited per organisation across its keys when keys carry one', async () => {
    const organisationId = randomUUID();
    const actors = new Map<string, Actor>([
      ['token-one', { keyId: randomUUID(), role: 'vendor', name: 'one', organisationId }],
      ['token-two', { keyId: randomUUID(), role: 'vendor', name: 'two', organisationId }],
      ['token-solo', { keyId: randomUUID(), role: 'vendor', name: 'solo', organisationId: null }],
    ]);
    const authenticator: KeyAuthenticator = {
      peek: (token) => actors.get(token),
      authenticate: async (token) => actors.get(token) ?? null,
    };
    const t = await app(
      { RATE_LIMIT_PER_MINUTE: '100', RATE_LIMIT_PER_ORGANISATION_PER_MINUTE: '5' },
      authenticator,
    );
    await awaitFreshWindow(20_000);
    const statuses = [];
    for (let i = 0; i < 7; i += 1) {
      const token = i % 2 === 0 ? 'token-one' : 'token-two';
      const res = await t.app.inject({ method: 'GET', url: '/v1/rulesets', headers: bearer(token) });
      statuses.push(res.statusCode);
      if (res.statusCode === 429) expect(res.json().detail).toContain('organisation');
    }
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429, 429]);
    // A key without an organisation only has its own limit.
    for (let i = 0; i < 7; i += 1) {
      const res = await t.app.inject({ method: 'GET', url: '/v1/rulesets', headers: bearer('token-solo') });
      expect(res.statusCode).toBe(200);
    }
  });
});
