import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, createApiKey, createTier2Country } from '../helpers/factories.ts';
import { seedFor } from '../helpers/seed.ts';
import { createTestApp, type TestApp } from '../helpers/test-app.ts';

/**
 * Property: whatever body arrives at the two endpoints that decide (and reserve), the answer is never a 5xx,
 * every refusal is problem+json carrying the request id, and a refused request leaves no trace: no audit
 * event, no shipment, no ledger entry, no change to a pool. Mutations start from a valid order so that the
 * generator reaches deep into the schema instead of failing at the first field.
 */

const RUNS_PER_ROUTE = 2_000;

let t: TestApp;
let apiKey: { id: string; key: string };
let country: string;
const consignee = `Fuzz Consignee ${randomUUID()}`;

beforeAll(async () => {
  t = await createTestApp();
  // procurement may both run checks and reserve, so one key covers both routes and tags everything it causes.
  apiKey = await createApiKey(t.db, 'procurement', 'fuzz');
  country = await createTier2Country(t.db, { allocationTpp: 50_000_000 });
});
afterAll(async () => t.close());

function template(): Record<string, unknown> {
  return {
    destination: country,
    items: [
      { productId: 'nvidia-h100-sxm', quantity: 2 },
      { description: 'custom board', tpp: 5200, performanceDensity: 7.1, datacenter: true, quantity: 4 },
    ],
    endUser: { name: consignee, headquarters: country, verifiedEndUser: null },
    consignee,
    shipDate: '2025-06-01',
    ruleset: 'ai-diffusion-2025',
  };
}

const nastyString = fc.oneof(
  fc.constantFrom(
    '',
    ' ',
    'NaN',
    'Infinity',
    '-Infinity',
    '-0',
    '1e9999',
    '0x10',
    'null',
    'undefined',
    'true',
    '__proto__',
    'constructor',
    'prototype',
    '\u0000',
    'a\u0000b',
    '\ud800',
    '\udfff\ud800',
    '\u202e\u0041\u0045',
    '\ufeffAE',
    'ＡＥ',
    'ae\n',
    '<script>alert(1)</script>',
    "'; DROP TABLE shipments; --",
    '${jndi:ldap://x}',
    '../../etc/passwd',
    '%00',
    '9'.repeat(400),
    'x'.repeat(5_000),
    '2025-02-30',
    '2025-13-01',
    '1900-01-01',
    '+002025-06-01',
  ),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
);

const nastyNumber = fc.oneof(
  fc.constantFrom(
    0,
    -1,
    -0,
    0.5,
    1.5,
    1e6 + 1,
    2 ** 31,
    2 ** 53 + 1,
    1e21,
    1e308,
    -1e308,
    Number.MIN_VALUE,
    1e-7,
  ),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.integer(),
);

/** Deep nesting, built iteratively: the serialiser must not be the thing that overflows. */
function nested(depth: number, inner: unknown, asArray: boolean): unknown {
  let value = inner;
  for (let i = 0; i < depth; i += 1) value = asArray ? [value] : { a: value };
  return value;
}

const nastyValue: fc.Arbitrary<unknown> = fc.oneof(
  nastyString,
  nastyNumber,
  fc.constantFrom(null, true, false, [], {}, [[]], [null], { __proto__: null }),
  fc.jsonValue({ maxDepth: 3 }),
  fc.integer({ min: 10, max: 2_000 }).map((depth) => nested(depth, 1, depth % 2 === 0)),
);

const fieldName = fc.oneof(
  fc.constantFrom(
    '__proto__',
    'constructor',
    'prototype',
    'toString',
    'hasOwnProperty',
    'isAdmin',
    'role',
    'tpp',
    'Destination',
    '',
  ),
  fc.string({ maxLength: 12 }),
  fc.string({ unit: 'grapheme', maxLength: 6 }),
);

/** Every place in the template a mutation can touch, as a path of keys and indexes. */
type Path = readonly (string | number)[];

const PATHS: Path[] = [
  [],
  ['destination'],
  ['items'],
  ['items', 0],
  ['items', 0, 'productId'],
  ['items', 0, 'quantity'],
  ['items', 1],
  ['items', 1, 'tpp'],
  ['items', 1, 'performanceDensity'],
  ['items', 1, 'datacenter'],
  ['items', 1, 'quantity'],
  ['items', 1, 'kind'],
  ['items', 1, 'chipsPerUnit'],
  ['endUser'],
  ['endUser', 'name'],
  ['endUser', 'headquarters'],
  ['endUser', 'verifiedEndUser'],
  ['consignee'],
  ['shipDate'],
  ['ruleset'],
];

