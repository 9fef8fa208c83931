import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { admission, orderLines } from '../../src/http/plugins/admission.ts';
import { errorHandler } from '../../src/http/plugins/error-handler.ts';

/** A gate the test opens: requests admitted before it opens stay in flight until then. */
function gate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { open, opened };
}

let app: FastifyInstance;
let entered = 0;
/** The keys of the requests that reached the handler, in the order they did. */
let entries: string[] = [];

async function buildAdmissionApp(limits: {
  maxBytes: number;
  maxLines: number;
  maxLinesPerKey: number;
  heavyLines?: number;
  heavyConcurrency?: number;
}) {
  const g = gate();
  entered = 0;
  entries = [];
  app = Fastify({ logger: false, bodyLimit: 1_048_576 });
  await app.register(errorHandler);
  await app.register(admission, { heavyLines: 10_000, heavyConcurrency: 1, ...limits, bodyLimit: 1_048_576 });
  app.addHook('onRequest', async (request) => {
    const key = request.headers['x-test-key'];
    if (typeof key === 'string')
      request.actor = { keyId: key, role: 'vendor', name: key, organisationId: null };
  });
  app.post('/work', async (request) => {
    entered += 1;
    entries.push(String(request.headers['x-test-key']));
    await g.opened;
    return { ok: true };
  });
  await app.ready();
  return g;
}

const order = (key: string, lines: number, pad = 0) =>
  app.inject({
    method: 'POST',
    url: '/work',
    headers: { 'x-test-key': key, 'content-type': 'application/json' },
    payload: { items: Array.from({ length: lines }, () => ({ q: 1 })), pad: 'x'.repeat(pad) },
  });

afterEach(async () => app?.close());

describe('admission by cost', () => {
  it('counts the lines of an order and of each order in a batch', () => {
    expect(orderLines({ items: [1, 2, 3] })).toBe(3);
    expect(orderLines({ checks: [{ items: [1] }, { items: [1, 2] }, 'junk'] })).toBe(3);
    expect(orderLines(null)).toBe(0);
    expect(orderLines({ items: 'many' })).toBe(0);
  });

  it("refuses one key's excess lines with 429, everyone's with 503, and admits again once answered", async () => {
    const g = await buildAdmissionApp({ maxBytes: 10_000_000, maxLines: 15, maxLinesPerKey: 10 });
    const first = order('k1', 8);
    await expect.poll(() => entered).toBe(1);

    const sameKey = await order('k1', 5);
    expect(sameKey.statusCode).toBe(429);
    expect(sameKey.headers['retry-after']).toBe('1');
    expect(sameKey.headers['content-type']).toContain('application/problem+json');
    expect(sameKey.json()).toMatchObject({ status: 429, code: 'TOO_MUCH_IN_FLIGHT' });

    const otherKey = order('k2', 5);
    await expect.poll(() => entered).toBe(2);
    const overall = await order('k3', 5);
    expect(overall.statusCode).toBe(503);
    expect(overall.headers['retry-after']).toBe('1');
    expect(overall.json()).toMatchObject({ status: 503, code: 'OVERLOADED' });
    expect(app.admission.inFlight().lines).toBe(13);

    g.open();
    expect((await first).statusCode).toBe(200);
    expect((await otherKey).statusCode).toBe(200);
    expect(app.admission.inFlight()).toEqual({ bytes: 0, lines: 0, heavyQueued: 0 });
    expect((await order('k1', 10)).statusCode).toBe(200);
    // Larger than a key's whole share: admitted alone rather than never.
    expect((await order('k1', 40)).statusCode).toBe(200);
  });

  it('lets heavy orders take turns, in arrival order, while light ones pass', async () => {
    const g = await buildAdmissionApp({
      maxBytes: 10_000_000,
      maxLines: 1_000,
      maxLinesPerKey: 1_000,
      heavyLines: 5,
      heavyConcurrency: 1,
    });
    const first = order('heavy-1', 6);
    await expect.poll(() => entered).toBe(1);
    const second = order('heavy-2', 40);
    const third = order('heavy-3', 6);
    await expect.poll(() => app.admission.inFlight().heavyQueued).toBe(2);
    // At the threshold an order is light: it does not wait behind the heavy ones.
    const light = order('light', 5);
    await expect.poll(() => entered).toBe(2);
    expect(entries).toEqual(['heavy-1', 'light']);
    // Admitted while waiting: their lines count against the budgets, so the queue is bounded by them.
    expect(app.admission.inFlight().lines).toBe(6 + 40 + 6 + 5);

    g.open();
    expect((await light).statusCode).toBe(200);
    for (const res of await Promise.all([first, second, third])) expect(res.statusCode).toBe(200);
    expect(entries).toEqual(['heavy-1', 'light', 'heavy-2', 'heavy-3']);
    expect(app.admission.inFlight()).toEqual({ bytes: 0, lines: 0, heavyQueued: 0 });
  });

  it('refuses a body beyond the byte budget before reading it', async () => {
    const g = await buildAdmissionApp({ maxBytes: 100_000, maxLines: 1_000, maxLinesPerKey: 1_000 });
    const big = order('k1', 1, 60_000);
    await expect.poll(() => entered).toBe(1);
    expect(app.admission.inFlight().bytes).toBeGreaterThan(60_000);
    const refused = await order('k2', 1, 60_000);
    expect(refused.statusCode).toBe(503);
    expect(refused.json()).toMatchObject({ code: 'OVERLOADED' });
    expect(entered).toBe(1);
    const small = order('k2', 1, 10);
    await expect.poll(() => entered).toBe(2);
    g.open();
    expect((await big).statusCode).toBe(200);
    expect((await small).statusCode).toBe(200);
    expect(app.admission.inFlight()).toEqual({ bytes: 0, lines: 0, heavyQueued: 0 });
  });

  it('releases what a request held when its client went away, once its handler is done', async () => {
    const g = await buildAdmissionApp({ maxBytes: 10_000_000, maxLines: 100, maxLinesPerKey: 100 });
    await app.listen({ port: 0, host: '127.0.0.1' });
    const address = app.server.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    const controller = new AbortController();
    const pending = fetch(`http://127.0.0.1:${port}/work`, {
      method: 'POST',
      headers: { 'x-test-key': 'k1', 'content-type': 'application/json' },
      body: JSON.stringify({ items: Array.from({ length: 50 }, () => ({ q: 1 })) }),
      signal: controller.signal,
    }).catch((error: unknown) => error);
    await expect.poll(() => entered).toBe(1);
    expect(app.admission.inFlight().lines).toBe(50);
    controller.abort();
    await pending;
    // The handler still holds its order: the budget stays taken while it runs...
    const closed = await fetch(`http://127.0.0.1:${port}/work`, {
      method: 'POST',
      headers: { 'x-test-key': 'k2', 'content-type': 'application/json' },
      body: JSON.stringify({ items: Array.from({ length: 60 }, () => ({ q: 1 })) }),
    });
    expect(closed.status).toBe(503);
    expect(app.admission.inFlight().lines).toBe(50);
    // ...and is released when it finishes, though nobody reads the answer.
    g.open();
    await expect.poll(() => app.admission.inFlight()).toEqual({ bytes: 0, lines: 0, heavyQueued: 0 });
  });
});
