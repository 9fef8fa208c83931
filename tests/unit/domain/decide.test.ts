import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { seedFor } from '../../helpers/seed.ts';
import { classifyProduct, findSeedProduct } from '../../../src/domain/catalogue.ts';
import { decideShipment } from '../../../src/domain/decide.ts';
import { REASON_ALTERNATE_CITATIONS, REASON_CITATIONS, REASON_CODES } from '../../../src/domain/reasons.ts';
import { legalStatusOn, RULE_PACKS } from '../../../src/domain/rulesets.ts';
import { tierOn } from '../../../src/domain/tiers.ts';
import type { ClassifiedItem, DecisionInput, Eccn, RulesetId, Tier } from '../../../src/domain/types.ts';

const NAMES: Record<string, string> = {
  AE: 'United Arab Emirates',
  CN: 'China',
  DE: 'Germany',
  FR: 'France',
  IN: 'India',
  KR: 'Korea, Republic of',
  MY: 'Malaysia',
  RU: 'Russia',
  US: 'United States',
};

function country(code: string, date = '2025-06-01'): { code: string; name: string; tier: Tier } {
  return { code, name: NAMES[code] ?? code, tier: tierOn(code, date) };
}

function product(id: string, quantity: number): ClassifiedItem {
  const spec = findSeedProduct(id);
  if (!spec) throw new Error(`no seed product ${id}`);
  const c = classifyProduct(spec, findSeedProduct);
  return {
    productId: id,
    quantity,
    eccn: c.eccn,
    tppPerUnit: c.tpp,
    tpp: c.tpp * quantity,
    note2Applied: c.note2Applied,
    chipTpp: c.chipTpp,
    memoryBandwidthGBs: c.memoryBandwidthGBs,
  };
}

function custom(
  eccn: Eccn,
  tppPerUnit: number,
  quantity = 1,
  extra: Partial<ClassifiedItem> = {},
): ClassifiedItem {
  return {
    description: `custom ${eccn}`,
    quantity,
    eccn,
    tppPerUnit,
    tpp: tppPerUnit * quantity,
    note2Applied: false,
    ...extra,
  };
}

interface Scenario {
  pack?: RulesetId;
  shipDate?: string;
  destination?: string;
  headquarters?: string;
  veu?: 'UVEU' | 'NVEU' | null;
  items: ClassifiedItem[];
  country?: { capTpp: number; usedTpp: number } | null;
  lpp?: { year: number; capTpp: number; usedTpp: number } | null;
  govToGov?: boolean;
  allocationTpp?: number | null;
}

function input(s: Scenario): DecisionInput {
  const shipDate = s.shipDate ?? '2025-06-01';
  const dest = country(s.destination ?? 'AE', shipDate);
  const hq = country(s.headquarters ?? s.destination ?? 'AE', shipDate);
  const tier2 = dest.tier === 'TIER_2';
  return {
    pack: s.pack ?? 'ai-diffusion-2025',
    shipDate,
    destination: {
      ...dest,
      allocationTpp: s.allocationTpp !== undefined ? s.allocationTpp : tier2 ? 790_000_000 : null,
      govToGovArrangement: s.govToGov ?? false,
    },
    headquarters: hq,
    endUser: { name: 'Example Cloud LLC', verifiedEndUser: s.veu ?? null },
    consignee: 'Example Cloud LLC',
    items: s.items,
    quota: {
      country: s.country !== undefined ? s.country : tier2 ? { capTpp: 790_000_000, usedTpp: 0 } : null,
      lpp:
        s.lpp !== undefined
          ? s.lpp
          : tier2
            ? { year: Number(shipDate.slice(0, 4)), capTpp: 26_900_000, usedTpp: 0 }
            : null,
    },
  };
}

const codes = (d: ReturnType<typeof decideShipment>) => d.reasons.map((r) => r.code);
const H100 = 15_832;

