import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, createApiKey } from '../helpers/factories.ts';
import { createTestApp, type TestApp } from '../helpers/test-app.ts';
import { awaitFreshWindow, uniqueAddress } from '../helpers/throttle.ts';

interface AuditEvent {
  seq: number;
  occurredAt: string;
  actorKeyId: string | null;
  action: string;
  targetType: string;
  targetId: string;
  payload: {
    reason: string;
    status: number;
    address: string;
    method: string;
    route: string;
    keyId: string | null;
    count: number;
    summary?: { totalInWindow: number; routes: Record<string, number>; firstAt: string; lastAt: string };
  };
}

let t: TestApp;
let officer: string;

beforeAll(async () => {
  t = await createTestApp();
  officer = (await createApiKey(t.db, 'officer')).key;
});

afterAll(async () => {
  await t.close();
});

async function deniedFrom(address: string): Promise<{ events: AuditEvent[]; raw: string }> {
  const res = await t.app.inject({
    method: 'GET',
    url: `/v1/audit?action=auth.denied&targetId=${encodeURIComponent(address)}&limit=100`,
    headers: bearer(officer),
  });
  expect(res.statusCode).toBe(200);
  return { events: res.json<{ data: AuditEvent[] }>().data, raw: res.body };
}

/** Security events are written after the answer is sent: wait (bounded) until `n` have committed. */
async function awaitDenied(address: string, n: number): Promise<{ events: AuditEvent[]; raw: string }> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const found = await deniedFrom(address);
    if (found.events.length >= n || Date.now() > deadline) return found;
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('security events', () => {
  it('writes every 401 and 403 as auth.denied: time, address, key id when known, route, reason, never the key', async () => {
    const remoteAddress = uniqueAddress();
    const vendor = await createApiKey(t.db, 'vendor');
    const guess = `gec_${randomBytes(24).toString('base64url')}`;
    const before = new Date();

    expect((await t.app.inject({ method: 'GET', url: '/v1/countries', remoteAddress })).statusCode).toBe(401);
    expect(
      (await t.app.inject({ method: 'GET', url: '/v1/products', remoteAddress, headers: bearer(guess) }))
        .statusCode,
    ).toBe(401);
    expect(
      (await t.app.inject({ method: 'GET', url: '/v1/audit', remoteAddress, headers: bearer(vendor.key) }))
        .statusCode,
    ).toBe(403);

    const { events, raw } = await awaitDenied(remoteAddress, 3);
    expect(raw).not.toContain(guess);
    expect(raw).not.toContain(vendor.key);
    const byReason = Object.fromEntries(events.map((e) => [e.payload.reason, e]));
    expect(Object.keys(byReason).sort()).toEqual(['invalid_key', 'missing_key', 'role_forbidden']);
    for (const event of events) {
      expect(event).toMatchObject({
        action: 'auth.denied',
        targetType: 'client-address',
        targetId: remoteAddress,
      });
      expect(event.payload.address).toBe(remoteAddress);
      expect(event.payload.count).toBe(1);
      expect(new Date(event.occurredAt).getTime()).toBeGreaterThanOrEqual(before.getTime() - 1_000);
    }
    expect(byReason.missing_key?.payload).toMatchObject({
      status: 401,
      method: 'GET',
      route: '/v1/countries',
    });
    expect(byReason.invalid_key?.payload).toMatchObject({ status: 401, route: '/v1/products', keyId: null });
    expect(byReason.role_forbidden?.payload).toMatchObject({
      status: 403,
      route: '/v1/audit',
      keyId: vendor.id,
    });
    expect(byReason.role_forbidden?.actorKeyId).toBe(vendor.id);

    const verify = await t.app.inject({ method: 'GET', url: '/v1/audit/verify', headers: bearer(officer) });
    expect(verify.json()).toMatchObject({ valid: true });
  });

  it('folds a flood from one address into one event now and one summary when the minute ends', async () => {
    const flood = await createTestApp();
    const remoteAddress = uniqueAddress();
    await awaitFreshWindow(20_000);
    try {
      for (let i = 0; i < 40; i += 1) {
        const res = await flood.app.inject({
          method: 'GET',
          url: i % 2 === 0 ? '/v1/countries' : '/v1/products',
          remoteAddress,
          headers: bearer(`gec_${randomBytes(24).toString('base64url')}`),
        });
        expect(res.statusCode).toBe(401);
      }
      const during = await awaitDenied(remoteAddress, 1);
      expect(during.events).toHaveLength(1);
      expect(during.events[0]?.payload.count).toBe(1);
    } finally {
      // Closing ends the window early: the recorder writes what it aggregated.
      await flood.close();
    }
    const after = await awaitDenied(remoteAddress, 2);
    expect(after.events).toHaveLength(2);
    const summary = after.events.find((e) => e.payload.summary !== undefined);
    expect(summary?.payload).toMatchObject({
      reason: 'invalid_key',
      count: 39,
      summary: { totalInWindow: 40, routes: { '/v1/countries': 20, '/v1/products': 20 } },
    });
  });
});