type Mutation =
  | { kind: 'set'; path: Path; value: unknown }
  | { kind: 'delete'; path: Path }
  | { kind: 'extra'; path: Path; name: string; value: unknown }
  | { kind: 'wrap'; path: Path }
  | { kind: 'items'; count: number };

/** The free-text and code fields: a nasty string there is often otherwise valid, so it reaches the database. */
const STRING_PATHS: Path[] = [
  ['destination'],
  ['items', 0, 'productId'],
  ['items', 1, 'description'],
  ['endUser', 'name'],
  ['endUser', 'headquarters'],
  ['consignee'],
  ['shipDate'],
  ['ruleset'],
];

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('set' as const), path: fc.constantFrom(...PATHS), value: nastyValue }),
  fc.record({
    kind: fc.constant('set' as const),
    path: fc.constantFrom(...STRING_PATHS),
    value: nastyString,
  }),
  fc.record({
    kind: fc.constant('delete' as const),
    path: fc.constantFrom(...PATHS.filter((p) => p.length > 0)),
  }),
  fc.record({
    kind: fc.constant('extra' as const),
    path: fc.constantFrom<Path>([], ['items', 0], ['items', 1], ['endUser']),
    name: fieldName,
    value: nastyValue,
  }),
  fc.record({ kind: fc.constant('wrap' as const), path: fc.constantFrom(...PATHS) }),
  fc.record({ kind: fc.constant('items' as const), count: fc.constantFrom(0, 501, 2_000) }),
);

function parentOf(root: Record<string, unknown>, path: Path): Record<string | number, unknown> | null {
  let node: unknown = root;
  for (const key of path.slice(0, -1)) {
    if (node === null || typeof node !== 'object') return null;
    node = (node as Record<string | number, unknown>)[key];
  }
  return node !== null && typeof node === 'object' ? (node as Record<string | number, unknown>) : null;
}

function applyMutations(mutations: Mutation[]): unknown {
  let body: unknown = template();
  for (const m of mutations) {
    if (body === null || typeof body !== 'object' || Array.isArray(body)) break;
    const root = body as Record<string, unknown>;
    if (m.kind === 'items') {
      root.items = Array.from({ length: m.count }, () => ({ productId: 'nvidia-h100-sxm', quantity: 1 }));
      continue;
    }
    if (m.kind === 'extra') {
      const target = parentOf(root, [...m.path, 'child']);
      // defineProperty, so "__proto__" becomes an own key in the JSON rather than a prototype change here.
      if (target && typeof target === 'object')
        Object.defineProperty(target, m.name, {
          value: m.value,
          enumerable: true,
          writable: true,
          configurable: true,
        });
      continue;
    }
    if (m.path.length === 0) {
      body = m.kind === 'set' ? m.value : m.kind === 'wrap' ? [root] : body;
      continue;
    }
    const parent = parentOf(root, m.path);
    const key = m.path.at(-1) as string | number;
    if (!parent) continue;
    if (m.kind === 'set') parent[key] = m.value;
    else if (m.kind === 'delete') delete parent[key];
    else parent[key] = [parent[key]];
  }
  return body;
}

interface Attempt {
  contentType: string | undefined;
  body: {
    payload: string | undefined;
    /** The body fields the mutations touched, as "body.a.0.b"; null for raw text. */
    touched: string[] | null;
  };
  idempotencyKey: string | undefined;
}

/** Where a mutation acts, in the `errors[].path` notation of the contract. */
function touchedPath(m: Mutation): string {
  if (m.kind === 'items') return 'body.items';
  const path = m.kind === 'extra' ? [...m.path, m.name] : m.path;
  return ['body', ...path].join('.');
}

/** True when one path names the other or something inside it ("body.items" and "body.items.0.quantity"). */
function related(a: string, b: string): boolean {
  // The contract writes array indexes as "items[1]"; compare in one notation.
  const x = a.replace(/\[(\d+)\]/g, '.$1');
  const y = b.replace(/\[(\d+)\]/g, '.$1');
  return x === y || x.startsWith(`${y}.`) || y.startsWith(`${x}.`);
}

