import { randomUUID } from 'node:crypto';
import { parse } from 'csv-parse/sync';
import request from 'supertest';
import { payloadOf } from '../../src/services/audit.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CSV_BATCH_EXAMPLE, SOUTH_KOREA_CHECK, UAE_CHECK } from '../../src/http/schemas/examples.ts';
import { bearer, createApiKey, createTier2Country } from '../helpers/factories.ts';
import { createTestApp, type TestApp } from '../helpers/test-app.ts';

let t: TestApp;
let vendor: string;

beforeAll(async () => {
  t = await createTestApp({ now: () => new Date('2026-11-28T09:00:00Z') });
  vendor = (await createApiKey(t.db, 'vendor')).key;
});
afterAll(async () => t.close());

const batch = (body: object, key = vendor) =>
  request(t.app.server).post('/v1/checks/batch').set(bearer(key)).send(body);

const csvBatch = (csv: string, accept = 'application/json', key = vendor) =>
  request(t.app.server)
    .post('/v1/checks/batch')
    .set(bearer(key))
    .set('content-type', 'text/csv')
    .set('accept', accept)
    .send(csv);

describe('POST /v1/checks/batch (JSON)', () => {
  it('answers every check in request order, each as POST /v1/checks would, each audited', async () => {
    const res = await batch({ checks: [SOUTH_KOREA_CHECK, UAE_CHECK] }).expect(200);
    expect(res.body.data).toHaveLength(2);
    expect(res.body.data[0]).toMatchObject({ index: 0, decision: { allowed: true, authorization: 'AIA' } });
    expect(res.body.data[1]).toMatchObject({
      index: 1,
      decision: { allowed: false, reviewPolicy: 'PRESUMPTION_OF_APPROVAL', totalTpp: 31_684_800 },
    });
    const single = await request(t.app.server).post('/v1/checks').set(bearer(vendor)).send(SOUTH_KOREA_CHECK);
    expect({ ...res.body.data[0].decision, checkId: single.body.checkId }).toEqual(single.body);

    const ids = res.body.data.map((d: { decision: { checkId: string } }) => d.decision.checkId);
    const events = await t.db.auditEvent.findMany({
      where: { targetId: { in: ids } },
      orderBy: { seq: 'asc' },
    });
    expect(events.map((e) => e.action)).toEqual(['check.create', 'check.create']);
    const batchIds = events.map((e) => (payloadOf(e) as { batch: { batchId: string } }).batch.batchId);
    expect(new Set(batchIds).size).toBe(1);
  });

  it('refuses a bad entry on its own, with paths inside the batch, and answers the rest', async () => {
    const res = await batch({
      checks: [
        { ...SOUTH_KOREA_CHECK, destination: 'UK' },
        SOUTH_KOREA_CHECK,
        { ...SOUTH_KOREA_CHECK, items: [{ productId: 'nvidia-h100-sxm', quantity: 0 }] },
        { ...SOUTH_KOREA_CHECK, items: [{ productId: 'no-such-gpu', quantity: 1 }] },
        { nonsense: true },
      ],
    }).expect(200);
    const [uk, ok, zero, unknown, nonsense] = res.body.data;
    expect(uk.problem).toMatchObject({ status: 400, code: 'VALIDATION_FAILED' });
    expect(uk.problem.errors).toEqual([
      {
        path: 'body.checks[0].destination',
        message: 'unknown country code UK. Did you mean GB (United Kingdom)?',
      },
    ]);
    expect(ok).toMatchObject({ index: 1, decision: { allowed: true } });
    expect(zero.problem.errors[0].path).toBe('body.checks[2].items[0].quantity');
    expect(unknown.problem.errors[0].path).toBe('body.checks[3].items[0].productId');
    expect(nonsense.problem.errors.map((e: { path: string }) => e.path)).toContain('body.checks[4]');
  });

  it('refuses the batch itself only when it is not 1 to 1,000 checks', async () => {
    expect((await batch({ checks: [] }).expect(400)).body.code).toBe('VALIDATION_FAILED');
    const tooMany = await batch({ checks: Array.from({ length: 1001 }, () => ({})) }).expect(400);
    expect(tooMany.body.errors[0]).toMatchObject({ path: 'body.checks' });
    await batch({ checks: [SOUTH_KOREA_CHECK], extra: 1 }).expect(400);
  });

  it('checks 1,000 orders in one request, all audited, holding nothing', async () => {
    const code = await createTier2Country(t.db);
    const checks = Array.from({ length: 1000 }, (_, i) => ({
      ...UAE_CHECK,
      destination: code,
      endUser: { name: `Bulk ${i}`, headquarters: code, verifiedEndUser: null },
      consignee: undefined,
    }));
    const res = await batch({ checks }).expect(200);
    expect(res.body.data).toHaveLength(1000);
    expect(res.body.data.every((d: { decision?: unknown }) => d.decision)).toBe(true);
    expect(res.body.data.map((d: { index: number }) => d.index)).toEqual([...Array(1000).keys()]);
    const ids = res.body.data.map((d: { decision: { checkId: string } }) => d.decision.checkId);
    expect(await t.db.auditEvent.count({ where: { targetId: { in: ids }, action: 'check.create' } })).toBe(
      1000,
    );
    expect(await t.db.quotaPool.count({ where: { subject: code } })).toBe(0);
  });

  it('admits a batch by its order lines: more than a key may have in evaluation is 400, not a 429 for ever', async () => {
    const small = await createTestApp({ env: { ADMISSION_MAX_LINES_PER_KEY: '3' } });
    try {
      const key = (await createApiKey(small.db, 'vendor')).key;
      const send = (n: number) =>
        request(small.app.server)
          .post('/v1/checks/batch')
          .set(bearer(key))
          .send({ checks: Array.from({ length: n }, () => SOUTH_KOREA_CHECK) });
      const over = await send(4).expect(400);
      expect(over.body.detail).toMatch(/4 order lines; at most 3 .* Split it/);
      const csvOver = await request(small.app.server)
        .post('/v1/checks/batch')
        .set(bearer(key))
        .set('content-type', 'text/csv')
        .send(
          'order,destination,endUserName,endUserHeadquarters,productId,quantity\n' +
            'A,KR,X,KR,nvidia-h100-sxm,1\n'.repeat(4),
        )
        .expect(400);
      expect(csvOver.body.errors[0].path).toBe('csv');
      const [a, b] = await Promise.all([send(2), send(2)]);
      const statuses = [a.status, b.status].sort();
      // Both may fit one after the other; if they overlapped, the second is told to retry.
      expect([
        [200, 200],
        [200, 429],
      ]).toContainEqual(statuses);
      const refused = [a, b].find((r) => r.status === 429);
      if (refused) expect(refused.headers['retry-after']).toBeDefined();
    } finally {
      await small.close();
    }
  });
});

