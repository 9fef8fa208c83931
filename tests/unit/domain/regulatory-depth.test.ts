import { describe, expect, it } from 'vitest';
import { CITATION_TABLE, isCitedIn } from '../../../src/domain/citations.ts';
import { decideShipment } from '../../../src/domain/decide.ts';
import { nacNotifyBy } from '../../../src/domain/license-exceptions.ts';
import { uncertainFigures } from '../../../src/domain/uncertain-data.ts';
import {
  HEADQUARTERS_RULE_CITATIONS,
  REASON_ALTERNATE_CITATIONS,
  REASON_CITATIONS,
  REASON_CODES,
  REASON_PACKS,
} from '../../../src/domain/reasons.ts';
import { rulePackInForceOn } from '../../../src/domain/rulesets.ts';
import { decidingTier, TIER_SEED_DATE, tierOn } from '../../../src/domain/tiers.ts';
import type {
  ClassifiedItem,
  DecisionInput,
  Eccn,
  RulesetId,
  Transaction,
  VerifiedEndUserKind,
} from '../../../src/domain/types.ts';

/**
 * RULES.md section 6, point by point. Expected values are written out by hand from the rule text; each
 * describe block names the paragraph it tests.
 */

const H100 = 15_832;

function item(
  eccn: Eccn,
  tppPerUnit: number,
  quantity: number,
  extra: Partial<ClassifiedItem> = {},
): ClassifiedItem {
  return {
    description: `${eccn} item`,
    quantity,
    eccn,
    tppPerUnit,
    tpp: tppPerUnit * quantity,
    note2Applied: false,
    ...extra,
  };
}

/** A consumer card: 3A090.a, not designed or marketed for data centres, TPP 5,285 (an RTX 4090-class card). */
const consumerCard = (quantity = 100) => item('3A090.a', 5_285, quantity, { datacenter: false });
/** A datacentre 3A090.b card. */
const datacentreB = (quantity = 100) => item('3A090.b', 3_000, quantity, { datacenter: true });
/** A datacentre 3A090.a chip (H100-class). */
const datacentreA = (quantity = 100) => item('3A090.a', H100, quantity, { datacenter: true });
/** An H200-class chip: TPP 15,832 per chip and 4,800 GB/s, inside the 91 FR 1684 limits. */
const h200Class = (quantity = 10) =>
  item('3A090.a', H100, quantity, { datacenter: true, chipTpp: H100, memoryBandwidthGBs: 4_800 });

interface Case {
  pack?: RulesetId;
  shipDate?: string;
  destination: string;
  headquarters?: string;
  veu?: VerifiedEndUserKind | null;
  transaction?: Transaction;
  exportFrom?: string;
  items: ClassifiedItem[];
  lppUsed?: number;
}

/** Country records as the seed writes them: the tier of the seed date; the engine moves it by date. */
function decide(c: Case) {
  const shipDate = c.shipDate ?? '2025-06-01';
  const hq = c.headquarters ?? c.destination;
  const recorded = (code: string) => tierOn(code, TIER_SEED_DATE);
  const input: DecisionInput = {
    pack: c.pack ?? 'ai-diffusion-2025',
    shipDate,
    transaction: c.transaction ?? 'EXPORT',
    exportFrom: c.exportFrom ? { code: c.exportFrom, name: c.exportFrom } : null,
    destination: {
      code: c.destination,
      name: c.destination,
      tier: recorded(c.destination),
      allocationTpp: 790_000_000,
      govToGovArrangement: false,
    },
    headquarters: { code: hq, name: hq, tier: recorded(hq) },
    endUser: { name: 'Example End User', verifiedEndUser: c.veu ?? null },
    consignee: 'Example Consignee',
    items: c.items,
    quota: {
      country: { capTpp: 790_000_000, usedTpp: 0 },
      lpp: { year: Number(shipDate.slice(0, 4)), capTpp: 26_900_000, usedTpp: c.lppUsed ?? 0 },
    },
  };
  return decideShipment(input);
}