describe('seed story', () => {
  it('10,000 H100 SXM to KR for a KR-headquartered user: Tier 1, AIA, no quota', () => {
    const d = decideShipment(input({ destination: 'KR', items: [product('nvidia-h100-sxm', 10_000)] }));
    expect(d).toMatchObject({
      allowed: true,
      licenseRequired: false,
      authorization: 'AIA',
      reviewPolicy: null,
      destination: { code: 'KR', tier: 'TIER_1' },
      totalTpp: 158_320_000,
      h100Equivalents: 10_000,
      quota: { countryAllocation: null, lpp: null },
      holds: { countryTpp: 0, lppTpp: 0, lppYear: null },
    });
    expect(codes(d)).toEqual(['TIER1_AIA']);
    expect(d.reasons[0]?.citation).toBe('15 CFR 740.27');
  });

  it('2,000 H100 to AE (no VEU, LPP unused): over LPP, licence with presumption of approval within the allocation', () => {
    const d = decideShipment(input({ destination: 'AE', items: [product('nvidia-h100-sxm', 2_000)] }));
    expect(d).toMatchObject({
      allowed: false,
      licenseRequired: true,
      authorization: null,
      reviewPolicy: 'PRESUMPTION_OF_APPROVAL',
      totalTpp: 31_664_000,
      quota: {
        countryAllocation: {
          applies: true,
          capTpp: 790_000_000,
          usedTpp: 0,
          remainingTpp: 790_000_000,
          thisShipmentTpp: 31_664_000,
          remainingAfterTpp: 758_336_000,
        },
        lpp: {
          applies: false,
          year: 2025,
          capTpp: 26_900_000,
          usedTpp: 0,
          remainingTpp: 26_900_000,
          thisShipmentTpp: 0,
        },
      },
      holds: { countryTpp: 31_664_000, lppTpp: 0, lppYear: 2025 },
    });
    expect(codes(d)).toEqual(['LPP_LIMIT_EXCEEDED', 'TIER2_LICENSE_WITHIN_ALLOCATION']);
  });

  it('reproduces the API.md example (H100 x 2,000 plus a 5,200-TPP custom board x 4 to AE)', () => {
    const d = decideShipment(
      input({ destination: 'AE', items: [product('nvidia-h100-sxm', 2_000), custom('3A090.a', 5_200, 4)] }),
    );
    expect(d.totalTpp).toBe(31_684_800);
    expect(d.h100Equivalents).toBe(2001.3);
    expect(d.items).toEqual([
      { productId: 'nvidia-h100-sxm', quantity: 2000, eccn: '3A090.a', tppPerUnit: 15832, tpp: 31_664_000 },
      { description: 'custom 3A090.a', quantity: 4, eccn: '3A090.a', tppPerUnit: 5200, tpp: 20_800 },
    ]);
    expect(d.quota.countryAllocation?.thisShipmentTpp).toBe(31_684_800);
    expect(d.quota.countryAllocation?.remainingAfterTpp).toBe(758_315_200);
    expect(d.ruleset).toEqual({
      id: 'ai-diffusion-2025',
      name: 'Framework for Artificial Intelligence Diffusion',
      citation: '90 FR 4544',
      status: 'RESCINDED',
      inForceOnShipDate: false,
      selectedBy: 'REQUESTED',
    });
  });
});

describe('Tier 3 and headquarters', () => {
  it.each([
    ['Tier 3 destination, Tier 1 HQ', 'CN', 'US', ['TIER3_DESTINATION']],
    ['Tier 3 HQ in a Tier 1 destination', 'DE', 'CN', ['TIER3_HEADQUARTERS']],
    ['Tier 3 HQ in a Tier 2 destination', 'AE', 'RU', ['TIER3_HEADQUARTERS']],
    ['Tier 3 destination and HQ', 'RU', 'CN', ['TIER3_DESTINATION', 'TIER3_HEADQUARTERS']],
  ])('%s: licence, presumption of denial, not allowed', (_label, destination, headquarters, reasonCodes) => {
    const d = decideShipment(input({ destination, headquarters, items: [product('nvidia-h100-sxm', 1)] }));
    expect(d).toMatchObject({
      allowed: false,
      licenseRequired: true,
      authorization: null,
      reviewPolicy: 'PRESUMPTION_OF_DENIAL',
      holds: { countryTpp: 0, lppTpp: 0 },
    });
    expect(codes(d)).toEqual(reasonCodes);
    expect(d.quota.countryAllocation?.applies ?? false).toBe(false);
    expect(d.quota.lpp?.applies ?? false).toBe(false);
  });

  it('gives a Tier 3 destination no pools at all', () => {
    const d = decideShipment(input({ destination: 'CN', items: [product('nvidia-h100-sxm', 1)] }));
    expect(d.quota).toEqual({ countryAllocation: null, lpp: null });
  });

  it('Tier 1 destination with a Tier 2 HQ: licence, case-by-case, no allocation pool', () => {
    const d = decideShipment(
      input({ destination: 'DE', headquarters: 'AE', items: [product('nvidia-h100-sxm', 10)] }),
    );
    expect(d).toMatchObject({
      allowed: false,
      licenseRequired: true,
      authorization: null,
      reviewPolicy: 'CASE_BY_CASE',
      quota: { countryAllocation: null, lpp: null },
      holds: { countryTpp: 0, lppTpp: 0, lppYear: null },
    });
    expect(codes(d)).toEqual(['TIER1_DESTINATION_NON_TIER1_HEADQUARTERS']);
  });

  it('Tier 2 destination with a Tier 1 HQ goes through LPP like any Tier 2 shipment', () => {
    const d = decideShipment(
      input({ destination: 'AE', headquarters: 'US', items: [product('nvidia-h100-sxm', 100)] }),
    );
    expect(d.authorization).toBe('LPP');
  });
});