describe('POST /v1/checks/batch (text/csv)', () => {
  it('groups rows into orders by the order column and answers JSON', async () => {
    const res = await csvBatch(CSV_BATCH_EXAMPLE).expect(200);
    expect(res.body.data).toHaveLength(2);
    expect(res.body.data[0]).toMatchObject({ index: 0, order: 'PO-1001', decision: { allowed: true } });
    expect(res.body.data[1]).toMatchObject({
      index: 1,
      order: 'PO-1002',
      decision: { destination: { code: 'AE' } },
    });
    expect(res.body.data[1].decision.items.map((i: { productId: string }) => i.productId)).toEqual([
      'nvidia-h100-sxm',
      'nvidia-h200-sxm',
    ]);
  });

  it('answers CSV to Accept: text/csv, one row per order', async () => {
    const res = await csvBatch(CSV_BATCH_EXAMPLE, 'text/csv').expect(200);
    expect(res.headers['content-type']).toMatch(/^text\/csv/);
    const rows = parse<Record<string, string>>(res.text, { columns: true });
    expect(rows).toHaveLength(2);
    expect(rows[0]).toMatchObject({ index: '0', order: 'PO-1001', allowed: 'true', authorization: 'AIA' });
    expect(rows[0]?.checkId).toMatch(/^[0-9a-f-]{36}$/);
    expect(rows[1]?.reasons).toContain('LPP_LIMIT_EXCEEDED');
    // JSON in, CSV out works too.
    const json = await request(t.app.server)
      .post('/v1/checks/batch')
      .set(bearer(vendor))
      .set('accept', 'text/csv')
      .send({ checks: [SOUTH_KOREA_CHECK] })
      .expect(200);
    expect(json.text.split('\n')[0]).toMatch(/^index,order,checkId,allowed/);
  });

  it('reports a bad row by its CSV line and column, and answers the other orders', async () => {
    const csv = [
      'order,destination,endUserName,endUserHeadquarters,shipDate,productId,quantity',
      'A,KR,Example,KR,2026-06-01,nvidia-h100-sxm,10',
      'B,KR,Example,KR,2026-06-01,nvidia-h100-sxm,ten',
      'C,KR,Example,KR,2026-06-01,nvidia-h100-sxm,5',
      'C,DE,,,,nvidia-h200-sxm,5',
    ].join('\n');
    const res = await csvBatch(csv, 'text/csv').expect(200);
    const rows = parse<Record<string, string>>(res.text, { columns: true });
    expect(rows.map((r) => [r.order, r.errorCode])).toEqual([
      ['A', ''],
      ['B', 'VALIDATION_FAILED'],
      ['C', 'VALIDATION_FAILED'],
    ]);
    expect(rows[1]?.errorDetail).toContain('csv.line[3].quantity');
    expect(rows[2]?.errorDetail).toContain('csv.line[5].destination: "DE" differs from "KR"');
  });

  it('refuses an unreadable CSV or an unknown column as a whole, saying which', async () => {
    const ragged = await csvBatch('order,destination\nA,KR,extra\n').expect(400);
    expect(ragged.body.code).toBe('VALIDATION_FAILED');
    const unknown = await csvBatch('order,destinaton\nA,KR\n').expect(400);
    expect(unknown.body.detail).toBe('Unknown CSV column "destinaton".');
    await csvBatch('order,destination\n').expect(400);
  });

  it('a 415 on the batch names both JSON and CSV', async () => {
    const res = await request(t.app.server)
      .post('/v1/checks/batch')
      .set(bearer(vendor))
      .set('content-type', 'application/xml')
      .send('<x/>')
      .expect(415);
    expect(res.body.detail).toContain('"Content-Type: application/json" or "Content-Type: text/csv"');
  });
});