const codes = (d: ReturnType<typeof decideShipment>) => d.reasons.map((r) => r.code);

describe('License Exceptions NAC and ACA (15 CFR 740.8 as split by 89 FR 23876; RULES.md 6)', () => {
  it.each([
    // pack, ship date, destination, HQ, items, outcome, authorization, reason codes
    ['baseline-2023', '2025-06-01', 'AE', 'AE', datacentreB(), 'ALLOWED', 'ACA', ['ACA_AUTHORIZED']],
    ['baseline-2023', '2025-06-01', 'AE', 'AE', consumerCard(), 'ALLOWED', 'ACA', ['ACA_AUTHORIZED']],
    ['baseline-2023', '2025-06-01', 'SA', 'SA', consumerCard(), 'ALLOWED', 'ACA', ['ACA_AUTHORIZED']],
    [
      'baseline-2023',
      '2025-06-01',
      'CN',
      'CN',
      consumerCard(),
      'NOTIFICATION_REQUIRED',
      'NAC',
      ['NAC_NOTIFICATION_REQUIRED'],
    ],
    [
      'baseline-2023',
      '2025-06-01',
      'MO',
      'MO',
      datacentreB(),
      'NOTIFICATION_REQUIRED',
      'NAC',
      ['NAC_NOTIFICATION_REQUIRED'],
    ],
    [
      'baseline-2023',
      '2025-06-01',
      'MY',
      'CN',
      datacentreB(),
      'NOTIFICATION_REQUIRED',
      'NAC',
      ['NAC_NOTIFICATION_REQUIRED'],
    ],
    [
      'baseline-2023',
      '2025-06-01',
      'FR',
      'FR',
      consumerCard(),
      'ALLOWED',
      'NLR',
      ['BASELINE_NO_LICENSE_REQUIRED'],
    ],
    // Before 89 FR 23876 (2024-04-04) there was no ACA: the D:4 case needed a notification too.
    [
      'baseline-2023',
      '2024-01-10',
      'AE',
      'AE',
      datacentreB(),
      'NOTIFICATION_REQUIRED',
      'NAC',
      ['NAC_NOTIFICATION_REQUIRED'],
    ],
    // Datacentre 3A090.a items are outside the exception paragraph.
    [
      'baseline-2023',
      '2025-06-01',
      'AE',
      'AE',
      datacentreA(),
      'LICENSE_REQUIRED',
      null,
      ['BASELINE_DESTINATION_LICENSE_REQUIRED', 'BASELINE_REVIEW_POLICY'],
    ],
    // Part 746 embargoes leave no exception.
    [
      'baseline-2023',
      '2025-06-01',
      'IR',
      'IR',
      datacentreB(),
      'LICENSE_REQUIRED',
      null,
      [
        'EXCEPTION_UNAVAILABLE_EMBARGO',
        'BASELINE_DESTINATION_LICENSE_REQUIRED',
        'BASELINE_HEADQUARTERS_LICENSE_REQUIRED',
        'BASELINE_REVIEW_POLICY',
      ],
    ],
    // Under 90 FR 4544 ACA was widened for consumer 3A090.a to every destination outside D:5 and Macau.
    ['ai-diffusion-2025', '2025-06-01', 'AE', 'AE', consumerCard(), 'ALLOWED', 'ACA', ['ACA_AUTHORIZED']],
    ['ai-diffusion-2025', '2025-06-01', 'IN', 'IN', consumerCard(), 'ALLOWED', 'ACA', ['ACA_AUTHORIZED']],
    ['ai-diffusion-2025', '2025-06-01', 'DE', 'AE', consumerCard(), 'ALLOWED', 'ACA', ['ACA_AUTHORIZED']],
    ['ai-diffusion-2025', '2025-06-01', 'KR', 'KR', consumerCard(), 'ALLOWED', 'AIA', ['TIER1_AIA']],
    [
      'ai-diffusion-2025',
      '2025-06-01',
      'CN',
      'CN',
      consumerCard(),
      'NOTIFICATION_REQUIRED',
      'NAC',
      ['NAC_NOTIFICATION_REQUIRED'],
    ],
    ['ai-diffusion-2025', '2025-06-01', 'AE', 'AE', datacentreB(), 'ALLOWED', 'ACA', ['ACA_AUTHORIZED']],
  ] as const)(
    '%s on %s, %s (HQ %s): %s -> %s via %s',
    (pack, shipDate, destination, headquarters, items, outcome, authorization, reasonCodes) => {
      const d = decide({ pack, shipDate, destination, headquarters, items: [items] });
      expect(d.outcome).toBe(outcome);
      expect(d.authorization).toBe(authorization);
      expect(d.allowed).toBe(outcome === 'ALLOWED');
      expect(d.licenseRequired).toBe(outcome === 'LICENSE_REQUIRED');
      expect(codes(d)).toEqual(reasonCodes);
      if (authorization === 'NAC' || authorization === 'ACA') {
        expect(d.reasons[0]?.citation).toBe('15 CFR 740.8');
        // Neither exception uses the allocation or LPP.
        expect(d.holds).toEqual({ countryTpp: 0, lppTpp: 0, lppYear: d.quota.lpp?.year ?? null });
        expect(d.quota.countryAllocation?.applies ?? false).toBe(false);
        expect(d.quota.lpp?.applies ?? false).toBe(false);
      }
    },
  );

  it('a NAC answer says what to notify, to whom and by when (25 days before the ship date)', () => {
    const d = decide({
      pack: 'baseline-2023',
      shipDate: '2026-03-01',
      destination: 'CN',
      items: [consumerCard()],
    });
    expect(d.notification).toEqual({
      exception: 'NAC',
      submitTo: 'BIS, through SNAP-R, as a License Exception NAC notification',
      waitingDays: 25,
      notifyBy: '2026-02-04',
      contents: expect.arrayContaining([expect.stringContaining('ECCN')]),
      citation: '15 CFR 740.8',
    });
    expect(d.reasons[0]?.message).toContain('Notify by 2026-02-04');
  });

  it.each([
    ['2026-03-01', '2026-02-04'],
    ['2025-01-25', '2024-12-31'],
    ['2024-03-25', '2024-02-29'],
  ])('notify-by date for a %s ship date is %s', (shipDate, notifyBy) => {
    expect(nacNotifyBy(shipDate)).toBe(notifyBy);
  });

  it('a consumer card beside datacentre H100s in a Tier 2 country: the H100s alone count toward LPP', () => {
    const d = decide({ destination: 'AE', items: [datacentreA(100), consumerCard(1_000)] });
    expect(d.outcome).toBe('ALLOWED');
    expect(d.authorization).toBe('LPP');
    expect(codes(d)).toEqual(['ACA_AUTHORIZED', 'LPP_WITHIN_LIMIT']);
    expect(d.holds.lppTpp).toBe(1_583_200);
  });
});