describe('Tier 2: VEU', () => {
  // A UVEU is headquartered in Tier 1 (RULES.md 6), so the UVEU holder here is US-headquartered.
  it.each([
    ['UVEU', 'US'],
    ['NVEU', 'AE'],
  ] as const)('%s (HQ %s): allowed under VEU, no allocation or LPP used', (veu, headquarters) => {
    const d = decideShipment(
      input({ destination: 'AE', headquarters, veu, items: [product('nvidia-h100-sxm', 20_000)] }),
    );
    expect(d).toMatchObject({
      allowed: true,
      licenseRequired: false,
      authorization: 'VEU',
      reviewPolicy: null,
      quota: {
        countryAllocation: { applies: false, thisShipmentTpp: 0, remainingAfterTpp: 790_000_000 },
        lpp: { applies: false, thisShipmentTpp: 0 },
      },
      holds: { countryTpp: 0, lppTpp: 0, lppYear: 2025 },
    });
    expect(codes(d)).toEqual(['VEU_AUTHORIZED']);
    expect(d.reasons[0]?.citation).toBe('15 CFR 748.15');
    expect(d.warnings.some((w) => w.includes(veu) && w.includes('748.15'))).toBe(true);
  });
});

describe('Tier 2: License Exception LPP (26,900,000 TPP per consignee per year)', () => {
  // 1,000 H100 = 15,832,000 TPP; 11,068,000 already used brings it exactly to 26,900,000.
  const shipment = [product('nvidia-h100-sxm', 1_000)];

  it('allows a shipment that exactly meets the limit, drawing only on LPP', () => {
    const d = decideShipment(
      input({ items: shipment, lpp: { year: 2025, capTpp: 26_900_000, usedTpp: 11_068_000 } }),
    );
    expect(d).toMatchObject({
      allowed: true,
      licenseRequired: false,
      authorization: 'LPP',
      reviewPolicy: null,
      quota: {
        countryAllocation: { applies: false, thisShipmentTpp: 0, remainingAfterTpp: 790_000_000 },
        lpp: {
          applies: true,
          year: 2025,
          usedTpp: 11_068_000,
          remainingTpp: 15_832_000,
          thisShipmentTpp: 15_832_000,
          remainingAfterTpp: 0,
        },
      },
      holds: { countryTpp: 0, lppTpp: 15_832_000, lppYear: 2025 },
    });
    expect(codes(d)).toEqual(['LPP_WITHIN_LIMIT']);
    expect(d.reasons[0]?.citation).toBe('15 CFR 740.29');
  });

  it('refuses LPP one TPP over the limit and falls to a licence within the allocation', () => {
    const d = decideShipment(
      input({ items: shipment, lpp: { year: 2025, capTpp: 26_900_000, usedTpp: 11_068_001 } }),
    );
    expect(d).toMatchObject({
      allowed: false,
      licenseRequired: true,
      authorization: null,
      reviewPolicy: 'PRESUMPTION_OF_APPROVAL',
      quota: { countryAllocation: { applies: true, thisShipmentTpp: 15_832_000 }, lpp: { applies: false } },
      holds: { countryTpp: 15_832_000, lppTpp: 0 },
    });
    expect(codes(d)).toEqual(['LPP_LIMIT_EXCEEDED', 'TIER2_LICENSE_WITHIN_ALLOCATION']);
  });

  it('counts only 3A090.a/4A090.a TPP toward LPP', () => {
    const d = decideShipment(
      input({
        destination: 'IN',
        items: [custom('3A090.a', 26_900_000), custom('3A090.b', 4_000, 1_000), product('nvidia-h20', 1_000)],
      }),
    );
    expect(d.authorization).toBe('LPP');
    expect(d.quota.lpp?.thisShipmentTpp).toBe(26_900_000);
    expect(d.totalTpp).toBe(26_900_000 + 4_000_000 + 2_368_000);
  });

  it('ignores an LPP balance of another year, with a warning', () => {
    const d = decideShipment(
      input({
        shipDate: '2026-02-01',
        items: shipment,
        lpp: { year: 2025, capTpp: 26_900_000, usedTpp: 26_900_000 },
      }),
    );
    expect(d.authorization).toBe('LPP');
    expect(d.quota.lpp).toMatchObject({ year: 2026, usedTpp: 0 });
    expect(d.holds.lppYear).toBe(2026);
    expect(d.warnings.some((w) => w.includes('2025, not 2026'))).toBe(true);
  });
});