const rawText = fc.oneof(
  fc.constantFrom(
    '',
    ' ',
    '{',
    '}',
    '{"destination":',
    '{"a":1}}',
    "{'destination':'AE'}",
    '{"destination":"AE",}',
    'NaN',
    'undefined',
    '1e400',
    '{"items":[{"productId":"nvidia-h100-sxm","quantity":1e400}]}',
    '{"__proto__":{"polluted":true}}',
    '{"constructor":{"prototype":{"polluted":true}}}',
    '{"destination":"AE","destination":"KR"}',
    '\ufeff{}',
    '\u0000',
    '['.repeat(50_000) + ']'.repeat(50_000),
    '{"a":'.repeat(20_000) + '1' + '}'.repeat(20_000),
  ),
  fc.string({ unit: 'binary', maxLength: 200 }),
  fc.json({ maxDepth: 4 }),
);

const attempt: fc.Arbitrary<Attempt> = fc.record({
  contentType: fc.oneof(
    { weight: 8, arbitrary: fc.constant('application/json') },
    {
      weight: 2,
      arbitrary: fc.constantFrom(
        undefined,
        'text/plain',
        'application/xml',
        'application/x-www-form-urlencoded',
        'application/json; charset=utf-16',
        'application/jsonx',
        'multipart/form-data; boundary=x',
      ),
    },
  ),
  body: fc.oneof(
    {
      weight: 6,
      arbitrary: fc
        .array(mutation, { minLength: 1, maxLength: 3 })
        .map((m) => ({ payload: JSON.stringify(applyMutations(m)), touched: m.map(touchedPath) })),
    },
    { weight: 3, arbitrary: rawText.map((payload) => ({ payload, touched: null })) },
    { weight: 1, arbitrary: fc.constant({ payload: undefined, touched: null }) },
  ),
  idempotencyKey: fc.oneof(
    { weight: 8, arbitrary: fc.constant('fresh') },
    {
      weight: 2,
      arbitrary: fc.constantFrom(
        undefined,
        '',
        'short',
        'x'.repeat(200),
        'bad key with spaces',
        '\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9',
      ),
    },
  ),
});

interface Outcome {
  route: string;
  requestId: string;
  status: number;
  idempotencyKey: string | undefined;
}

const outcomes: Outcome[] = [];