describe('VEU eligibility (90 FR 4544; RULES.md 6)', () => {
  it.each([
    // claim, destination, HQ, expected authorization, expected codes
    ['UVEU', 'AE', 'US', 'VEU', ['VEU_AUTHORIZED']],
    ['UVEU', 'AE', 'GB', 'VEU', ['VEU_AUTHORIZED']],
    ['UVEU', 'AE', 'AE', null, ['VEU_NOT_ELIGIBLE', 'LPP_LIMIT_EXCEEDED', 'TIER2_LICENSE_WITHIN_ALLOCATION']],
    ['UVEU', 'AE', 'IN', null, ['VEU_NOT_ELIGIBLE', 'LPP_LIMIT_EXCEEDED', 'TIER2_LICENSE_WITHIN_ALLOCATION']],
    ['NVEU', 'AE', 'AE', 'VEU', ['VEU_AUTHORIZED']],
    ['NVEU', 'AE', 'CN', null, ['VEU_NOT_ELIGIBLE', 'TIER3_HEADQUARTERS']],
    ['UVEU', 'CN', 'US', null, ['VEU_NOT_ELIGIBLE', 'TIER3_DESTINATION']],
  ] as const)(
    '%s claimed for %s, HQ %s: %s',
    (veu, destination, headquarters, authorization, reasonCodes) => {
      // 20,000 H100 is over the LPP limit: a refused VEU falls back to a licence against the allocation.
      const d = decide({ destination, headquarters, veu, items: [datacentreA(20_000)] });
      expect(d.authorization).toBe(authorization);
      expect(codes(d)).toEqual(reasonCodes);
    },
  );

  it('a refused UVEU within the LPP limit falls back to LPP and says why', () => {
    const d = decide({ destination: 'AE', headquarters: 'AE', veu: 'UVEU', items: [datacentreA(100)] });
    expect(d.authorization).toBe('LPP');
    expect(codes(d)).toEqual(['VEU_NOT_ELIGIBLE', 'LPP_WITHIN_LIMIT']);
    expect(d.reasons[0]?.message).toContain('must be headquartered in Tier 1');
    expect(d.holds.lppTpp).toBe(1_583_200);
  });
});

