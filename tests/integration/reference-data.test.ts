import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCountrySeeds } from '../../src/reference/countries.ts';
import { seedReferenceData } from '../../src/services/seed-reference-data.ts';
import { bearer, createApiKey } from '../helpers/factories.ts';
import { createIsolatedDatabase, type IsolatedDatabase } from '../helpers/isolated-db.ts';
import { createTestApp, type TestApp } from '../helpers/test-app.ts';

let t: TestApp;
let vendorKey: string;
let officerKey: string;

beforeAll(async () => {
  t = await createTestApp();
  vendorKey = (await createApiKey(t.db, 'vendor')).key;
  officerKey = (await createApiKey(t.db, 'officer')).key;
});
afterAll(async () => t.close());

const isoCodes = new Set(buildCountrySeeds().map((c) => c.code));

describe('GET /v1/countries', () => {
  it('lists every ISO 3166-1 country with the tiers of 90 FR 4544', async () => {
    const res = await request(t.app.server).get('/v1/countries').set(bearer(vendorKey)).expect(200);
    const byCode = new Map<string, { tier: string }>(
      res.body.data.map((c: { code: string; tier: string }) => [c.code, c]),
    );
    const iso = res.body.data.filter((c: { code: string }) => isoCodes.has(c.code));
    expect(iso).toHaveLength(249);
    for (const code of ['KR', 'US', 'JP', 'TW', 'GB', 'PR', 'GU'])
      expect(byCode.get(code)?.tier, code).toBe('TIER_1');
    for (const code of ['CN', 'IR', 'RU', 'MO', 'HK', 'KP', 'NI', 'KH'])
      expect(byCode.get(code)?.tier, code).toBe('TIER_3');
    for (const code of ['IN', 'AE', 'BR', 'CY', 'IL', 'SG', 'GL', 'CH'])
      expect(byCode.get(code)?.tier, code).toBe('TIER_2');
    const tier1 = iso
      .filter((c: { tier: string }) => c.tier === 'TIER_1')
      .map((c: { code: string }) => c.code);
    expect(tier1.sort()).toEqual(
      [
        'US',
        'AU',
        'BE',
        'CA',
        'DK',
        'FI',
        'FR',
        'DE',
        'IE',
        'IT',
        'JP',
        'NL',
        'NZ',
        'NO',
        'KR',
        'ES',
        'SE',
        'TW',
        'GB',
        'PR',
        'GU',
        'VI',
        'AS',
        'MP',
        'UM',
      ].sort(),
    );
    expect(iso.filter((c: { tier: string }) => c.tier === 'TIER_3')).toHaveLength(25);
    expect(iso.filter((c: { tier: string }) => c.tier === 'TIER_2')).toHaveLength(199);
  });

  it('filters by tier and gives Tier 2 the 790,000,000 TPP allocation with its source', async () => {
    const res = await request(t.app.server)
      .get('/v1/countries?tier=TIER_2')
      .set(bearer(vendorKey))
      .expect(200);
    expect(res.body.data.every((c: { tier: string }) => c.tier === 'TIER_2')).toBe(true);
    const ae = res.body.data.find((c: { code: string }) => c.code === 'AE');
    expect(ae).toMatchObject({
      name: 'United Arab Emirates',
      allocationTpp: 790_000_000,
      effectiveAllocationTpp: 790_000_000,
    });
    expect(ae.allocationSource).toContain('90 FR 4544');
  });

  it('rejects an unknown tier filter with 400 problem+json naming the field', async () => {
    const res = await request(t.app.server)
      .get('/v1/countries?tier=TIER_9')
      .set(bearer(vendorKey))
      .expect(400);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.body).toMatchObject({ status: 400, code: 'VALIDATION_FAILED' });
    expect(res.body.errors[0].path).toBe('querystring.tier');
    expect(typeof res.body.requestId).toBe('string');
  });

  it('rejects unknown query parameters', async () => {
    const res = await request(t.app.server)
      .get('/v1/countries?teir=TIER_1')
      .set(bearer(vendorKey))
      .expect(400);
    expect(res.body.code).toBe('VALIDATION_FAILED');
  });
});