describe('Tier 2: licence against the country allocation', () => {
  // 2,000 H100 = 31,664,000 TPP, over LPP for a fresh consignee.
  const shipment = [product('nvidia-h100-sxm', 2_000)];

  it('presumes approval when the shipment exactly fits the remaining allocation', () => {
    const d = decideShipment(
      input({ items: shipment, country: { capTpp: 790_000_000, usedTpp: 758_336_000 } }),
    );
    expect(d).toMatchObject({
      reviewPolicy: 'PRESUMPTION_OF_APPROVAL',
      quota: {
        countryAllocation: {
          applies: true,
          remainingTpp: 31_664_000,
          thisShipmentTpp: 31_664_000,
          remainingAfterTpp: 0,
        },
      },
      holds: { countryTpp: 31_664_000 },
    });
  });

  it('presumes denial one TPP over, and holds nothing', () => {
    const d = decideShipment(
      input({ items: shipment, country: { capTpp: 790_000_000, usedTpp: 758_336_001 } }),
    );
    expect(d).toMatchObject({
      allowed: false,
      licenseRequired: true,
      reviewPolicy: 'PRESUMPTION_OF_DENIAL',
      quota: { countryAllocation: { applies: false, remainingTpp: 31_663_999, thisShipmentTpp: 0 } },
      holds: { countryTpp: 0, lppTpp: 0 },
    });
    expect(codes(d)).toEqual(['LPP_LIMIT_EXCEEDED', 'TIER2_ALLOCATION_EXCEEDED']);
    expect(d.reasons[1]?.message).toContain('1 TPP short');
  });

  it('treats an overdrawn allocation as nothing left', () => {
    const d = decideShipment(
      input({ items: shipment, country: { capTpp: 100_000_000, usedTpp: 120_000_000 } }),
    );
    expect(d.reviewPolicy).toBe('PRESUMPTION_OF_DENIAL');
    expect(d.quota.countryAllocation?.remainingTpp).toBe(0);
  });

  it.each([
    [true, 'PRESUMPTION_OF_APPROVAL', 1_580_000_000],
    [false, 'PRESUMPTION_OF_DENIAL', 790_000_000],
  ] as const)('with no balance given, takes the pack cap (gov-to-gov %s -> %s)', (govToGov, policy, cap) => {
    const d = decideShipment(
      input({ items: [custom('4A090.a', 1_000_000_000)], govToGov, allocationTpp: null, country: null }),
    );
    expect(d.reviewPolicy).toBe(policy);
    expect(d.quota.countryAllocation?.capTpp).toBe(cap);
  });

  it('prefers the cap the caller passes over the pack figure', () => {
    const d = decideShipment(
      input({
        items: [custom('3A090.a', 1_000_000_000)],
        govToGov: false,
        country: { capTpp: 1_580_000_000, usedTpp: 0 },
      }),
    );
    expect(d.reviewPolicy).toBe('PRESUMPTION_OF_APPROVAL');
    expect(d.quota.countryAllocation?.capTpp).toBe(1_580_000_000);
  });

  it('warns when a shipment drawing on the allocation is dated outside its 2025-2027 period', () => {
    const d = decideShipment(input({ shipDate: '2028-01-01', items: shipment }));
    expect(d.warnings.some((w) => w.includes('2027-12-31'))).toBe(true);
  });
});