describe('Scope of 91 FR 1684: exports from the United States to China or Macau only (RULES.md 6)', () => {
  it.each([
    ['EXPORT', 'CN', 'CN', undefined, 'CASE_BY_CASE', 'CHINA_CASE_BY_CASE_REVIEW'],
    ['EXPORT', 'MO', 'MO', undefined, 'CASE_BY_CASE', 'CHINA_CASE_BY_CASE_REVIEW'],
    ['EXPORT', 'CN', 'US', undefined, 'CASE_BY_CASE', 'CHINA_CASE_BY_CASE_REVIEW'],
    ['REEXPORT', 'CN', 'CN', 'SG', 'PRESUMPTION_OF_DENIAL', 'CHINA_CASE_BY_CASE_OUT_OF_SCOPE'],
    ['TRANSFER', 'CN', 'CN', undefined, 'PRESUMPTION_OF_DENIAL', 'CHINA_CASE_BY_CASE_OUT_OF_SCOPE'],
    ['EXPORT', 'MY', 'CN', undefined, 'PRESUMPTION_OF_DENIAL', 'CHINA_CASE_BY_CASE_OUT_OF_SCOPE'],
  ] as const)(
    '%s to %s (HQ %s, from %s): %s',
    (transaction, destination, headquarters, exportFrom, policy, lastCode) => {
      const d = decide({
        pack: 'baseline-2023',
        shipDate: '2026-03-01',
        destination,
        headquarters,
        transaction,
        ...(exportFrom ? { exportFrom } : {}),
        items: [h200Class()],
      });
      expect(d.outcome).toBe('LICENSE_REQUIRED');
      expect(d.reviewPolicy).toBe(policy);
      expect(codes(d).at(-1)).toBe(lastCode);
      expect(d.reasons.at(-1)?.citation).toBe('91 FR 1684');
      expect(d.transaction).toBe(transaction);
      expect(d.exportFrom).toBe(exportFrom ?? null);
    },
  );
});

