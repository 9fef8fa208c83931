import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, createApiKey } from '../helpers/factories.ts';
import { createTestApp, type TestApp } from '../helpers/test-app.ts';

/** RULES.md section 6 over HTTP: one check per point, showing the new behaviour. */

let t: TestApp;
let vendor: string;
let procurement: string;

beforeAll(async () => {
  t = await createTestApp({ now: () => new Date('2026-11-28T09:00:00Z') });
  vendor = (await createApiKey(t.db, 'vendor')).key;
  procurement = (await createApiKey(t.db, 'procurement')).key;
});
afterAll(async () => t.close());

const check = (body: object) => request(t.app.server).post('/v1/checks').set(bearer(vendor)).send(body);

/** A consumer graphics card: 3A090.a by TPP, not designed or marketed for data centres. */
const CONSUMER_CARD = {
  description: 'consumer card',
  tpp: 5285,
  performanceDensity: 8.7,
  datacenter: false,
  quantity: 50,
};
/** A datacentre 3A090.b card (TPP 3,000, PD 4.0). */
const DATACENTRE_B = {
  description: 'inference card',
  tpp: 3000,
  performanceDensity: 4,
  datacenter: true,
  quantity: 50,
};

/** A unique end user, so that LPP balances of other tests never mix in. */
function body(
  destination: string,
  items: object[],
  extra: Record<string, unknown> = {},
  headquarters = destination,
) {
  return {
    destination,
    items,
    endUser: { name: `Depth ${randomUUID().slice(0, 8)}`, headquarters, verifiedEndUser: null },
    shipDate: '2026-03-01',
    ...extra,
  };
}

describe('License Exceptions NAC and ACA over HTTP (15 CFR 740.8)', () => {
  it('a consumer card to China is NOTIFICATION_REQUIRED under NAC and says what to notify by when', async () => {
    const res = await check(body('CN', [CONSUMER_CARD], { ruleset: 'baseline-2023' })).expect(200);
    expect(res.body).toMatchObject({
      outcome: 'NOTIFICATION_REQUIRED',
      allowed: false,
      licenseRequired: false,
      authorization: 'NAC',
      reviewPolicy: null,
      notification: { exception: 'NAC', waitingDays: 25, notifyBy: '2026-02-04', citation: '15 CFR 740.8' },
      quota: { countryAllocation: null, lpp: null },
    });
    expect(res.body.reasons.map((r: { code: string }) => r.code)).toEqual(['NAC_NOTIFICATION_REQUIRED']);
  });

  it('a datacentre 3A090.b card to the UAE ships under ACA, using no allocation and no LPP', async () => {
    const res = await check(body('AE', [DATACENTRE_B], { ruleset: 'ai-diffusion-2025' })).expect(200);
    expect(res.body).toMatchObject({
      outcome: 'ALLOWED',
      allowed: true,
      authorization: 'ACA',
      notification: null,
      quota: { countryAllocation: { applies: false }, lpp: { applies: false } },
    });
    expect(res.body.reasons).toEqual([
      expect.objectContaining({ code: 'ACA_AUTHORIZED', citation: '15 CFR 740.8' }),
    ]);
  });

  it('a NAC shipment holds nothing: CLEARED, with the notification duty in its decision', async () => {
    const res = await request(t.app.server)
      .post('/v1/shipments')
      .set(bearer(procurement))
      .set('idempotency-key', randomUUID())
      .send(body('CN', [CONSUMER_CARD], { ruleset: 'baseline-2023' }))
      .expect(201);
    expect(res.body).toMatchObject({
      status: 'CLEARED',
      holds: { countryTpp: 0, lppTpp: 0 },
      decision: { outcome: 'NOTIFICATION_REQUIRED', authorization: 'NAC' },
    });
  });
});