describe('3A090.b / 4A090.b: the baseline destination rule, with License Exceptions NAC/ACA (RULES.md 4, 6)', () => {
  // Every 3A090.b item is designed or marketed for data centres (Note 2 takes the others out of 3A090), so
  // the ECCN's licence-exception paragraph opens NAC/ACA to it wherever the baseline rule asks for a licence.
  it.each([
    ['AE', 'AE', 'ALLOWED', 'ACA', null, ['ACA_AUTHORIZED']],
    ['CN', 'CN', 'NOTIFICATION_REQUIRED', 'NAC', null, ['NAC_NOTIFICATION_REQUIRED']],
    ['MY', 'MY', 'ALLOWED', 'NLR', null, ['BASELINE_NO_LICENSE_REQUIRED']],
    ['FR', 'FR', 'ALLOWED', 'NLR', null, ['BASELINE_NO_LICENSE_REQUIRED']],
    ['MY', 'CN', 'NOTIFICATION_REQUIRED', 'NAC', null, ['NAC_NOTIFICATION_REQUIRED']],
    [
      'RU',
      'RU',
      'LICENSE_REQUIRED',
      null,
      'PRESUMPTION_OF_DENIAL',
      [
        'EXCEPTION_UNAVAILABLE_EMBARGO',
        'BASELINE_DESTINATION_LICENSE_REQUIRED',
        'BASELINE_HEADQUARTERS_LICENSE_REQUIRED',
        'BASELINE_REVIEW_POLICY',
      ],
    ],
  ] as const)(
    'to %s (HQ %s): %s under %s',
    (destination, headquarters, outcome, authorization, policy, reasonCodes) => {
      const d = decideShipment(input({ destination, headquarters, items: [custom('3A090.b', 3_000, 10)] }));
      expect(d.outcome).toBe(outcome);
      expect(d.licenseRequired).toBe(outcome === 'LICENSE_REQUIRED');
      expect(d.allowed).toBe(outcome === 'ALLOWED');
      expect(d.reviewPolicy).toBe(policy);
      expect(d.authorization).toBe(authorization);
      expect(codes(d)).toEqual(reasonCodes);
      expect(d.holds).toMatchObject({ countryTpp: 0, lppTpp: 0 });
    },
  );

  it('treats 4A090.b like 3A090.b and never touches quotas', () => {
    const d = decideShipment(input({ destination: 'AE', items: [custom('4A090.b', 24_000, 10)] }));
    expect(d).toMatchObject({ outcome: 'ALLOWED', authorization: 'ACA', reviewPolicy: null });
    expect(d.quota.countryAllocation).toMatchObject({ applies: false, thisShipmentTpp: 0 });
    expect(d.quota.lpp).toMatchObject({ applies: false, thisShipmentTpp: 0 });
  });
});

describe('items outside 3A090/4A090', () => {
  it('needs no licence under the pack but says so and warns of other controls', () => {
    const d = decideShipment(input({ destination: 'CN', items: [product('nvidia-h20', 100)] }));
    expect(d).toMatchObject({
      allowed: true,
      licenseRequired: false,
      authorization: 'NLR',
      reviewPolicy: null,
    });
    expect(codes(d)).toEqual(['OUTSIDE_3A090_4A090']);
    expect(d.reasons[0]?.message).toContain('not a clearance');
    const warning = d.warnings.find((w) => w.includes('is-informed'));
    expect(warning).toContain('15 CFR part 744');
    expect(warning).toContain('2025-04-09');
  });

  it('mentions Note 2 when it is the reason', () => {
    const d = decideShipment(
      input({ destination: 'MY', items: [custom('OUTSIDE_3A090', 3_000, 1, { note2Applied: true })] }),
    );
    expect(d.reasons[0]?.message).toContain('Note 2 to 3A090');
  });
});