describe('GET /v1/countries/{code}', () => {
  it('accepts a lower-case code and answers upper-case, with a quota summary for Tier 2', async () => {
    const res = await request(t.app.server).get('/v1/countries/in').set(bearer(vendorKey)).expect(200);
    expect(res.body).toMatchObject({ code: 'IN', tier: 'TIER_2' });
    expect(res.body.quota).toMatchObject({
      capTpp: 790_000_000,
      remainingTpp: res.body.quota.capTpp - res.body.quota.usedTpp,
    });
    expect(res.body.quota.capH100e).toBeCloseTo(49_898.9, 1);
  });

  it('has no quota for Tier 1 and Tier 3', async () => {
    const kr = await request(t.app.server).get('/v1/countries/KR').set(bearer(vendorKey)).expect(200);
    expect(kr.body).toMatchObject({ tier: 'TIER_1', allocationTpp: null, quota: null });
    const cn = await request(t.app.server).get('/v1/countries/CN').set(bearer(vendorKey)).expect(200);
    expect(cn.body).toMatchObject({ tier: 'TIER_3', quota: null });
  });

  it('answers 404 problem+json for an unknown code and 400 for a malformed one', async () => {
    const missing = await request(t.app.server).get('/v1/countries/XZ').set(bearer(vendorKey)).expect(404);
    expect(missing.body).toMatchObject({ code: 'COUNTRY_NOT_FOUND', status: 404 });
    const bad = await request(t.app.server).get('/v1/countries/USA').set(bearer(vendorKey)).expect(400);
    expect(bad.body.errors[0].path).toBe('params.code');
  });
});

describe('products', () => {
  it('serves the catalogue with TPP, PD and ECCN computed by the classifier', async () => {
    const res = await request(t.app.server).get('/v1/products').set(bearer(vendorKey)).expect(200);
    const ids = res.body.data.map((p: { id: string }) => p.id);
    for (const id of [
      'nvidia-h100-sxm',
      'nvidia-h100-pcie',
      'nvidia-h200-sxm',
      'nvidia-h800',
      'nvidia-h20',
      'nvidia-a100-sxm',
      'nvidia-a800',
      'nvidia-l40s',
      'nvidia-l20',
      'nvidia-l4',
      'nvidia-b100',
      'nvidia-b200',
      'nvidia-gb200',
      'amd-mi300x',
      'amd-mi325x',
      'amd-mi250x',
      'intel-gaudi2',
      'intel-gaudi3',
      'nvidia-dgx-h100',
    ]) {
      expect(ids, id).toContain(id);
    }
    const h100 = await request(t.app.server)
      .get('/v1/products/nvidia-h100-sxm')
      .set(bearer(vendorKey))
      .expect(200);
    expect(h100.body).toMatchObject({ tpp: 15_832, eccn: '3A090.a', h100Equivalents: 1, vendor: 'NVIDIA' });
    expect(h100.body.performanceDensity).toBeCloseTo(19.45, 2);
    const dgx = await request(t.app.server)
      .get('/v1/products/nvidia-dgx-h100')
      .set(bearer(vendorKey))
      .expect(200);
    expect(dgx.body).toMatchObject({
      kind: 'SYSTEM',
      tpp: 8 * 15_832,
      eccn: '4A090.a',
      componentId: 'nvidia-h100-sxm',
      componentCount: 8,
    });
    const h20 = await request(t.app.server).get('/v1/products/nvidia-h20').set(bearer(vendorKey)).expect(200);
    expect(h20.body.eccn).toBe('OUTSIDE_3A090');
  });

  it('answers 404 for an unknown product', async () => {
    const res = await request(t.app.server)
      .get('/v1/products/acme-nothing')
      .set(bearer(vendorKey))
      .expect(404);
    expect(res.body.code).toBe('PRODUCT_NOT_FOUND');
  });

  it('lets an officer add a product, computing its classification, and audits it', async () => {
    const id = `acme-x${Date.now()}`;
    const res = await request(t.app.server)
      .post('/v1/products')
      .set(bearer(officerKey))
      .send({
        id,
        vendor: 'Acme',
        name: 'X accelerator',
        datacenter: true,
        peaks: [{ precision: 'fp8', tops: 400, bitLength: 8 }],
        dieAreaMm2: 800,
        source: 'test datasheet',
      })
      .expect(201);
    // 400 x 8 = 3,200 TPP; 3,200 / 800 mm2 = 4.0: TPP >= 1600 and 3.2 <= PD < 5.92 is 3A090.b.
    expect(res.body).toMatchObject({ id, tpp: 3200, eccn: '3A090.b' });
    expect(res.body.performanceDensity).toBeCloseTo(4, 5);
    const audit = await t.db.auditEvent.findMany({ where: { action: 'product.create', targetId: id } });
    expect(audit).toHaveLength(1);
    await request(t.app.server)
      .post('/v1/products')
      .set(bearer(officerKey))
      .send({
        id,
        vendor: 'Acme',
        name: 'again',
        datacenter: true,
        peaks: [{ precision: 'fp8', tops: 1, bitLength: 8 }],
        source: 's',
      })
      .expect(409);
  });

  it('rejects a malformed product with the failing fields and writes nothing', async () => {
    const before = await t.db.product.count();
    const res = await request(t.app.server)
      .post('/v1/products')
      .set(bearer(officerKey))
      .send({
        id: 'Bad Id!',
        vendor: '',
        datacenter: 'yes',
        peaks: [{ precision: 'fp8', tops: -1, bitLength: 8 }],
        tpp: 99,
      })
      .expect(400);
    const paths = res.body.errors.map((e: { path: string }) => e.path);
    expect(paths).toEqual(
      expect.arrayContaining(['body.id', 'body.vendor', 'body.datacenter', 'body.peaks[0].tops']),
    );
    expect(await t.db.product.count()).toBe(before);
  });

  it('refuses a chip whose class depends on a density it cannot compute', async () => {
    const res = await request(t.app.server)
      .post('/v1/products')
      .set(bearer(officerKey))
      .send({
        id: `acme-nodie-${Date.now()}`,
        vendor: 'Acme',
        name: 'No die',
        datacenter: true,
        peaks: [{ precision: 'fp8', tops: 300, bitLength: 8 }],
        source: 's',
      })
      .expect(400);
    expect(res.body.detail).toMatch(/density|die area/i);
  });

  it('forbids a vendor key from adding products', async () => {
    const res = await request(t.app.server)
      .post('/v1/products')
      .set(bearer(vendorKey))
      .send({
        id: 'acme-y',
        vendor: 'Acme',
        name: 'Y',
        datacenter: true,
        peaks: [{ precision: 'fp8', tops: 1, bitLength: 8 }],
        source: 's',
      })
      .expect(403);
    expect(res.body.code).toBe('FORBIDDEN');
  });
});