describe('VEU eligibility over HTTP (90 FR 4544)', () => {
  it('a UVEU claimed by a UAE-headquartered end user is refused and the answer follows LPP', async () => {
    const b = body('AE', [{ productId: 'nvidia-h100-sxm', quantity: 100 }], { ruleset: 'ai-diffusion-2025' });
    const res = await check({ ...b, endUser: { ...b.endUser, verifiedEndUser: 'UVEU' } }).expect(200);
    expect(res.body.authorization).toBe('LPP');
    expect(res.body.reasons.map((r: { code: string }) => r.code)).toEqual([
      'VEU_NOT_ELIGIBLE',
      'LPP_WITHIN_LIMIT',
    ]);
  });

  it('the same UVEU for a US-headquartered end user is an authorization', async () => {
    const b = body(
      'AE',
      [{ productId: 'nvidia-h100-sxm', quantity: 100 }],
      { ruleset: 'ai-diffusion-2025' },
      'US',
    );
    const res = await check({ ...b, endUser: { ...b.endUser, verifiedEndUser: 'UVEU' } }).expect(200);
    expect(res.body.authorization).toBe('VEU');
  });
});

describe('Scope of 91 FR 1684 over HTTP: transaction and country of export', () => {
  const h200 = [{ productId: 'nvidia-h200-sxm', quantity: 10 }];

  it.each([
    [{ transaction: 'EXPORT' }, 'CASE_BY_CASE', 'CHINA_CASE_BY_CASE_REVIEW', null],
    [{}, 'CASE_BY_CASE', 'CHINA_CASE_BY_CASE_REVIEW', null],
    [
      { transaction: 'REEXPORT', exportFrom: 'sg' },
      'PRESUMPTION_OF_DENIAL',
      'CHINA_CASE_BY_CASE_OUT_OF_SCOPE',
      'SG',
    ],
    [{ transaction: 'TRANSFER' }, 'PRESUMPTION_OF_DENIAL', 'CHINA_CASE_BY_CASE_OUT_OF_SCOPE', null],
  ] as const)('H200 to China with %j: %s', async (extra, policy, lastCode, exportFrom) => {
    const res = await check(body('CN', h200, { ruleset: 'baseline-2023', ...extra })).expect(200);
    expect(res.body.reviewPolicy).toBe(policy);
    expect(res.body.reasons.at(-1).code).toBe(lastCode);
    expect(res.body.transaction).toBe('transaction' in extra ? extra.transaction : 'EXPORT');
    expect(res.body.exportFrom).toBe(exportFrom);
  });

  it('a China-headquartered end user located in Malaysia keeps the presumption of denial', async () => {
    const res = await check(body('MY', h200, { ruleset: 'baseline-2023' }, 'CN')).expect(200);
    expect(res.body.reviewPolicy).toBe('PRESUMPTION_OF_DENIAL');
    expect(res.body.reasons.at(-1).code).toBe('CHINA_CASE_BY_CASE_OUT_OF_SCOPE');
  });

  it.each([
    ['a reexport without its country of export', { transaction: 'REEXPORT' }],
    ['a country of export on an export', { transaction: 'EXPORT', exportFrom: 'SG' }],
    ['a country of export on a transfer', { transaction: 'TRANSFER', exportFrom: 'SG' }],
    ['a reexport from the destination itself', { transaction: 'REEXPORT', exportFrom: 'CN' }],
    ['a reexport from the United States', { transaction: 'REEXPORT', exportFrom: 'US' }],
    ['an unknown country of export', { transaction: 'REEXPORT', exportFrom: 'XZ' }],
  ])('400 for %s, naming body.exportFrom', async (_label, extra) => {
    const res = await check(body('CN', h200, { ruleset: 'baseline-2023', ...extra })).expect(400);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.body.errors.map((e: { path: string }) => e.path)).toContain('body.exportFrom');
  });

  it('400 for an unknown transaction', async () => {
    const res = await check(body('CN', h200, { transaction: 'GIFT' })).expect(400);
    expect(res.body.errors.map((e: { path: string }) => e.path)).toContain('body.transaction');
  });
});

describe('Headquarters-rule citations over HTTP', () => {
  it.each([
    ['2024-06-01', '15 CFR 744.23(a)(3)'],
    ['2026-03-01', '15 CFR 742.6(a)(6)(iii)(A)'],
  ])('H100 to Malaysia for a China-headquartered user on %s cites %s', async (shipDate, citation) => {
    const res = await check(
      body(
        'MY',
        [{ productId: 'nvidia-h100-sxm', quantity: 1 }],
        { ruleset: 'baseline-2023', shipDate },
        'CN',
      ),
    ).expect(200);
    const hq = res.body.reasons.filter(
      (r: { code: string }) => r.code === 'BASELINE_HEADQUARTERS_LICENSE_REQUIRED',
    );
    expect(hq.map((r: { citation: string }) => r.citation)).toEqual([citation]);
  });
});