describe('mixed orders: the most restrictive part wins, totalTpp sums everything', () => {
  it('Tier 1: AIA items plus outside items stay under AIA', () => {
    const d = decideShipment(
      input({ destination: 'KR', items: [product('nvidia-h100-sxm', 8), product('nvidia-l20', 8)] }),
    );
    expect(d.authorization).toBe('AIA');
    expect(d.totalTpp).toBe(8 * H100 + 8 * 1912);
    expect(codes(d)).toEqual(['TIER1_AIA', 'OUTSIDE_3A090_4A090']);
  });

  it('Tier 2: an LPP part and a datacentre .b part under ACA -> allowed under LPP, LPP held for the .a part only', () => {
    const d = decideShipment(
      input({ destination: 'AE', items: [product('nvidia-h100-sxm', 100), custom('3A090.b', 3_000, 10)] }),
    );
    expect(d).toMatchObject({
      outcome: 'ALLOWED',
      allowed: true,
      licenseRequired: false,
      authorization: 'LPP',
      reviewPolicy: null,
      holds: { countryTpp: 0, lppTpp: 1_583_200, lppYear: 2025 },
    });
    expect(codes(d)).toEqual(['LPP_WITHIN_LIMIT', 'ACA_AUTHORIZED']);
  });

  it('Tier 2: an LPP part and a .b part to a Russian-headquartered user -> Tier 3 denial outranks all', () => {
    const d = decideShipment(
      input({
        destination: 'AE',
        headquarters: 'RU',
        items: [product('nvidia-h100-sxm', 100), custom('3A090.b', 3_000, 10)],
      }),
    );
    expect(d).toMatchObject({
      outcome: 'LICENSE_REQUIRED',
      reviewPolicy: 'PRESUMPTION_OF_DENIAL',
      holds: { countryTpp: 0, lppTpp: 0 },
    });
  });

  it('Tier 1 with a Tier 2 HQ: case-by-case outranks the .b part’s no-licence answer', () => {
    const d = decideShipment(
      input({
        destination: 'DE',
        headquarters: 'AE',
        items: [product('nvidia-h100-sxm', 1), custom('3A090.b', 3_000)],
      }),
    );
    expect(d.reviewPolicy).toBe('CASE_BY_CASE');
    expect(d.licenseRequired).toBe(true);
  });

  it('Tier 2 with a system and chips: 4A090.a TPP counts toward the allocation with 3A090.a', () => {
    const d = decideShipment(
      input({ destination: 'AE', items: [product('nvidia-dgx-h100', 250), product('nvidia-h100-sxm', 100)] }),
    );
    expect(d.quota.countryAllocation?.thisShipmentTpp).toBe(250 * 8 * H100 + 100 * H100);
    expect(d.totalTpp).toBe(2_100 * H100);
    expect(d.h100Equivalents).toBe(2100);
  });

  it('an order with no items is allowed with nothing to hold, and says so', () => {
    const d = decideShipment(input({ destination: 'AE', items: [] }));
    expect(d).toMatchObject({ allowed: true, authorization: 'NLR', totalTpp: 0, reasons: [] });
    expect(d.warnings).toContain('The order has no items.');
  });
});

describe('rule pack status on the ship date', () => {
  it.each([
    ['2024-12-01', 'NOT_YET_EFFECTIVE', '2025-01-13'],
    ['2025-03-01', 'EFFECTIVE_COMPLIANCE_PENDING', '2025-05-15'],
    ['2025-06-01', 'RESCINDED', '2025-05-13'],
  ])('on %s the pack is %s and the first warning says why', (shipDate, status, dateInText) => {
    const d = decideShipment(input({ shipDate, destination: 'KR', items: [product('nvidia-h100-sxm', 1)] }));
    expect(d.ruleset.status).toBe(status);
    expect(d.ruleset.inForceOnShipDate).toBe(false);
    expect(d.warnings[0]).toBe(legalStatusOn(RULE_PACKS['ai-diffusion-2025'], shipDate).explanation);
    expect(d.warnings[0]).toContain(dateInText);
    // The same tier logic still runs: the answer is a planning answer under the pack.
    expect(d.authorization).toBe('AIA');
  });
});