async function send(route: string, a: Attempt): Promise<void> {
  const sentId = `fuzz-${randomUUID()}`;
  const idempotencyKey = a.idempotencyKey === 'fresh' ? `fuzz-${randomUUID()}` : a.idempotencyKey;
  const headers: Record<string, string> = { ...bearer(apiKey.key), 'x-request-id': sentId };
  if (a.contentType !== undefined) headers['content-type'] = a.contentType;
  if (route === '/v1/shipments' && idempotencyKey !== undefined) headers['idempotency-key'] = idempotencyKey;
  const { payload, touched } = a.body;
  const res = await t.app.inject({
    method: 'POST',
    url: route,
    headers,
    ...(payload === undefined ? {} : { payload }),
  });
  // The server's own id: the caller's x-request-id is never used as the request id.
  const requestId = String(res.headers['x-request-id']);
  outcomes.push({ route, requestId, status: res.statusCode, idempotencyKey });

  const context = `${route} ${res.statusCode} ${a.contentType} ${String(payload).slice(0, 300)}`;
  expect(res.statusCode, context).toBeLessThan(500);
  expect(requestId, context).not.toBe(sentId);
  if (res.statusCode < 400) return;
  expect(res.headers['content-type'], context).toContain('application/problem+json');
  const body = res.json();
  expect(body, context).toMatchObject({
    type: expect.any(String),
    title: expect.any(String),
    status: res.statusCode,
    detail: expect.any(String),
    code: expect.any(String),
    requestId,
  });
  expect(res.body, context).not.toMatch(/\bat .+:\d+:\d+|node_modules|prisma|SELECT /i);
  if (body.code !== 'VALIDATION_FAILED') return;
  // A validation failure names the failing fields: a non-empty list of { path, message } in the request.
  expect(body.errors, context).toEqual(expect.any(Array));
  expect(body.errors.length, context).toBeGreaterThan(0);
  for (const error of body.errors as { path: unknown; message: unknown }[]) {
    expect(error.path, context).toMatch(/^(body|headers|querystring|params)(\.|\[|$)/);
    expect(error.message, context).toEqual(expect.any(String));
  }
  // When the body was a valid order with a few fields changed, the failure names one of those fields (or
  // what holds it), not some other part of the request.
  const clean =
    a.contentType === 'application/json' && (route === '/v1/checks' || idempotencyKey?.startsWith('fuzz-'));
  if (touched !== null && clean) {
    const paths = (body.errors as { path: string }[]).map((e) => e.path);
    expect(
      paths.some((p) => touched.some((t) => related(p, t))),
      `${context}: errors at ${paths.join(', ')} but the mutations touched ${touched.join(', ')}`,
    ).toBe(true);
  }
}

async function poolSnapshot(): Promise<unknown[]> {
  const pools = await t.db.quotaPool.findMany({
    where: { OR: [{ subject: country }, { subject: consignee.toLowerCase() }] },
    orderBy: { id: 'asc' },
  });
  return pools.map((p) => ({
    id: p.id,
    cap: String(p.capTpp),
    reserved: String(p.reservedTpp),
    shipped: String(p.shippedTpp),
  }));
}

describe('fuzzing the deciding endpoints', () => {
  let poolsBefore: unknown[];

  beforeAll(async () => {
    poolsBefore = await poolSnapshot();
  });

  for (const route of ['/v1/checks', '/v1/shipments']) {
    it(`${route}: never a 5xx; problem+json with the request id and the failing field paths`, async () => {
      // A missing route is a failure, not a reason to skip: the contract promises both.
      expect(
        t.app.routeAccess.some((r) => r.method === 'POST' && r.url === route),
        `${route} is not registered`,
      ).toBe(true);
      await fc.assert(
        fc.asyncProperty(attempt, (a) => send(route, a)),
        { numRuns: RUNS_PER_ROUTE, seed: seedFor(`fuzz ${route}`) },
      );
    });
  }

  it('left no trace of any refused request and nothing but the accepted ones', async () => {
    const refused = outcomes.filter((o) => o.status >= 300);
    const accepted = outcomes.filter((o) => o.status < 300);
    expect(refused.length).toBeGreaterThan(RUNS_PER_ROUTE);

    const traces = await t.db.auditEvent.count({
      where: { requestId: { in: refused.map((o) => o.requestId) } },
    });
    expect(traces).toBe(0);
    const events = await t.db.auditEvent.findMany({
      where: { actorKeyId: apiKey.id },
      select: { requestId: true },
    });
    const acceptedIds = new Set(accepted.map((o) => o.requestId));
    for (const event of events) expect(acceptedIds).toContain(event.requestId);

    const shipments = await t.db.shipment.findMany({
      where: { apiKeyId: apiKey.id },
      select: { id: true, idempotencyKey: true },
    });
    const acceptedShipmentKeys = new Set(
      accepted.filter((o) => o.route === '/v1/shipments').map((o) => o.idempotencyKey),
    );
    for (const shipment of shipments) expect(acceptedShipmentKeys).toContain(shipment.idempotencyKey);
    const ledger = await t.db.ledgerEntry.findMany({
      where: { actorKeyId: apiKey.id },
      select: { shipmentId: true },
    });
    const shipmentIds = new Set(shipments.map((s) => s.id));
    // Entries without a shipment open a pool the first time an accepted reservation touches it.
    for (const entry of ledger)
      if (entry.shipmentId !== null) expect(shipmentIds).toContain(entry.shipmentId);
    if (shipments.length === 0) expect(ledger).toEqual([]);

    // The pools this generator can reach moved by exactly what the accepted reservations hold, no more.
    const before = new Map(
      (poolsBefore as { id: string; reserved: string; shipped: string }[]).map((p) => [p.id, p]),
    );
    for (const pool of (await poolSnapshot()) as { id: string; reserved: string; shipped: string }[]) {
      const held = await t.db.shipment.findMany({
        where: { apiKeyId: apiKey.id, OR: [{ countryPoolId: pool.id }, { lppPoolId: pool.id }] },
        select: { countryPoolId: true, countryHoldTpp: true, lppPoolId: true, lppHoldTpp: true },
      });
      const heldTpp = held.reduce(
        (sum, s) =>
          sum +
          (s.countryPoolId === pool.id ? Number(s.countryHoldTpp) : 0) +
          (s.lppPoolId === pool.id ? Number(s.lppHoldTpp) : 0),
        0,
      );
      expect(Number(pool.reserved), `pool ${pool.id}`).toBe(
        Number(before.get(pool.id)?.reserved ?? 0) + heldTpp,
      );
      expect(pool.shipped).toBe(before.get(pool.id)?.shipped ?? '0');
    }
  });
});