describe('Headquarters-rule citations by date and item class (RULES.md 6)', () => {
  it.each([
    // ship date, HQ, item, expected citation
    ['2024-06-01', 'CN', datacentreA(1), '15 CFR 744.23(a)(3)'],
    ['2025-01-12', 'CN', datacentreA(1), '15 CFR 744.23(a)(3)'],
    ['2025-01-13', 'CN', datacentreA(1), '15 CFR 742.6(a)(6)(iii)(A)'],
    ['2026-03-01', 'CN', datacentreA(1), '15 CFR 742.6(a)(6)(iii)(A)'],
    // .b items keep 744.23(a)(3); a Russian HQ leaves them no exception, so the licence reason shows.
    ['2026-03-01', 'RU', datacentreB(1), '15 CFR 744.23(a)(3)'],
  ] as const)('%s, HQ %s: %s -> %s', (shipDate, headquarters, items, citation) => {
    const d = decide({ pack: 'baseline-2023', shipDate, destination: 'MY', headquarters, items: [items] });
    const hq = d.reasons.filter((r) => r.code === 'BASELINE_HEADQUARTERS_LICENSE_REQUIRED');
    expect(hq.map((r) => r.citation)).toEqual([citation]);
  });

  it('an order with both classes gets one headquarters reason per paragraph', () => {
    const d = decide({
      pack: 'baseline-2023',
      shipDate: '2026-03-01',
      destination: 'MY',
      headquarters: 'RU',
      items: [datacentreA(1), datacentreB(1)],
    });
    const hq = d.reasons.filter((r) => r.code === 'BASELINE_HEADQUARTERS_LICENSE_REQUIRED');
    expect(hq.map((r) => r.citation)).toEqual(['15 CFR 742.6(a)(6)(iii)(A)', '15 CFR 744.23(a)(3)']);
  });
});

describe('Tiers follow D:5 by date (90 FR 4544; 91 FR 5091; RULES.md 6)', () => {
  it.each([
    // Cambodia left D:5 on 2026-02-03: Tier 3 the day before, Tier 2 that day, for .a and .b alike.
    [
      '2026-02-02',
      datacentreA(100),
      'TIER_3',
      'LICENSE_REQUIRED',
      ['TIER3_DESTINATION', 'TIER3_HEADQUARTERS'],
    ],
    ['2026-02-03', datacentreA(100), 'TIER_2', 'ALLOWED', ['LPP_WITHIN_LIMIT']],
    ['2026-02-02', datacentreB(100), 'TIER_3', 'NOTIFICATION_REQUIRED', ['NAC_NOTIFICATION_REQUIRED']],
    ['2026-02-03', datacentreB(100), 'TIER_2', 'ALLOWED', ['ACA_AUTHORIZED']],
  ] as const)('Cambodia on %s: %s -> %s, %s', (shipDate, items, tier, outcome, reasonCodes) => {
    const d = decide({ destination: 'KH', shipDate, items: [items] });
    expect(d.destination.tier).toBe(tier);
    expect(d.outcome).toBe(outcome);
    expect(codes(d)).toEqual(reasonCodes);
  });

  it('gives Cambodia an allocation and an LPP budget once it is Tier 2', () => {
    const d = decide({ destination: 'KH', shipDate: '2026-02-03', items: [datacentreA(100)] });
    expect(d.quota.lpp).toMatchObject({ applies: true, thisShipmentTpp: 1_583_200 });
    expect(d.quota.countryAllocation).toMatchObject({ applies: false, capTpp: 790_000_000 });
  });

  it.each([
    // code, recorded tier, date, deciding tier
    ['KH', 'TIER_3', '2026-02-02', 'TIER_3'],
    ['KH', 'TIER_3', '2026-02-03', 'TIER_2'],
    ['NI', 'TIER_3', '2024-03-14', 'TIER_2'],
    ['NI', 'TIER_3', '2024-03-15', 'TIER_3'],
    ['CY', 'TIER_2', '2024-05-29', 'TIER_3'],
    ['CY', 'TIER_2', '2024-05-30', 'TIER_2'],
    // An officer's tier (different from the seed's) stands on every date.
    ['KH', 'TIER_2', '2025-06-01', 'TIER_2'],
    ['AE', 'TIER_3', '2025-06-01', 'TIER_3'],
  ] as const)('decidingTier(%s recorded %s) on %s is %s', (code, recorded, date, expected) => {
    expect(decidingTier(code, recorded, date)).toBe(expected);
  });
});