describe('pack baseline-2023 (88 FR 73458 as amended)', () => {
  it.each([
    ['KR', 'KR', 'nvidia-h100-sxm', '2025-06-01', false, null],
    ['AE', 'AE', 'nvidia-h100-sxm', '2025-06-01', true, 'PRESUMPTION_OF_APPROVAL'],
    ['MY', 'CN', 'nvidia-h100-sxm', '2025-06-01', true, 'PRESUMPTION_OF_DENIAL'],
    ['CN', 'CN', 'nvidia-h200-sxm', '2026-01-14', true, 'PRESUMPTION_OF_DENIAL'],
    ['CN', 'CN', 'nvidia-h200-sxm', '2026-01-15', true, 'CASE_BY_CASE'],
    ['CN', 'CN', 'amd-mi325x', '2026-02-01', true, 'CASE_BY_CASE'],
    ['CN', 'CN', 'nvidia-dgx-h100', '2026-02-01', true, 'CASE_BY_CASE'],
    ['CN', 'CN', 'nvidia-b200', '2026-02-01', true, 'PRESUMPTION_OF_DENIAL'],
    ['CN', 'CN', 'intel-gaudi3', '2026-02-01', true, 'PRESUMPTION_OF_DENIAL'],
    ['CN', 'RU', 'nvidia-h200-sxm', '2026-02-01', true, 'PRESUMPTION_OF_DENIAL'],
    ['RU', 'RU', 'nvidia-h200-sxm', '2026-02-01', true, 'PRESUMPTION_OF_DENIAL'],
  ])(
    '%s (HQ %s), %s on %s: licence %s, %s',
    (destination, headquarters, id, shipDate, licenseRequired, policy) => {
      const d = decideShipment(
        input({ pack: 'baseline-2023', shipDate, destination, headquarters, items: [product(id, 10)] }),
      );
      expect(d.licenseRequired).toBe(licenseRequired);
      expect(d.reviewPolicy).toBe(policy);
      expect(d.authorization).toBe(licenseRequired ? null : 'NLR');
      expect(d.quota).toEqual({ countryAllocation: null, lpp: null });
      expect(d.holds).toEqual({ countryTpp: 0, lppTpp: 0, lppYear: null });
      expect(d.ruleset).toMatchObject({ id: 'baseline-2023', status: 'IN_FORCE', inForceOnShipDate: true });
      if (policy === 'CASE_BY_CASE') expect(codes(d)).toContain('CHINA_CASE_BY_CASE_REVIEW');
    },
  );

  it('does not apply the China case-by-case policy when the DRAM bandwidth is unknown', () => {
    const item = { ...product('nvidia-h200-sxm', 1), memoryBandwidthGBs: null };
    const d = decideShipment(
      input({ pack: 'baseline-2023', shipDate: '2026-02-01', destination: 'CN', items: [item] }),
    );
    expect(d.reviewPolicy).toBe('PRESUMPTION_OF_DENIAL');
  });

  it('has no status warning when in force', () => {
    const d = decideShipment(
      input({ pack: 'baseline-2023', destination: 'KR', items: [product('nvidia-h100-sxm', 1)] }),
    );
    // The only warning left is that these parties were not screened (the input carries no screening).
    expect(d.warnings).toEqual([expect.stringMatching(/^The parties were not screened/)]);
  });

  it('warns before its effective date', () => {
    const d = decideShipment(
      input({
        pack: 'baseline-2023',
        shipDate: '2023-11-16',
        destination: 'KR',
        items: [product('nvidia-h100-sxm', 1)],
      }),
    );
    expect(d.ruleset.status).toBe('NOT_YET_EFFECTIVE');
    expect(d.warnings[0]).toContain('2023-11-17');
  });
});

describe('reason codes', () => {
  it('is a closed list, each with a citation', () => {
    expect(REASON_CODES).toHaveLength(27);
    for (const code of REASON_CODES)
      expect(REASON_CITATIONS[code]).toMatch(/CFR|FR|^Consolidated Screening List$/);
  });
});

