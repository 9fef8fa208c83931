import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SOUTH_KOREA_CHECK, UAE_CHECK } from '../../src/http/schemas/examples.ts';
import { bearer, createApiKey, createTier2Country } from '../helpers/factories.ts';
import { createTestApp, type TestApp } from '../helpers/test-app.ts';
import { payloadOf } from '../../src/services/audit.ts';
import { decisionFromRecord } from '../../src/services/check-shipment.ts';

let t: TestApp;
let vendor: string;

beforeAll(async () => {
  t = await createTestApp({ now: () => new Date('2026-11-28T09:00:00Z') });
  vendor = (await createApiKey(t.db, 'vendor')).key;
});
afterAll(async () => t.close());

const check = (body: unknown) =>
  request(t.app.server)
    .post('/v1/checks')
    .set(bearer(vendor))
    .send(body as object);

// The documented examples (Swagger UI pre-fills the first): the tests hold them to what the service answers.
const korea = SOUTH_KOREA_CHECK;
const uae = UAE_CHECK;

describe('POST /v1/checks: the seed stories', () => {
  it('10,000 H100 to South Korea: Tier 1, allowed under AIA, no quota used', async () => {
    const res = await check(korea).expect(200);
    expect(res.body).toMatchObject({
      allowed: true,
      licenseRequired: false,
      authorization: 'AIA',
      reviewPolicy: null,
      destination: { code: 'KR', name: 'South Korea', tier: 'TIER_1' },
      items: [
        {
          productId: 'nvidia-h100-sxm',
          quantity: 10_000,
          eccn: '3A090.a',
          tppPerUnit: 15_832,
          tpp: 158_320_000,
        },
      ],
      totalTpp: 158_320_000,
      h100Equivalents: 10_000,
      quota: { countryAllocation: null, lpp: null },
      ruleset: { id: 'ai-diffusion-2025', status: 'RESCINDED', inForceOnShipDate: false },
    });
    expect(res.body.reasons).toEqual([
      expect.objectContaining({ code: 'TIER1_AIA', citation: '15 CFR 740.27' }),
    ]);
    expect(res.body.warnings.join(' ')).toMatch(/2025-05-13/);
    expect(res.body.checkId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('2,000 H100 + 4 custom boards to the UAE: over LPP, licence against the allocation (the API.md example)', async () => {
    const res = await check(uae).expect(200);
    expect(res.body).toMatchObject({
      allowed: false,
      licenseRequired: true,
      authorization: null,
      reviewPolicy: 'PRESUMPTION_OF_APPROVAL',
      destination: { code: 'AE', name: 'United Arab Emirates', tier: 'TIER_2' },
      items: [
        {
          productId: 'nvidia-h100-sxm',
          quantity: 2000,
          eccn: '3A090.a',
          tppPerUnit: 15_832,
          tpp: 31_664_000,
        },
        { description: 'custom board', quantity: 4, eccn: '3A090.a', tppPerUnit: 5200, tpp: 20_800 },
      ],
      totalTpp: 31_684_800,
      h100Equivalents: 2001.3,
      ruleset: { id: 'ai-diffusion-2025', status: 'RESCINDED', inForceOnShipDate: false },
    });
    expect(res.body.quota.countryAllocation).toMatchObject({
      applies: true,
      capTpp: 790_000_000,
      thisShipmentTpp: 31_684_800,
    });
    expect(res.body.quota.countryAllocation.remainingAfterTpp).toBe(
      res.body.quota.countryAllocation.remainingTpp - 31_684_800,
    );
    expect(res.body.quota.lpp).toMatchObject({
      applies: false,
      year: 2025,
      capTpp: 26_900_000,
      thisShipmentTpp: 0,
    });
    const codes = res.body.reasons.map((r: { code: string }) => r.code);
    expect(codes).toEqual(expect.arrayContaining(['LPP_LIMIT_EXCEEDED', 'TIER2_LICENSE_WITHIN_ALLOCATION']));
    for (const reason of res.body.reasons) expect(reason.citation).toBeTruthy();
  });

  it('writes one audit event per check with its inputs and outputs, and changes no quota', async () => {
    const code = await createTier2Country(t.db, { allocationTpp: 100_000_000 });
    const res = await check({
      ...uae,
      destination: code,
      endUser: { name: 'Audit me', headquarters: code },
    }).expect(200);
    const events = await t.db.auditEvent.findMany({ where: { targetId: res.body.checkId } });
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ action: 'check.create', targetType: 'check', actorRole: 'vendor' });
    expect(events[0] && payloadOf(events[0])).toMatchObject({
      input: { destination: code },
      output: { checkId: res.body.checkId, totalTpp: 31_684_800 },
    });
    expect(await t.db.quotaPool.count({ where: { subject: code } })).toBe(0);
  });

  it('keeps a large order bounded: each description stored once, reasons name ten items', async () => {
    const code = await createTier2Country(t.db, { allocationTpp: 100_000_000_000 });
    const items = Array.from({ length: 500 }, (_, i) => ({
      description: `board ${String(i).padStart(3, '0')} ${'x'.repeat(190)}`,
      tpp: 5200,
      performanceDensity: 7.1,
      datacenter: true,
      quantity: 1,
    }));
    const res = await check({
      destination: code,
      items,
      endUser: { name: 'Big order', headquarters: code },
    }).expect(200);
    expect(res.body.items).toHaveLength(500);
    for (const reason of res.body.reasons) {
      expect(reason.message.match(/board \d{3}/g)?.length ?? 0).toBeLessThanOrEqual(10);
    }
    expect(res.body.reasons.some((r: { message: string }) => r.message.includes('and 490 more items'))).toBe(
      true,
    );
    const event = await t.db.auditEvent.findFirstOrThrow({ where: { targetId: res.body.checkId } });
    const record = event.record ?? '';
    // (The first ten are also named in the reasons' text, which is part of the answer.)
    for (const i of [10, 250, 499]) {
      const description = items[i]?.description as string;
      expect(record.split(description).length - 1, `description ${i}`).toBe(1);
    }
    // The record holds the whole request plus a bounded remainder, not a second copy of every line.
    const requestBytes = Buffer.byteLength(JSON.stringify(items));
    expect(Buffer.byteLength(record)).toBeLessThan(requestBytes + 100_000);
    const payload = payloadOf(event) as {
      input: { items: { description?: string }[] };
      output: typeof res.body;
    };
    expect(decisionFromRecord(payload.input, payload.output)).toEqual(res.body);
  });

  it('Tier 3 destination, Tier 3 headquarters and lower-case codes', async () => {
    const cn = await check({
      ...korea,
      destination: 'cn',
      endUser: { name: 'x', headquarters: 'cn' },
    }).expect(200);
    expect(cn.body).toMatchObject({
      allowed: false,
      licenseRequired: true,
      reviewPolicy: 'PRESUMPTION_OF_DENIAL',
      destination: { code: 'CN', tier: 'TIER_3' },
    });
    const hq = await check({ ...korea, endUser: { name: 'Subsidiary', headquarters: 'RU' } }).expect(200);
    expect(hq.body.reasons.map((r: { code: string }) => r.code)).toContain('TIER3_HEADQUARTERS');
    expect(hq.body.allowed).toBe(false);
  });

  it('a VEU end user in Tier 2 uses no allocation; the default ship date is today and gives today\u2019s status', async () => {
    const res = await check({
      ...uae,
      shipDate: undefined,
      endUser: { name: 'Hyperscaler', headquarters: 'US', verifiedEndUser: 'UVEU' },
    }).expect(200);
    expect(res.body).toMatchObject({ allowed: true, authorization: 'VEU' });
    expect(res.body.quota.countryAllocation.applies).toBe(false);
    expect(res.body.quota.lpp.year).toBe(2026);
  });

  it('a custom 8-chip system of 3A090.a chips is 4A090.a', async () => {
    const res = await check({
      ...korea,
      items: [
        {
          description: 'HGX board',
          kind: 'SYSTEM',
          tpp: 8 * 15_832,
          chipsPerUnit: 8,
          performanceDensity: 19.45,
          datacenter: true,
          quantity: 2,
        },
      ],
    }).expect(200);
    expect(res.body.items[0]).toMatchObject({ eccn: '4A090.a', tppPerUnit: 126_656, tpp: 253_312 });
  });

  it('lists the rule packs with their status', async () => {
    const res = await request(t.app.server)
      .get('/v1/rulesets?date=2025-03-01')
      .set(bearer(vendor))
      .expect(200);
    const diffusion = res.body.data.find((p: { id: string }) => p.id === 'ai-diffusion-2025');
    expect(diffusion).toMatchObject({
      isDefault: true,
      effective: '2025-01-13',
      complianceDate: '2025-05-15',
      enforcementStopped: '2025-05-13',
    });
    expect(diffusion.statusOn).toMatchObject({ status: 'EFFECTIVE_COMPLIANCE_PENDING', inForce: false });
    const baseline = res.body.data.find((p: { id: string }) => p.id === 'baseline-2023');
    expect(baseline.statusOn).toMatchObject({ status: 'IN_FORCE', inForce: true });
  });
});

describe('POST /v1/checks: bad input is 400 problem+json with the path of each bad field', () => {
  const cases: [string, unknown, string[]][] = [
    ['unknown destination', { ...korea, destination: 'QQ' }, ['body.destination']],
    [
      'unknown headquarters',
      { ...korea, endUser: { name: 'x', headquarters: 'QQ' } },
      ['body.endUser.headquarters'],
    ],
    ['malformed country code', { ...korea, destination: 'KOR' }, ['body.destination']],
    [
      'unknown product id (400, not 404: it is a body field)',
      { ...korea, items: [{ productId: 'nvidia-h999', quantity: 1 }] },
      ['body.items[0].productId'],
    ],
    [
      'zero quantity',
      { ...korea, items: [{ productId: 'nvidia-h100-sxm', quantity: 0 }] },
      ['body.items[0].quantity'],
    ],
    [
      'negative quantity',
      { ...korea, items: [{ productId: 'nvidia-h100-sxm', quantity: -3 }] },
      ['body.items[0].quantity'],
    ],
    [
      'fractional quantity',
      { ...korea, items: [{ productId: 'nvidia-h100-sxm', quantity: 1.5 }] },
      ['body.items[0].quantity'],
    ],
    [
      'absurd quantity',
      { ...korea, items: [{ productId: 'nvidia-h100-sxm', quantity: 1e12 }] },
      ['body.items[0].quantity'],
    ],
    [
      'string quantity',
      { ...korea, items: [{ productId: 'nvidia-h100-sxm', quantity: '10' }] },
      ['body.items[0].quantity'],
    ],
    ['no items', { ...korea, items: [] }, ['body.items']],
    [
      'tens of thousands of items',
      {
        ...korea,
        items: Array.from({ length: 20_000 }, () => ({ productId: 'nvidia-h100-sxm', quantity: 1 })),
      },
      ['body.items'],
    ],
    ['impossible date', { ...korea, shipDate: '2025-02-30' }, ['body.shipDate']],
    ['malformed date', { ...korea, shipDate: '01/06/2025' }, ['body.shipDate']],
    ['unknown rule pack', { ...korea, ruleset: 'ai-diffusion-2099' }, ['body.ruleset']],
    ['unknown top-level field', { ...korea, priority: 'high' }, ['body']],
    [
      'unknown item field',
      { ...korea, items: [{ productId: 'nvidia-h100-sxm', quantity: 1, tpp: 1 }] },
      ['body.items[0]'],
    ],
    ['missing end user', { destination: 'KR', items: korea.items }, ['body.endUser']],
    [
      'bad verifiedEndUser',
      { ...korea, endUser: { name: 'x', headquarters: 'KR', verifiedEndUser: 'GOLD' } },
      ['body.endUser.verifiedEndUser'],
    ],
    [
      'custom chip whose class needs a density it lacks',
      { ...korea, items: [{ tpp: 3000, performanceDensity: null, datacenter: true, quantity: 1 }] },
      ['body.items[0].performanceDensity'],
    ],
  ];

  for (const [name, body, paths] of cases) {
    it(name, async () => {
      const res = await check(body);
      expect(res.status).toBe(400);
      expect(res.headers['content-type']).toContain('application/problem+json');
      expect(res.body).toMatchObject({
        status: res.status,
        type: expect.any(String),
        title: expect.any(String),
        requestId: expect.any(String),
      });
      const got = res.body.errors.map((e: { path: string }) => e.path);
      for (const path of paths) {
        expect(
          got.some((p: string) => p === path || p.startsWith(`${path}.`) || p.startsWith(`${path}[`)),
          `${path} in ${got}`,
        ).toBe(true);
      }
      // Rejected input leaves no trace in the audit trail (other files add checks concurrently, so only ours count).
      expect(await t.db.auditEvent.count({ where: { requestId: res.body.requestId } })).toBe(0);
    });
  }

  it('reports every bad field at once', async () => {
    const res = await check({
      ...korea,
      destination: 'QQ',
      endUser: { name: 'x', headquarters: 'QZ' },
      items: [{ productId: 'nope', quantity: 1 }],
    }).expect(400);
    expect(res.body.errors.map((e: { path: string }) => e.path).sort()).toEqual([
      'body.destination',
      'body.endUser.headquarters',
      'body.items[0].productId',
    ]);
  });
});
