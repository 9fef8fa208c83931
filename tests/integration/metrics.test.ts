import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LATENCY_BUCKETS } from '../../src/http/plugins/metrics.ts';
import { bearer, createApiKey, createTier2Country } from '../helpers/factories.ts';
import { parsePrometheusText, sampleValue, type Family } from '../helpers/prometheus.ts';
import { createTestApp, type TestApp } from '../helpers/test-app.ts';

const METRICS_TOKEN = 'metrics-token-for-tests-0123456789';

let t: TestApp;
let procurement: string;

function koreaCheck(): Record<string, unknown> {
  return {
    destination: 'KR',
    items: [{ productId: 'nvidia-h100-sxm', quantity: 10 }],
    endUser: { name: `Seoul Cloud ${randomUUID().slice(0, 8)}`, headquarters: 'KR', verifiedEndUser: null },
    shipDate: '2025-06-01',
    ruleset: 'baseline-2023',
  };
}

async function scrape(): Promise<Map<string, Family>> {
  const res = await request(t.app.server).get('/metrics').set(bearer(METRICS_TOKEN)).expect(200);
  expect(res.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
  return parsePrometheusText(res.text);
}

beforeAll(async () => {
  t = await createTestApp({ env: { METRICS_TOKEN } });
  procurement = (await createApiKey(t.db, 'procurement')).key;
});

afterAll(async () => {
  await t.close();
});

describe('GET /metrics', () => {
  it('needs METRICS_TOKEN when it is set, and never an API key in its place', async () => {
    const none = await request(t.app.server).get('/metrics').expect(401);
    expect(none.headers['content-type']).toContain('application/problem+json');
    expect(none.body.code).toBe('UNAUTHENTICATED');
    await request(t.app.server).get('/metrics').set(bearer(procurement)).expect(401);
    await request(t.app.server)
      .get('/metrics')
      .set(bearer(`${METRICS_TOKEN}x`))
      .expect(401);
    await request(t.app.server).get('/metrics').set(bearer(METRICS_TOKEN)).expect(200);
  });

  it('is open when METRICS_TOKEN is not set', async () => {
    const open = await createTestApp();
    try {
      const res = await request(open.app.server).get('/metrics').expect(200);
      expect(parsePrometheusText(res.text).has('http_requests_total')).toBe(true);
    } finally {
      await open.close();
    }
  });

  it('counts requests by route pattern and status, with millisecond latency buckets', async () => {
    const id = randomUUID();
    await request(t.app.server).get(`/v1/shipments/${id}`).set(bearer(procurement)).expect(404);
    await request(t.app.server).get('/v1/countries/ae').set(bearer(procurement)).expect(200);
    await request(t.app.server).get('/no/such/path').expect(404);
    const text = (await request(t.app.server).get('/metrics').set(bearer(METRICS_TOKEN))).text;
    // Raw URLs never become labels: one series per route, not one per id.
    expect(text).not.toContain(id);
    expect(text).not.toContain('/countries/ae');
    expect(text).not.toContain('/no/such/path');
    const families = parsePrometheusText(text);

    expect(families.get('http_requests_total')?.type).toBe('counter');
    expect(
      sampleValue(families, 'http_requests_total', {
        method: 'GET',
        route: '/v1/shipments/:id',
        status: '404',
      }),
    ).toBe(1);
    expect(
      sampleValue(families, 'http_requests_total', {
        method: 'GET',
        route: '/v1/countries/:code',
        status: '200',
      }),
    ).toBe(1);
    expect(
      sampleValue(families, 'http_requests_total', { method: 'GET', route: 'unmatched', status: '404' }),
    ).toBe(1);

    const latency = families.get('http_request_duration_seconds');
    expect(latency?.type).toBe('histogram');
    const les = latency?.samples
      .filter((s) => s.name.endsWith('_bucket') && s.labels.route === '/v1/countries/:code')
      .map((s) => s.labels.le);
    expect(les).toEqual([...LATENCY_BUCKETS.map(String), '+Inf']);
    // Millisecond resolution: at least five bucket boundaries at or below 5 ms.
    expect(LATENCY_BUCKETS.filter((b) => b <= 0.005).length).toBeGreaterThanOrEqual(5);
    expect(
      sampleValue(families, 'http_request_duration_seconds_count', { route: '/v1/countries/:code' }),
    ).toBe(1);
  });

  it('counts decisions by outcome and rule pack, reservations by result, and audit group commits', async () => {
    const before = await scrape();
    const decisionLabels = {
      outcome: 'ALLOWED',
      authorization: 'NLR',
      ruleset: 'baseline-2023',
      via: 'check',
    };
    const decisionsBefore = sampleValue(before, 'compliance_decisions_total', decisionLabels) ?? 0;
    const check = await request(t.app.server).post('/v1/checks').set(bearer(procurement)).send(koreaCheck());
    expect(check.status).toBe(200);
    expect(check.body).toMatchObject({ allowed: true, authorization: 'NLR' });

    const code = await createTier2Country(t.db);
    const body = {
      destination: code,
      items: [{ productId: 'nvidia-h100-sxm', quantity: 100 }],
      endUser: { name: `Buyer ${randomUUID().slice(0, 8)}`, headquarters: code, verifiedEndUser: null },
      shipDate: '2025-06-01',
    };
    const idempotencyKey = `metrics-${randomUUID()}`;
    const created = await request(t.app.server)
      .post('/v1/shipments')
      .set({ ...bearer(procurement), 'idempotency-key': idempotencyKey })
      .send(body)
      .expect(201);
    await request(t.app.server)
      .post('/v1/shipments')
      .set({ ...bearer(procurement), 'idempotency-key': idempotencyKey })
      .send(body)
      .expect(201);
    await request(t.app.server)
      .post('/v1/shipments')
      .set({ ...bearer(procurement), 'idempotency-key': idempotencyKey })
      .send({ ...body, shipDate: '2025-06-02' })
      .expect(409);

    const after = await scrape();
    expect(sampleValue(after, 'compliance_decisions_total', decisionLabels)).toBe(decisionsBefore + 1);
    const status = created.body.status as string;
    expect(sampleValue(after, 'compliance_reservations_total', { result: status })).toBeGreaterThanOrEqual(1);
    expect(sampleValue(after, 'compliance_reservations_total', { result: 'REPLAYED' })).toBe(1);
    expect(sampleValue(after, 'compliance_reservations_total', { result: 'IDEMPOTENCY_KEY_REUSED' })).toBe(1);
    // The shipment's own decision is counted once (not again for the replay).
    const shipmentDecision = created.body.decision as { ruleset: { id: string } };
    const viaShipment = after
      .get('compliance_decisions_total')
      ?.samples.filter((s) => s.labels.via === 'shipment' && s.labels.ruleset === shipmentDecision.ruleset.id)
      .reduce((sum, s) => sum + s.value, 0);
    expect(viaShipment).toBe(1);

    expect(
      sampleValue(after, 'group_commit_batch_size_count', { kind: 'audit' }) ?? 0,
    ).toBeGreaterThanOrEqual(1);
    expect(
      sampleValue(after, 'group_commit_batch_size_count', { kind: 'reservation' }) ?? 0,
    ).toBeGreaterThanOrEqual(1);

    const head = await t.db.auditEvent.findFirstOrThrow({ orderBy: { seq: 'desc' } });
    expect(sampleValue(after, 'audit_chain_length')).toBeGreaterThanOrEqual(Number(head.seq));

    const pool = await t.db.quotaPool.findUniqueOrThrow({
      where: { kind_subject_year: { kind: 'COUNTRY_ALLOCATION', subject: code, year: 0 } },
    });
    expect(sampleValue(after, 'quota_allocation_tpp', { country: code, state: 'cap' })).toBe(
      Number(pool.capTpp),
    );
    expect(sampleValue(after, 'quota_allocation_tpp', { country: code, state: 'reserved' })).toBe(
      Number(pool.reservedTpp),
    );
  });

  it('reports the database pool, the rate limiter and the process', async () => {
    const families = await scrape();
    expect(sampleValue(families, 'db_pool_connections', { state: 'max' })).toBe(5);
    const total = sampleValue(families, 'db_pool_connections', { state: 'total' }) ?? -1;
    const idle = sampleValue(families, 'db_pool_connections', { state: 'idle' }) ?? -1;
    expect(total).toBeGreaterThanOrEqual(1);
    expect(idle).toBeGreaterThanOrEqual(0);
    expect(idle).toBeLessThanOrEqual(total);
    expect(sampleValue(families, 'db_pool_connections', { state: 'waiting' })).toBe(0);
    expect(sampleValue(families, 'db_unavailable')).toBe(0);
    expect(sampleValue(families, 'rate_limit_hits') ?? 0).toBeGreaterThan(0);
    expect(families.get('process_cpu_user_seconds_total')?.type).toBe('counter');
    expect(sampleValue(families, 'process_resident_memory_bytes') ?? 0).toBeGreaterThan(0);
    expect(families.get('nodejs_eventloop_lag_seconds')?.type).toBe('gauge');
  });
});