describe('seeding', () => {
  // Seeding touches the real seed rows; changing one on the shared database would race other files that
  // read it, so this runs on a database of its own.
  let iso: IsolatedDatabase;
  beforeAll(async () => {
    iso = await createIsolatedDatabase('seeding');
  });
  afterAll(async () => iso?.drop());

  it('is idempotent and never overwrites an officer change', async () => {
    const first = await seedReferenceData(iso.db);
    expect(first.countries.inserted).toBeGreaterThan(200);
    expect(first.products.inserted).toBeGreaterThan(10);
    await iso.db.country.update({
      where: { code: 'SR' },
      data: { govToGovArrangement: true, officerModifiedAt: new Date() },
    });
    const again = await seedReferenceData(iso.db);
    expect(again.countries.inserted).toBe(0);
    expect(again.products.inserted).toBe(0);
    const sr = await iso.db.country.findUniqueOrThrow({ where: { code: 'SR' } });
    expect(sr.govToGovArrangement).toBe(true);
  });
});

describe('authentication', () => {
  it('answers 401 problem+json on /v1 without a key or with an unknown one', async () => {
    const none = await request(t.app.server).get('/v1/countries').expect(401);
    expect(none.headers['content-type']).toContain('application/problem+json');
    expect(none.body.code).toBe('UNAUTHENTICATED');
    await request(t.app.server).get('/v1/countries').set(bearer('gec_not-a-key')).expect(401);
  });

  it('keeps health, readiness, the document and the docs page open', async () => {
    await request(t.app.server).get('/healthz').expect(200, { status: 'ok' });
    await request(t.app.server).get('/readyz').expect(200, { status: 'ready', database: 'ok' });
    const doc = await request(t.app.server).get('/openapi.json').expect(200);
    expect(doc.body.openapi).toMatch(/^3\./);
    const docs = await request(t.app.server).get('/docs/').expect(200);
    expect(docs.text).toContain('swagger-ui');
  });

  it('answers unknown routes with 404 problem+json', async () => {
    const res = await request(t.app.server).get('/v1/nothing-here').expect(404);
    expect(res.body.code).toBe('NOT_FOUND');
  });
});
