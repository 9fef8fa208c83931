import { describe, expect, it } from 'vitest';
import { classifyChip } from '../../../src/domain/classify.ts';
import { isD5OrMacauOn, requiresBaselineLicence } from '../../../src/domain/country-groups.ts';
import { decideShipment } from '../../../src/domain/decide.ts';
import { tierOn } from '../../../src/domain/tiers.ts';
import type { ClassifiedItem, DecisionInput, Eccn, RulesetId, Tier } from '../../../src/domain/types.ts';

/**
 * Boundary and combination tests. Every expected value here is written out by hand from RULES.md and the
 * regulation cited beside it: tiers, policies, TPP figures and quota views are literals, never computed by the
 * code under test. Each threshold is approached from both sides.
 */

interface Party {
  code: string;
  name: string;
  tier: Tier;
}
// Tiers written out for the ship dates used below (2025-06-01 unless a test says otherwise).
const AE: Party = { code: 'AE', name: 'United Arab Emirates', tier: 'TIER_2' };
const MY: Party = { code: 'MY', name: 'Malaysia', tier: 'TIER_2' };
const KR: Party = { code: 'KR', name: 'Korea, Republic of', tier: 'TIER_1' };
const DE: Party = { code: 'DE', name: 'Germany', tier: 'TIER_1' };
const CN: Party = { code: 'CN', name: 'China', tier: 'TIER_3' };
const HK: Party = { code: 'HK', name: 'Hong Kong', tier: 'TIER_3' };
const MO: Party = { code: 'MO', name: 'Macau', tier: 'TIER_3' };
const RU: Party = { code: 'RU', name: 'Russia', tier: 'TIER_3' };

function item(eccn: Eccn, tppPerUnit: number, quantity: number, extra: Partial<ClassifiedItem> = {}) {
  return {
    description: `${eccn} x${quantity}`,
    quantity,
    eccn,
    tppPerUnit,
    tpp: tppPerUnit * quantity,
    note2Applied: false,
    ...extra,
  } satisfies ClassifiedItem;
}

function order(s: {
  pack?: RulesetId;
  shipDate?: string;
  dest: Party;
  hq?: Party;
  items: ClassifiedItem[];
  country?: { capTpp: number; usedTpp: number } | null;
  lpp?: { year: number; capTpp: number; usedTpp: number } | null;
  veu?: 'UVEU' | 'NVEU' | null;
}): DecisionInput {
  const tier2 = s.dest.tier === 'TIER_2';
  return {
    pack: s.pack ?? 'ai-diffusion-2025',
    shipDate: s.shipDate ?? '2025-06-01',
    destination: {
      ...s.dest,
      allocationTpp: tier2 ? 790_000_000 : null,
      govToGovArrangement: false,
    },
    headquarters: s.hq ?? s.dest,
    endUser: { name: 'Boundary Test LLC', verifiedEndUser: s.veu ?? null },
    consignee: 'Boundary Test LLC',
    items: s.items,
    quota: {
      country: s.country !== undefined ? s.country : tier2 ? { capTpp: 790_000_000, usedTpp: 0 } : null,
      lpp: s.lpp !== undefined ? s.lpp : tier2 ? { year: 2025, capTpp: 26_900_000, usedTpp: 0 } : null,
    },
  };
}

const codes = (d: ReturnType<typeof decideShipment>) => d.reasons.map((r) => r.code);