describe('decideShipment over arbitrary valid inputs', () => {
  const eccn = fc.constantFrom<Eccn>(
    '3A090.a',
    '3A090.b',
    'OUTSIDE_3A090',
    '4A090.a',
    '4A090.b',
    'OUTSIDE_4A090',
  );
  const item = fc.record({
    eccn,
    tppPerUnit: fc.integer({ min: 0, max: 200_000 }),
    quantity: fc.integer({ min: 1, max: 5_000 }),
    note2Applied: fc.boolean(),
    memoryBandwidthGBs: fc.option(fc.integer({ min: 100, max: 10_000 })),
  });
  const scenario = fc.record({
    pack: fc.constantFrom<RulesetId>('ai-diffusion-2025', 'baseline-2023'),
    shipDate: fc.constantFrom(
      '2023-01-01',
      '2024-03-15',
      '2025-01-13',
      '2025-05-13',
      '2026-01-15',
      '2028-06-30',
    ),
    destination: fc.constantFrom('AE', 'CN', 'DE', 'IN', 'KR', 'MY', 'RU', 'US', 'HK', 'MO', 'KH'),
    headquarters: fc.constantFrom('AE', 'CN', 'DE', 'US', 'RU', 'MO'),
    veu: fc.constantFrom<'UVEU' | 'NVEU' | null>('UVEU', 'NVEU', null),
    items: fc.array(item, { maxLength: 4 }),
    usedCountry: fc.integer({ min: 0, max: 2_000_000_000 }),
    usedLpp: fc.integer({ min: 0, max: 40_000_000 }),
    govToGov: fc.boolean(),
  });

  it('never throws and keeps its invariants', () => {
    fc.assert(
      fc.property(scenario, (s) => {
        const items = s.items.map((i) => ({ ...i, tpp: i.tppPerUnit * i.quantity, description: 'x' }));
        const d = decideShipment(
          input({
            pack: s.pack,
            shipDate: s.shipDate,
            destination: s.destination,
            headquarters: s.headquarters,
            veu: s.veu,
            items,
            govToGov: s.govToGov,
            country: { capTpp: 790_000_000, usedTpp: s.usedCountry },
            lpp: { year: Number(s.shipDate.slice(0, 4)), capTpp: 26_900_000, usedTpp: s.usedLpp },
          }),
        );
        expect(d.totalTpp).toBe(items.reduce((t, i) => t + i.tpp, 0));
        expect(d.allowed).toBe(d.outcome === 'ALLOWED');
        expect(d.licenseRequired).toBe(d.outcome === 'LICENSE_REQUIRED');
        expect(d.authorization === 'NAC').toBe(d.outcome === 'NOTIFICATION_REQUIRED');
        expect(d.notification !== null).toBe(d.outcome === 'NOTIFICATION_REQUIRED');
        expect(d.authorization === null).toBe(d.licenseRequired);
        expect(d.reviewPolicy === null).toBe(!d.licenseRequired);
        if (d.reviewPolicy === 'PRESUMPTION_OF_DENIAL')
          expect(d.holds).toMatchObject({ countryTpp: 0, lppTpp: 0 });
        expect(d.holds.countryTpp === 0 || d.holds.lppTpp === 0).toBe(true);
        const advancedTpp = items.filter((i) => i.eccn.endsWith('.a')).reduce((t, i) => t + i.tpp, 0);
        expect(d.holds.countryTpp + d.holds.lppTpp).toBeLessThanOrEqual(advancedTpp);
        if (d.quota.lpp?.applies)
          expect(d.quota.lpp.usedTpp + d.quota.lpp.thisShipmentTpp).toBeLessThanOrEqual(26_900_000);
        if (d.quota.countryAllocation?.applies)
          expect(d.quota.countryAllocation.remainingAfterTpp).toBeGreaterThanOrEqual(0);
        if (d.destination.tier !== 'TIER_2' || s.pack === 'baseline-2023') {
          expect(d.quota).toEqual({ countryAllocation: null, lpp: null });
        }
        expect(d.ruleset.inForceOnShipDate).toBe(s.pack === 'baseline-2023' && s.shipDate >= '2023-11-17');
        for (const r of d.reasons)
          expect([REASON_CITATIONS[r.code], ...(REASON_ALTERNATE_CITATIONS[r.code] ?? [])]).toContain(
            r.citation,
          );
      }),
      { numRuns: 500, seed: seedFor('decide invariants') },
    );
  });
});