describe('GET /v1/checks/{checkId} and its record', () => {
  it('returns the decision as answered, to the key that asked, officers and auditors; others get 404', async () => {
    const code = await createTier2Country(t.db);
    const body = {
      ...UAE_CHECK,
      destination: code,
      endUser: { name: `R ${randomUUID()}`, headquarters: code },
    };
    const answered = (
      await request(t.app.server).post('/v1/checks').set(bearer(vendor)).send(body).expect(200)
    ).body;
    const read = await request(t.app.server)
      .get(`/v1/checks/${answered.checkId}`)
      .set(bearer(vendor))
      .expect(200);
    expect(read.body).toEqual(answered);
    for (const role of ['officer', 'auditor'] as const) {
      const key = (await createApiKey(t.db, role)).key;
      expect(
        (await request(t.app.server).get(`/v1/checks/${answered.checkId}`).set(bearer(key))).body,
      ).toEqual(answered);
    }
    const otherVendor = (await createApiKey(t.db, 'vendor')).key;
    const hidden = await request(t.app.server).get(`/v1/checks/${answered.checkId}`).set(bearer(otherVendor));
    expect(hidden.status).toBe(404);
    expect(hidden.body.code).toBe('CHECK_NOT_FOUND');
    await request(t.app.server).get(`/v1/checks/${randomUUID()}`).set(bearer(vendor)).expect(404);
    await request(t.app.server).get('/v1/checks/not-a-uuid').set(bearer(vendor)).expect(400);
  });

  it('serves a printable, script-free HTML record with the audit sequence number and hash', async () => {
    const answered = (
      await request(t.app.server).post('/v1/checks').set(bearer(vendor)).send(UAE_CHECK).expect(200)
    ).body;
    const res = await request(t.app.server)
      .get(`/v1/checks/${answered.checkId}/record`)
      .set(bearer(vendor))
      .expect(200);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    const csp = res.headers['content-security-policy'] as string;
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'none'");
    expect(csp).toMatch(/style-src 'sha256-[A-Za-z0-9+/=]+'/);
    expect(res.text).not.toMatch(/<script/i);
    expect(res.text).not.toMatch(/\son[a-z]+=/i);
    expect(res.text).toContain('@media print');
    const event = await t.db.auditEvent.findFirstOrThrow({ where: { targetId: answered.checkId } });
    expect(res.text).toContain(`<td>${event.seq}</td>`);
    expect(res.text).toContain(event.hash);
    expect(res.text).toContain('United Arab Emirates');
    expect(res.text).toContain('15 CFR 740.29'); // the LPP reason's citation
    expect(res.text).toContain('TIER2_LICENSE_WITHIN_ALLOCATION');
    expect(res.text).toContain('Not in force on the ship date');
    expect(res.text).toContain('custom board');
    // The inline style sheet is exactly the one the CSP hash allows.
    const style = /<style>([\s\S]*?)<\/style>/.exec(res.text)?.[1] ?? '';
    const { createHash } = await import('node:crypto');
    expect(csp).toContain(`'sha256-${createHash('sha256').update(style).digest('base64')}'`);
  });

  it('escapes what the caller wrote', async () => {
    const answered = (
      await request(t.app.server)
        .post('/v1/checks')
        .set(bearer(vendor))
        .send({
          ...SOUTH_KOREA_CHECK,
          endUser: { name: '<img src=x onerror=alert(1)>', headquarters: 'KR', verifiedEndUser: null },
        })
        .expect(200)
    ).body;
    const res = await request(t.app.server)
      .get(`/v1/checks/${answered.checkId}/record`)
      .set(bearer(vendor))
      .expect(200);
    expect(res.text).not.toContain('<img');
    expect(res.text).toContain('&lt;img src=x onerror=alert(1)&gt;');
  });

  it('batch checks can be read back one by one', async () => {
    const res = await batch({ checks: [SOUTH_KOREA_CHECK] }).expect(200);
    const { checkId } = res.body.data[0].decision;
    const read = await request(t.app.server).get(`/v1/checks/${checkId}`).set(bearer(vendor)).expect(200);
    expect(read.body).toEqual(res.body.data[0].decision);
  });
});