describe('mixed orders whose parts disagree on review policy: the most severe policy wins', () => {
  it('AE: 3A090.a over the allocation (denial) plus an Entity List hit (case-by-case) -> presumption of denial', () => {
    // A datacentre 3A090.b item to the UAE (D:4, not D:5 or Macau) now ships under License Exception ACA
    // (15 CFR 740.8, RULES.md 6), so it brings no review policy; the case-by-case part comes from an Entity List
    // entry's licence policy instead (15 CFR 744.11), and the denial of the 3A090.a part must still win.
    const d = decideShipment({
      ...order({
        dest: AE,
        items: [item('3A090.a', 15_832, 2_000), item('3A090.b', 3_000, 10)],
        country: { capTpp: 790_000_000, usedTpp: 770_000_000 },
      }),
      screening: {
        listId: 'csl-test',
        importedAt: '2025-05-01T00:00:00Z',
        matches: [
          {
            party: 'END_USER',
            partyName: 'Boundary Test LLC',
            entryName: 'Boundary Test LLC',
            matchedName: 'Boundary Test LLC',
            source: 'Entity List (EL) - Bureau of Industry and Security',
            list: 'EL',
            countries: ['AE'],
            score: 100,
            kind: 'HIT',
            licenseRequirement: 'For all items subject to the EAR',
            licensePolicy: 'Case-by-case review',
            federalRegisterNotice: '89 FR 00000',
            startDate: '2024-01-01',
          },
        ],
      },
    });
    expect(d).toMatchObject({
      allowed: false,
      licenseRequired: true,
      authorization: null,
      reviewPolicy: 'PRESUMPTION_OF_DENIAL',
      totalTpp: 31_694_000,
      holds: { countryTpp: 0, lppTpp: 0, lppYear: 2025 },
    });
    expect(codes(d)).toEqual([
      'LPP_LIMIT_EXCEEDED',
      'TIER2_ALLOCATION_EXCEEDED',
      'ACA_AUTHORIZED',
      'ENTITY_LIST_MATCH',
    ]);
    expect(d.quota.countryAllocation).toEqual({
      applies: false,
      capTpp: 790_000_000,
      usedTpp: 770_000_000,
      remainingTpp: 20_000_000,
      thisShipmentTpp: 0,
      remainingAfterTpp: 20_000_000,
    });
  });

  it('AE: 3A090.a within the allocation (approval) plus a 3A090.b item (approval) -> approval, allocation held', () => {
    const d = decideShipment(
      order({ dest: AE, items: [item('3A090.a', 15_832, 2_000), item('3A090.b', 3_000, 10)] }),
    );
    expect(d).toMatchObject({
      allowed: false,
      licenseRequired: true,
      authorization: null,
      reviewPolicy: 'PRESUMPTION_OF_APPROVAL',
      holds: { countryTpp: 31_664_000, lppTpp: 0, lppYear: 2025 },
    });
    expect(d.quota.countryAllocation).toEqual({
      applies: true,
      capTpp: 790_000_000,
      usedTpp: 0,
      remainingTpp: 790_000_000,
      thisShipmentTpp: 31_664_000,
      remainingAfterTpp: 758_336_000,
    });
  });

  it('DE for an AE-headquartered user: 3A090.a case-by-case plus a 3A090.b item needing nothing -> case-by-case', () => {
    const d = decideShipment(
      order({ dest: DE, hq: AE, items: [item('3A090.b', 3_000, 10), item('3A090.a', 15_832, 1)] }),
    );
    expect(d).toMatchObject({
      allowed: false,
      licenseRequired: true,
      authorization: null,
      reviewPolicy: 'CASE_BY_CASE',
    });
    expect(codes(d)).toEqual(['TIER1_DESTINATION_NON_TIER1_HEADQUARTERS', 'BASELINE_NO_LICENSE_REQUIRED']);
  });

  it('MY for a RU-headquartered user: every part is denied, and the reasons name both rules', () => {
    // With a CN headquarters the 3A090.b part would now go under License Exception NAC (15 CFR 740.8, RULES.md
    // 6); Russia's part 746.8 controls leave no NAC/ACA, so the .b part still needs a licence (744.23(a)(3)).
    const d = decideShipment(
      order({
        dest: MY,
        hq: RU,
        items: [item('3A090.a', 15_832, 1), item('3A090.b', 3_000, 1), item('OUTSIDE_3A090', 1_000, 1)],
      }),
    );
    expect(d.reviewPolicy).toBe('PRESUMPTION_OF_DENIAL');
    expect(codes(d)).toEqual([
      'TIER3_HEADQUARTERS',
      'EXCEPTION_UNAVAILABLE_EMBARGO',
      'BASELINE_HEADQUARTERS_LICENSE_REQUIRED',
      'BASELINE_REVIEW_POLICY',
      'OUTSIDE_3A090_4A090',
    ]);
  });
});

