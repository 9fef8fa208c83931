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
/** Waiters for a notification whose payload passes their test; undefined is the (re)connection signal. */
const waiters: { matches: (payload: string | undefined) => boolean; resolve: () => void }[] = [];

/** Resolves when a matching notification has reached the reader's cache (and invalidated it). */
function notified(matches: (payload: string | undefined) => boolean): Promise<void> {
  return new Promise((resolve) => waiters.push({ matches, resolve }));
}

beforeAll(async () => {
  writer = await createTestApp();
  readerCache = new ReferenceDataCache(writer.db, 60 * 60_000);
  reader = await createTestApp({ reference: readerCache });
  const connected = notified((payload) => payload === undefined);
  listener = listenForNotifications(
    parseDatabaseUrl(testDatabaseUrl()),
    REFERENCE_DATA_CHANNEL,
    (payload) => {
      readerCache.invalidate();
      for (const waiter of waiters.filter((w) => w.matches(payload))) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve();
      }
    },
    () => undefined,
  );
  // The listener reports its first connection as a notification: wait for it so no change is missed.
  await connected;
});

afterAll(async () => {
  await listener.close();
  await reader.close();
  await writer.close();
});

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

    // Listen before the change, for this country's own notification: others' changes do not count.
    const announced = notified((payload) => payload === `country:${code}`);
    await request(writer.app.server)
      .patch(`/v1/countries/${code}`)
      .set(bearer(officer))
      .send({ tier: 'TIER_3' })
      .expect(200);
    await announced;

    const after = await request(reader.app.server)
      .post('/v1/checks')
      .set(bearer(vendor))
      .send(body)
      .expect(200);
    expect(after.body.destination.tier).toBe('TIER_3');
    expect(after.body.allowed).toBe(false);
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
    let entered: () => void = () => undefined;
    const loading = new Promise<void>((resolve) => {
      entered = resolve;
    });
    const slowDb = new Proxy(writer.db, {
      get(target, prop, receiver) {
        if (prop === 'country') {
          return {
            findMany: async (args: unknown) => {
              calls += 1;
              if (calls === 1) {
                entered();
                await gate;
              }
              return target.country.findMany(args as Parameters<typeof target.country.findMany>[0]);
            },
          };
        }
        return Reflect.get(target, prop, receiver) as unknown;
      },
    });
    const cache = new ReferenceDataCache(slowDb, 60 * 60_000);
    const first = cache.countries(['KR']);
    // The first load is in flight (inside findMany) when the change is announced.
    await loading;
    cache.invalidate();
    release();
    expect((await first).get('KR')?.tier).toBe('TIER_1');
    // The load that raced the invalidation was thrown away and the data read again.
    expect(calls).toBe(2);
  });
});
