import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseDatabaseUrl } from '../../src/db/embedded.ts';
import { listenForNotifications, type NotificationListener } from '../../src/db/notifications.ts';
import { REFERENCE_DATA_CHANNEL, ReferenceDataCache } from '../../src/services/reference-data.ts';
import { bearer, createApiKey, createTier2Country } from '../helpers/factories.ts';
import { createTestApp, testDatabaseUrl, type TestApp } from '../helpers/test-app.ts';

/**
 * Checks read countries and products from a per-process cache. Two apps here stand for two processes: an
 * officer's change through one must reach the other's next check, carried by a PostgreSQL notification.
 */
let reader: TestApp;
let writer: TestApp;
let readerCache: ReferenceDataCache;
let listener: NotificationListener;
let heard = 0;

beforeAll(async () => {
  writer = await createTestApp();
  readerCache = new ReferenceDataCache(writer.db, 60 * 60_000);
  reader = await createTestApp({ reference: readerCache });
  listener = listenForNotifications(
    parseDatabaseUrl(testDatabaseUrl()),
    REFERENCE_DATA_CHANNEL,
    () => {
      heard += 1;
      readerCache.invalidate();
    },
    () => undefined,
  );
  // The listener reports its first connection as a notification: wait for it so no change is missed.
  for (let i = 0; i < 100 && heard === 0; i += 1) await new Promise((r) => setTimeout(r, 20));
});

afterAll(async () => {
  await listener.close();
  await reader.close();
  await writer.close();
});

async function eventually(assertion: () => Promise<void>): Promise<void> {
  let last: unknown;
  for (let i = 0; i < 100; i += 1) {
    try {
      await assertion();
      return;
    } catch (error) {
      last = error;
      await new Promise((r) => setTimeout(r, 20));
    }
  }
  throw last;
}

describe('reference data seen by checks', () => {
  it("reaches another process's cache when an officer changes a tier", async () => {
    const officer = (await createApiKey(writer.db, 'officer')).key;
    const vendor = (await createApiKey(writer.db, 'vendor')).key;
    const code = await createTier2Country(writer.db, { allocationTpp: 100_000_000 });
    const body = {
      destination: code,
      items: [{ productId: 'nvidia-h100-sxm', quantity: 10 }],
      endUser: { name: 'Cache test', headquarters: code },
      shipDate: '2025-06-01',
    };
    const before = await request(reader.app.server)
      .post('/v1/checks')
      .set(bearer(vendor))
      .send(body)
      .expect(200);
    expect(before.body.destination.tier).toBe('TIER_2');

    await request(writer.app.server)
      .patch(`/v1/countries/${code}`)
      .set(bearer(officer))
      .send({ tier: 'TIER_3' })
      .expect(200);

    await eventually(async () => {
      const after = await request(reader.app.server)
        .post('/v1/checks')
        .set(bearer(vendor))
        .send(body)
        .expect(200);
      expect(after.body.destination.tier).toBe('TIER_3');
      expect(after.body.allowed).toBe(false);
    });
  });

  it('finds a row another process added a moment ago, without waiting for the notification', async () => {
    const cache = new ReferenceDataCache(writer.db, 60 * 60_000);
    expect((await cache.countries(['KR'])).size).toBe(1);
    const code = await createTier2Country(writer.db);
    expect((await cache.countries([code, 'KR'])).get(code)?.tier).toBe('TIER_2');
    expect((await cache.countries(['QQ'])).size).toBe(0);
  });

  it('never keeps a copy read while a change was announced', async () => {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    let calls = 0;
    const slowDb = new Proxy(writer.db, {
      get(target, prop, receiver) {
        if (prop === 'country') {
          return {
            findMany: async (args: unknown) => {
              calls += 1;
              if (calls === 1) await gate;
              return target.country.findMany(args as Parameters<typeof target.country.findMany>[0]);
            },
          };
        }
        return Reflect.get(target, prop, receiver) as unknown;
      },
    });
    const cache = new ReferenceDataCache(slowDb, 60 * 60_000);
    const first = cache.countries(['KR']);
    await new Promise((r) => setTimeout(r, 20));
    cache.invalidate();
    release();
    expect((await first).get('KR')?.tier).toBe('TIER_1');
    // The load that raced the invalidation was thrown away and the data read again.
    expect(calls).toBe(2);
  });
});