describe('mixed orders whose parts disagree on authorization', () => {
  it('KR: AIA for the 3A090.a part and NLR for an outside item -> AIA, allowed', () => {
    const d = decideShipment(
      order({ dest: KR, items: [item('OUTSIDE_3A090', 1_000, 5), item('3A090.a', 15_832, 10)] }),
    );
    expect(d).toMatchObject({
      allowed: true,
      licenseRequired: false,
      authorization: 'AIA',
      reviewPolicy: null,
    });
    expect(d.quota).toEqual({ countryAllocation: null, lpp: null });
  });

  it('MY: LPP for the 3A090.a part and NLR for the 3A090.b part -> LPP, allowed, LPP held', () => {
    const d = decideShipment(
      order({ dest: MY, items: [item('3A090.b', 3_000, 10), item('3A090.a', 15_832, 100)] }),
    );
    expect(d).toMatchObject({
      allowed: true,
      licenseRequired: false,
      authorization: 'LPP',
      reviewPolicy: null,
      holds: { countryTpp: 0, lppTpp: 1_583_200, lppYear: 2025 },
    });
    expect(d.quota.lpp).toEqual({
      year: 2025,
      applies: true,
      capTpp: 26_900_000,
      usedTpp: 0,
      remainingTpp: 26_900_000,
      thisShipmentTpp: 1_583_200,
      remainingAfterTpp: 25_316_800,
    });
  });

  it('MY: VEU for the 3A090.a part and NLR for an outside item -> VEU, allowed, nothing held', () => {
    const d = decideShipment(
      order({ dest: MY, veu: 'NVEU', items: [item('OUTSIDE_4A090', 900, 2), item('4A090.a', 126_656, 3)] }),
    );
    expect(d).toMatchObject({
      allowed: true,
      authorization: 'VEU',
      holds: { countryTpp: 0, lppTpp: 0, lppYear: 2025 },
    });
  });

  it('AE: LPP for the 3A090.a part, ACA for a datacentre 4A090.b part -> LPP, allowed, LPP held', () => {
    // A datacentre 4A090.b item to the UAE (D:4, not D:5 or Macau) ships under License Exception ACA, with no
    // licence and no allocation or LPP (15 CFR 740.8, RULES.md 6); the order is named after its LPP part.
    const d = decideShipment(
      order({ dest: AE, items: [item('3A090.a', 15_832, 100), item('4A090.b', 24_000, 1)] }),
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

  it('MY: only items needing no licence -> NLR', () => {
    const d = decideShipment(
      order({ dest: MY, items: [item('3A090.b', 3_000, 1), item('OUTSIDE_3A090', 1_000, 1)] }),
    );
    expect(d).toMatchObject({ allowed: true, authorization: 'NLR', reviewPolicy: null });
  });
});

describe('LPP limit (26,900,000 TPP per consignee per year, 15 CFR 740.29) from both sides', () => {
  it.each([
    // used, shipment TPP, LPP applies?
    [26_000_000, 900_000, true],
    [26_000_000, 900_001, false],
    [26_900_000, 0.001, false],
    [0, 26_900_000, true],
    [0, 26_900_000.001, false],
  ])('used %d + %d -> LPP %s', (usedTpp, shipmentTpp, lpp) => {
    const d = decideShipment(
      order({
        dest: AE,
        items: [item('3A090.a', shipmentTpp, 1)],
        lpp: { year: 2025, capTpp: 26_900_000, usedTpp },
      }),
    );
    expect(d.authorization).toBe(lpp ? 'LPP' : null);
    expect(d.reviewPolicy).toBe(lpp ? null : 'PRESUMPTION_OF_APPROVAL');
    expect(d.holds.lppTpp).toBe(lpp ? shipmentTpp : 0);
    expect(d.holds.countryTpp).toBe(lpp ? 0 : shipmentTpp);
  });
});

describe('country allocation from both sides', () => {
  it.each([
    // used, shipment TPP, policy
    [789_000_000, 999_999, 'PRESUMPTION_OF_APPROVAL'],
    [789_000_000, 1_000_000, 'PRESUMPTION_OF_APPROVAL'],
    [789_000_000, 1_000_001, 'PRESUMPTION_OF_DENIAL'],
    // Nothing left: even 0.001 TPP does not fit.
    [790_000_000, 0.001, 'PRESUMPTION_OF_DENIAL'],
  ] as const)('used %d, shipment %d over the LPP limit -> %s', (usedTpp, shipmentTpp, policy) => {
    // The LPP budget is spent, so every 3A090.a TPP goes against the allocation.
    const d = decideShipment(
      order({
        dest: AE,
        items: [item('3A090.a', shipmentTpp, 1)],
        country: { capTpp: 790_000_000, usedTpp },
        lpp: { year: 2025, capTpp: 26_900_000, usedTpp: 26_900_000 },
      }),
    );
    expect(d.reviewPolicy).toBe(policy);
    expect(d.holds.countryTpp).toBe(policy === 'PRESUMPTION_OF_APPROVAL' ? shipmentTpp : 0);
  });

  it('warns outside the 2025-01-13 .. 2027-12-31 counting period, and not inside it', () => {
    const warnsOn = (shipDate: string) =>
      decideShipment(
        order({
          shipDate,
          dest: AE,
          items: [item('3A090.a', 15_832, 2_000)],
          lpp: { year: Number(shipDate.slice(0, 4)), capTpp: 26_900_000, usedTpp: 0 },
        }),
      ).warnings.some((w) => w.includes('outside the allocation period'));
    expect(warnsOn('2025-01-12')).toBe(true);
    expect(warnsOn('2025-01-13')).toBe(false);
    expect(warnsOn('2027-12-31')).toBe(false);
    expect(warnsOn('2028-01-01')).toBe(true);
  });
});

describe('China and Macau case-by-case (91 FR 1684): below 21,000 TPP per chip and 6,500 GB/s, from 2026-01-15', () => {
  const chip = (chipTpp: number, memoryBandwidthGBs: number | null) =>
    item('3A090.a', chipTpp, 10, { chipTpp, memoryBandwidthGBs });
  const policy = (dest: Party, items: ClassifiedItem[], shipDate = '2026-02-01', hq: Party = dest) =>
    decideShipment(order({ pack: 'baseline-2023', shipDate, dest, hq, items })).reviewPolicy;

  it.each([
    [20_999.999, 6_499.999, 'CASE_BY_CASE'],
    [21_000, 6_000, 'PRESUMPTION_OF_DENIAL'],
    [21_000.001, 6_000, 'PRESUMPTION_OF_DENIAL'],
    [20_000, 6_500, 'PRESUMPTION_OF_DENIAL'],
    [20_000, 6_500.001, 'PRESUMPTION_OF_DENIAL'],
    [20_000, 6_499.999, 'CASE_BY_CASE'],
    [20_000, null, 'PRESUMPTION_OF_DENIAL'],
  ] as const)('chip TPP %d, DRAM %s GB/s to CN -> %s', (chipTpp, bandwidth, expected) => {
    expect(policy(CN, [chip(chipTpp, bandwidth)])).toBe(expected);
  });

  it('reads the per-chip TPP of a system, not its total', () => {
    // An 8-GPU system of 15,832-TPP chips: 126,656 TPP per unit, but each chip is under 21,000.
    const system = item('4A090.a', 126_656, 2, { chipTpp: 15_832, memoryBandwidthGBs: 3_350 });
    expect(policy(CN, [system])).toBe('CASE_BY_CASE');
    // Without a per-chip figure the unit's TPP is all there is.
    expect(policy(CN, [{ ...system, chipTpp: null }])).toBe('PRESUMPTION_OF_DENIAL');
  });

  it('starts on 2026-01-15, not the day before', () => {
    expect(policy(CN, [chip(15_832, 4_800)], '2026-01-14')).toBe('PRESUMPTION_OF_DENIAL');
    expect(policy(CN, [chip(15_832, 4_800)], '2026-01-15')).toBe('CASE_BY_CASE');
  });

  it('covers Macau and Hong Kong (treated as China), but not when another D:5 country is involved', () => {
    expect(policy(MO, [chip(15_832, 4_800)])).toBe('CASE_BY_CASE');
    expect(policy(HK, [chip(15_832, 4_800)])).toBe('CASE_BY_CASE');
    expect(policy(CN, [chip(15_832, 4_800)], '2026-02-01', RU)).toBe('PRESUMPTION_OF_DENIAL');
    expect(policy(RU, [chip(15_832, 4_800)])).toBe('PRESUMPTION_OF_DENIAL');
  });

  it('denies the whole order when one chip is over, and names that chip', () => {
    const over = { ...chip(21_000, 4_800), description: 'the big one' };
    const d = decideShipment(
      order({ pack: 'baseline-2023', shipDate: '2026-02-01', dest: CN, items: [chip(15_832, 4_800), over] }),
    );
    expect(d.reviewPolicy).toBe('PRESUMPTION_OF_DENIAL');
    const last = d.reasons.at(-1);
    expect(last?.code).toBe('BASELINE_REVIEW_POLICY');
    expect(last?.message).toContain('the big one do not show');
    expect(last?.message).not.toContain('3A090.a x10 do not show');
  });

  it('never applies under the ai-diffusion-2025 pack', () => {
    // A datacentre 3A090.b item to China now goes under License Exception NAC (15 CFR 740.8, RULES.md 6), so
    // the chip that would get case-by-case under baseline-2023 (15,832 TPP, 4,800 GB/s) is used: under the
    // tiered pack China is Tier 3, presumption of denial (RULES.md 5.1).
    const d = decideShipment(order({ shipDate: '2026-02-01', dest: CN, items: [chip(15_832, 4_800)] }));
    expect(d.reviewPolicy).toBe('PRESUMPTION_OF_DENIAL');
    expect(policy(CN, [chip(15_832, 4_800)])).toBe('CASE_BY_CASE');
  });
});

describe('3A090 thresholds from both sides (88 FR 73458), datacenter parts', () => {
  it.each([
    // TPP, PD, ECCN, paragraph
    [4_800, 0, '3A090.a', '3A090.a.1'],
    [4_799.999, 5.92, '3A090.a', '3A090.a.2'],
    [1_600, 5.92, '3A090.a', '3A090.a.2'],
    [1_599.999, 5.92, 'OUTSIDE_3A090', null],
    [4_799.999, 5.919, '3A090.b', '3A090.b.1'],
    [2_400, 1.6, '3A090.b', '3A090.b.1'],
    [2_399.999, 3.199, 'OUTSIDE_3A090', null],
    [2_399.999, 3.2, '3A090.b', '3A090.b.2'],
    [2_400, 1.599, 'OUTSIDE_3A090', null],
    [1_600, 3.2, '3A090.b', '3A090.b.2'],
    [1_600, 3.199, 'OUTSIDE_3A090', null],
  ] as const)('TPP %d, PD %d -> %s %s', (tpp, pd, eccn, paragraph) => {
    const c = classifyChip({ tpp, performanceDensity: pd, datacenter: true });
    expect(c.eccn).toBe(eccn);
    expect(c.paragraph).toBe(paragraph);
  });

  it.each([
    [4_799.999, 10, 'OUTSIDE_3A090', null, true],
    [4_800, 10, '3A090.a', '3A090.a.1', false],
    [1_599.999, 10, 'OUTSIDE_3A090', null, false],
  ] as const)(
    'Note 2 (not for data centres): TPP %d, PD %d -> %s %s, Note 2 %s',
    (tpp, pd, eccn, paragraph, note2) => {
      const c = classifyChip({ tpp, performanceDensity: pd, datacenter: false });
      expect(c).toMatchObject({ eccn, paragraph, note2Applied: note2 });
      if (note2) {
        expect(c.basis).toBe(
          'Note 2 to 3A090: not designed or marketed for data centres and TPP 4,799.999 < 4,800',
        );
      }
    },
  );

  it('writes the basis with the figures and the comparison for each paragraph', () => {
    const basis = (tpp: number, pd: number | null) =>
      classifyChip({ tpp, performanceDensity: pd, datacenter: true }).basis;
    expect(basis(15_832, 19.45)).toBe('3A090.a.1: TPP 15,832 >= 4,800');
    expect(basis(2_000, 6)).toBe('3A090.a.2: TPP 2,000 >= 1,600 and performance density 6 >= 5.92');
    expect(basis(3_000, 2)).toBe(
      '3A090.b.1: 2,400 <= TPP 3,000 < 4,800 and 1.6 <= performance density 2 < 5.92',
    );
    expect(basis(2_000, 4)).toBe('3A090.b.2: TPP 2,000 >= 1,600 and 3.2 <= performance density 4 < 5.92');
    expect(basis(1_000, null)).toBe('Outside 3A090: TPP 1,000 < 1,600');
    expect(basis(3_000, 1)).toBe('Outside 3A090: TPP 3,000 < 4,800 and performance density 1 < 1.6');
    expect(basis(2_000, 3)).toBe('Outside 3A090: TPP 2,000 < 2,400 and performance density 3 < 3.2');
  });
});

describe('dates of the D:5 changes, from both sides', () => {
  it.each([
    // code, date, D:5 or Macau (EAR table), tier
    ['NI', '2024-03-14', false, 'TIER_2'],
    ['NI', '2024-03-15', true, 'TIER_3'],
    ['KH', '2026-02-02', true, 'TIER_3'],
    ['KH', '2026-02-03', false, 'TIER_2'],
    ['CY', '2024-05-29', true, 'TIER_3'],
    ['CY', '2024-05-30', false, 'TIER_2'],
    ['MO', '2023-11-17', true, 'TIER_3'],
    ['HK', '2025-06-01', true, 'TIER_3'],
    ['PR', '2025-06-01', false, 'TIER_1'],
  ] as const)('%s on %s: D:5/Macau %s, %s', (code, date, d5, tier) => {
    expect(isD5OrMacauOn(code, date)).toBe(d5);
    expect(tierOn(code, date)).toBe(tier);
  });

  it.each([
    ['NI', '2024-03-13', false],
    ['NI', '2024-03-14', true],
    ['KH', '2025-11-06', true],
    ['KH', '2025-11-07', false],
    ['CY', '2022-09-30', true],
    ['CY', '2022-10-01', false],
  ] as const)('on State’s dates: %s on %s is D:5 %s', (code, date, d5) => {
    expect(isD5OrMacauOn(code, date, { d5Basis: 'STATE_LIST' })).toBe(d5);
  });

  it('keeps Cambodia in the baseline destination set after it leaves D:5 (it is still D:1)', () => {
    expect(requiresBaselineLicence('KH', '2026-02-02')).toBe(true);
    expect(requiresBaselineLicence('KH', '2026-02-03')).toBe(true);
  });

  it('changes the decision for a 3A090.b item to Nicaragua on 2024-03-15', () => {
    const ni = (date: string, tier: Tier): Party => ({ code: 'NI', name: 'Nicaragua', tier });
    const before = decideShipment(
      order({
        pack: 'baseline-2023',
        shipDate: '2024-03-14',
        dest: ni('2024-03-14', 'TIER_2'),
        items: [item('3A090.b', 3_000, 1)],
      }),
    );
    const after = decideShipment(
      order({
        pack: 'baseline-2023',
        shipDate: '2024-03-15',
        dest: ni('2024-03-15', 'TIER_3'),
        items: [item('3A090.b', 3_000, 1)],
      }),
    );
    // Before: Nicaragua was in Country Group B, outside D:1/D:4/D:5, so no licence at all.
    expect(before).toMatchObject({ licenseRequired: false, authorization: 'NLR', reviewPolicy: null });
    // After: a D:5 destination, so a datacentre 3A090.b item goes under License Exception NAC (15 CFR 740.8;
    // before 2024-04-04 every such shipment was NAC): no licence, but allowed only once BIS is notified.
    expect(after).toMatchObject({
      outcome: 'NOTIFICATION_REQUIRED',
      allowed: false,
      licenseRequired: false,
      authorization: 'NAC',
      reviewPolicy: null,
    });
  });
});