describe('Tiers follow D:5 by date over HTTP (Cambodia left D:5 on 2026-02-03)', () => {
  it.each([
    ['2026-02-02', 'TIER_3', 'LICENSE_REQUIRED'],
    ['2026-02-03', 'TIER_2', 'ALLOWED'],
  ])('H100 to Cambodia on %s: %s, %s', async (shipDate, tier, outcome) => {
    const res = await check(
      body('KH', [{ productId: 'nvidia-h100-sxm', quantity: 10 }], {
        ruleset: 'ai-diffusion-2025',
        shipDate,
      }),
    ).expect(200);
    expect(res.body.destination.tier).toBe(tier);
    expect(res.body.outcome).toBe(outcome);
  });

  it('the .b rule agrees: Cambodia is NAC (D:5) the day before and ACA (D:1) that day', async () => {
    const before = await check(
      body('KH', [DATACENTRE_B], { ruleset: 'ai-diffusion-2025', shipDate: '2026-02-02' }),
    );
    const after = await check(
      body('KH', [DATACENTRE_B], { ruleset: 'ai-diffusion-2025', shipDate: '2026-02-03' }),
    );
    expect([before.body.authorization, after.body.authorization]).toEqual(['NAC', 'ACA']);
  });
});

describe('destination under baseline-2023: country groups, no diffusion tier', () => {
  it('shows the groups that drove the answer and no tier', async () => {
    const res = await check(
      body('AE', [{ productId: 'nvidia-h100-sxm', quantity: 1 }], { ruleset: 'baseline-2023' }),
    ).expect(200);
    expect(res.body.destination).toEqual({
      code: 'AE',
      name: 'United Arab Emirates',
      countryGroups: ['D:4'],
    });
  });

  it('keeps the tier under ai-diffusion-2025, with the groups beside it', async () => {
    const res = await check(
      body('AE', [{ productId: 'nvidia-h100-sxm', quantity: 1 }], { ruleset: 'ai-diffusion-2025' }),
    ).expect(200);
    expect(res.body.destination).toEqual({
      code: 'AE',
      name: 'United Arab Emirates',
      tier: 'TIER_2',
      countryGroups: ['D:4'],
    });
  });
});

describe('"ruleset": "in-force"', () => {
  it('selects the pack legally in force on the ship date and names it', async () => {
    const res = await check(
      body('AE', [{ productId: 'nvidia-h100-sxm', quantity: 1 }], {
        ruleset: 'in-force',
        shipDate: '2025-06-01',
      }),
    ).expect(200);
    expect(res.body.ruleset).toMatchObject({
      id: 'baseline-2023',
      status: 'IN_FORCE',
      inForceOnShipDate: true,
      selectedBy: 'IN_FORCE',
    });
    expect(res.body.warnings).toEqual([]);
  });

  it('is 400 for a ship date on which no pack was in force', async () => {
    const res = await check(
      body('AE', [{ productId: 'nvidia-h100-sxm', quantity: 1 }], {
        ruleset: 'in-force',
        shipDate: '2023-01-01',
      }),
    ).expect(400);
    expect(res.body.errors).toEqual([expect.objectContaining({ path: 'body.ruleset' })]);
  });

  it('GET /v1/rulesets explains what in-force selects on the date', async () => {
    const res = await request(t.app.server)
      .get('/v1/rulesets?date=2025-06-01')
      .set(bearer(vendor))
      .expect(200);
    expect(res.body.inForce).toMatchObject({ name: 'in-force', date: '2025-06-01', id: 'baseline-2023' });
    expect(res.body.inForce.explanation).toContain('never in force');
  });
});

describe('legal status first', () => {
  it('the response opens with outcome, ruleset and warnings, in that order', async () => {
    const res = await check(
      body('AE', [{ productId: 'nvidia-h100-sxm', quantity: 1 }], { ruleset: 'ai-diffusion-2025' }),
    ).expect(200);
    expect(Object.keys(res.body).slice(0, 4)).toEqual(['outcome', 'ruleset', 'warnings', 'checkId']);
    expect(res.text.startsWith('{"outcome":')).toBe(true);
    expect(res.body.warnings[0]).toContain('2025-05-13');
  });
});