describe('destination.tier and countryGroups (RULES.md 6)', () => {
  it.each([
    ['baseline-2023', 'AE', undefined, ['D:4']],
    ['baseline-2023', 'CN', undefined, ['D:1', 'D:4', 'D:5']],
    ['baseline-2023', 'IL', undefined, ['A:6', 'D:4']],
    ['ai-diffusion-2025', 'AE', 'TIER_2', ['D:4']],
    ['ai-diffusion-2025', 'KR', 'TIER_1', ['A:5']],
  ] as const)('%s, %s: tier %s, groups %j', (pack, destination, tier, groups) => {
    const d = decide({ pack, destination, items: [datacentreA(1)] });
    expect(d.destination.tier).toBe(tier);
    expect('tier' in d.destination).toBe(tier !== undefined);
    expect(d.destination.countryGroups).toEqual(groups);
  });
});

describe('"ruleset": "in-force" (API.md, "Batch checks and records")', () => {
  it.each([
    ['2023-11-16', null],
    ['2023-11-17', 'baseline-2023'],
    ['2025-05-14', 'baseline-2023'],
    ['2025-05-15', 'baseline-2023'],
    ['2026-12-01', 'baseline-2023'],
  ])('on %s selects %s', (date, pack) => {
    expect(rulePackInForceOn(date)).toBe(pack);
  });
});

describe('legal status first (issue 12, item 6)', () => {
  it('opens every decision with outcome, ruleset and warnings', () => {
    const d = decide({ destination: 'AE', items: [datacentreA(1)] });
    expect(Object.keys(d).slice(0, 3)).toEqual(['outcome', 'ruleset', 'warnings']);
  });
});

describe('data check: every citation names a paragraph of its pack (issue 12, item 7)', () => {
  it.each(REASON_CODES)('%s', (code) => {
    const citations = [REASON_CITATIONS[code], ...(REASON_ALTERNATE_CITATIONS[code] ?? [])];
    expect(REASON_PACKS[code].length).toBeGreaterThan(0);
    for (const pack of REASON_PACKS[code])
      for (const c of citations) expect(isCitedIn(pack, c), `${c} in ${pack}`).toBe(true);
  });

  it('covers the headquarters-rule paragraphs in both packs', () => {
    for (const pack of ['ai-diffusion-2025', 'baseline-2023'] as const) {
      expect(isCitedIn(pack, HEADQUARTERS_RULE_CITATIONS.before)).toBe(true);
      expect(isCitedIn(pack, HEADQUARTERS_RULE_CITATIONS.advancedAfterMove)).toBe(true);
    }
  });

  it('has no duplicate paragraph in a pack table', () => {
    for (const table of Object.values(CITATION_TABLE)) {
      const seen = table.map((p) => p.citation);
      expect(new Set(seen).size).toBe(seen.length);
    }
  });
});

describe('data check: the figures marked uncertain (issue 12, item 7; RULES.md 7)', () => {
  const figures = uncertainFigures();
  it('lists the figures RULES.md 7 names', () => {
    const what = figures.map((f) => f.what).join('\n');
    expect(what).toContain('Tier 2 country allocation');
    expect(what).toContain('NVEU');
    expect(what).toContain('Belarus (BY) in Country Group D:4');
    expect(what).toContain('Macau (MO) in Country Group D:4');
    expect(figures.find((f) => f.what.includes('Tier 2 country allocation'))?.value).toBe('790000000');
  });

  it('lists a product whose figures are from memory, and leaves out one confirmed by its vendor', () => {
    const products = figures.filter((f) => f.area === 'product').map((f) => f.what);
    expect(products.some((w) => w.startsWith('amd-mi250x '))).toBe(true);
    expect(products.some((w) => w.startsWith('nvidia-dgx-h100 '))).toBe(false);
  });
});
