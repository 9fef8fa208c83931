import { describe, expect, it } from 'vitest';
import { classifyProduct, findSeedProduct, type ProductSpec } from '../../../src/domain/catalogue.ts';
import {
  classifyChip,
  classifySystem,
  computeTpp,
  isOutsideEccn,
  performanceDensity,
} from '../../../src/domain/classify.ts';
import { isD5OrMacauOn, normaliseCountryCode } from '../../../src/domain/country-groups.ts';
import { assertIsoDate, isIsoDate } from '../../../src/domain/dates.ts';
import { decideShipment } from '../../../src/domain/decide.ts';
import { ClassificationError, DomainError } from '../../../src/domain/errors.ts';
import { getRulePack, legalStatusOn, RULE_PACKS, type RulePack } from '../../../src/domain/rulesets.ts';
import { holdsQuota, initialShipmentStatus } from '../../../src/domain/shipment-status.ts';
import type { ClassifiedItem, DecisionInput, Eccn, Tier } from '../../../src/domain/types.ts';

/**
 * What a compliance officer reads: the reasons, warnings and explanations, written out word for word, plus the
 * edges of the domain's small functions. The texts were read against RULES.md before being pinned here.
 */

const party = (code: string, name: string, tier: Tier) => ({ code, name, tier });
const MY = party('MY', 'Malaysia', 'TIER_2');
const CN = party('CN', 'China', 'TIER_3');
const RU = party('RU', 'Russia', 'TIER_3');
const KR = party('KR', 'Korea', 'TIER_1');

function item(
  eccn: Eccn,
  tpp: number,
  quantity: number,
  extra: Partial<ClassifiedItem> = {},
): ClassifiedItem {
  return {
    productId: `p-${eccn}`,
    quantity,
    eccn,
    tppPerUnit: tpp,
    tpp: tpp * quantity,
    note2Applied: false,
    ...extra,
  };
}

function input(
  o: Partial<DecisionInput> & { dest?: ReturnType<typeof party>; hq?: ReturnType<typeof party> },
) {
  const dest = o.dest ?? MY;
  const tier2 = dest.tier === 'TIER_2';
  const { dest: _d, hq: _h, ...rest } = o;
  return {
    pack: 'ai-diffusion-2025',
    shipDate: '2025-06-01',
    destination: { ...dest, allocationTpp: tier2 ? 790_000_000 : null, govToGovArrangement: false },
    headquarters: o.hq ?? dest,
    endUser: { name: 'Acme', verifiedEndUser: null },
    consignee: 'Acme',
    items: [],
    quota: tier2
      ? {
          country: { capTpp: 790_000_000, usedTpp: 0 },
          lpp: { year: 2025, capTpp: 26_900_000, usedTpp: 0 },
        }
      : { country: null, lpp: null },
    ...rest,
  } satisfies DecisionInput;
}

const RESCINDED_2025_06_01 =
  'On ship date 2025-06-01 the Framework for Artificial Intelligence Diffusion (90 FR 4544, pack ai-diffusion-2025) stopped being enforced on 2025-05-13, when BIS announced its rescission (no formal rescission published in the Federal Register). Its compliance date 2025-05-15 was never reached, so it was never enforced. The regime enforced after that is pack baseline-2023. Treat this answer as planning only, not the law of the day.';
// Added by the screening work: a decision made without an imported screening list says so (15 CFR 744.11 and
// the Consolidated Screening List still apply).
const NOT_SCREENED =
  'The parties were not screened against the restricted-party lists (no screening list has been imported): the Entity List and the other lists of the Consolidated Screening List may still apply.';
const messages = (d: ReturnType<typeof decideShipment>) => d.reasons.map((r) => r.message);

describe('reason messages, word for word', () => {
  it('LPP within the limit', () => {
    const d = decideShipment(input({ items: [item('3A090.a', 15_832, 10)] }));
    expect(messages(d)).toEqual([
      '3A090.a/4A090.a items (p-3A090.a, 158,320 TPP): consignee Acme has used 0 TPP of its 2025 LPP limit of 26,900,000 TPP; this shipment brings it to 158,320 TPP, within the limit. License Exception LPP; the country allocation is not used.',
    ]);
    expect(d.warnings).toEqual([RESCINDED_2025_06_01, NOT_SCREENED]);
  });

  it('over LPP, then within or short of the allocation', () => {
    const spentLpp = { year: 2025, capTpp: 26_900_000, usedTpp: 26_900_000 };
    const within = decideShipment(
      input({
        items: [item('3A090.a', 15_832, 10)],
        quota: { country: { capTpp: 790_000_000, usedTpp: 0 }, lpp: spentLpp },
      }),
    );
    const over =
      '3A090.a/4A090.a items (p-3A090.a, 158,320 TPP): consignee Acme has used 26,900,000 TPP of its 2025 LPP limit of 26,900,000 TPP; this shipment would bring it to 27,058,320 TPP, over the limit, so License Exception LPP is not available.';
    expect(messages(within)).toEqual([
      over,
      "Licence required; Malaysia has 790,000,000 TPP of its 790,000,000 TPP allocation left, enough for this shipment's 158,320 TPP: presumption of approval, and the licence would consume that much allocation.",
    ]);
    const short = decideShipment(
      input({
        items: [item('3A090.a', 15_832, 10)],
        quota: { country: { capTpp: 1_000, usedTpp: 0 }, lpp: spentLpp },
      }),
    );
    expect(messages(short)).toEqual([
      over,
      "Licence required; Malaysia has only 1,000 TPP of its 1,000 TPP allocation left, 157,320 TPP short of this shipment's 158,320 TPP: presumption of denial.",
    ]);
  });

  // A Universal VEU must be headquartered in Tier 1 (90 FR 4544, RULES.md 6), so the UVEU holder is a
  // Korean-headquartered end user; a National VEU may be headquartered in Tier 2 (Malaysia).
  it.each([
    ['UVEU', 'Universal', KR],
    ['NVEU', 'National', MY],
  ] as const)('%s: names the kind of VEU and warns about its own limits', (veu, kind, hq) => {
    const d = decideShipment(
      input({ hq, endUser: { name: 'Acme', verifiedEndUser: veu }, items: [item('3A090.a', 15_832, 1)] }),
    );
    expect(messages(d)).toEqual([
      `3A090.a/4A090.a items (p-3A090.a, 15,832 TPP): Acme holds a ${kind} VEU authorization; no country allocation is used.`,
    ]);
    expect(d.warnings).toEqual([
      RESCINDED_2025_06_01,
      `Shipping under ${veu} is allowed only within that authorization's own conditions and cumulative limits, which this check does not hold; confirm the shipment fits them (15 CFR 748.15).`,
      NOT_SCREENED,
    ]);
  });

  it('Tier 3, Tier 1 (AIA) and Tier 1 with a Tier 2 headquarters', () => {
    expect(messages(decideShipment(input({ dest: CN, items: [item('3A090.a', 15_832, 1)] })))).toEqual([
      '3A090.a/4A090.a items (p-3A090.a, 15,832 TPP) to China, a Tier 3 destination (D:5 or Macau): licence required, presumption of denial.',
      '3A090.a/4A090.a items (p-3A090.a, 15,832 TPP): the end user is headquartered in China, Tier 3: licence required wherever located, presumption of denial.',
    ]);
    expect(messages(decideShipment(input({ dest: KR, items: [item('3A090.a', 15_832, 1)] })))).toEqual([
      '3A090.a/4A090.a items (p-3A090.a, 15,832 TPP) to Korea for an end user headquartered in Korea, both Tier 1: License Exception AIA; no quota is used.',
    ]);
    expect(
      messages(decideShipment(input({ dest: KR, hq: MY, items: [item('3A090.a', 15_832, 1)] }))),
    ).toEqual([
      '3A090.a/4A090.a items (p-3A090.a, 15,832 TPP) to Korea (Tier 1), but the end user is headquartered in Malaysia (Tier 2): License Exception AIA needs a Tier 1 headquarters, so a licence is required (case-by-case).',
    ]);
  });

  it('the baseline rule: destination and headquarters caught, two D:5 countries named', () => {
    const d = decideShipment(
      input({
        pack: 'baseline-2023',
        dest: CN,
        hq: RU,
        items: [item('3A090.b', 3_000, 1), item('4A090.b', 3_000, 2)],
      }),
    );
    // Russia's headquarters brings part 746.8, which leaves no License Exception NAC/ACA (15 CFR 746.8, 740.8).
    expect(messages(d)).toEqual([
      'p-3A090.b, p-4A090.b: License Exceptions NAC and ACA are not available where RU is the destination or the headquarters: 15 CFR 746.8 (Russia) governs.',
      '3A090.b/4A090.b items (p-3A090.b, p-4A090.b) to China: a licence is required for destinations in Country Group D:1, D:4 or D:5 not also in A:5 or A:6, and for Macau.',
      '3A090.b/4A090.b items (p-3A090.b, p-4A090.b): the end user is headquartered in Russia (D:5 or Macau), which requires a licence wherever the items go (BIS guidance of 2026-05-31 confirms this).',
      'Presumption of denial: CN and RU are in Country Group D:5 or Macau on 2025-06-01.',
    ]);
    expect(d.warnings).toEqual([NOT_SCREENED]);
  });

  it('the baseline rule: one D:5 country named', () => {
    const d = decideShipment(input({ dest: MY, hq: RU, items: [item('3A090.b', 3_000, 1)] }));
    expect(messages(d).at(-1)).toBe(
      'Presumption of denial: RU is in Country Group D:5 or Macau on 2025-06-01.',
    );
  });

  it('the baseline rule: approval, no licence, and an item with neither id nor description', () => {
    const ae = party('AE', 'United Arab Emirates', 'TIER_2');
    // A datacentre 3A090.b item to the UAE (D:4, not D:5 or Macau) ships under License Exception ACA (15 CFR
    // 740.8, RULES.md 6); a datacentre 3A090.a item is not in the exception paragraph, so under baseline-2023
    // it still needs the licence with a presumption of approval (742.6(a)(6)(iii)).
    expect(messages(decideShipment(input({ dest: ae, items: [item('3A090.b', 3_000, 1)] })))).toEqual([
      "3A090.b items (p-3A090.b, designed or marketed for data centres) to United Arab Emirates: License Exception ACA (Advanced Computing Authorized) covers them, with no licence and no notification; neither the destination nor the end user's headquarters is in D:5 or Macau. No allocation and no LPP are used.",
    ]);
    expect(
      messages(
        decideShipment(input({ pack: 'baseline-2023', dest: ae, items: [item('3A090.a', 15_832, 1)] })),
      ),
    ).toEqual([
      '3A090.a items (p-3A090.a) to United Arab Emirates: a licence is required for destinations in Country Group D:1, D:4 or D:5 not also in A:5 or A:6, and for Macau.',
      'Presumption of approval: neither the destination nor the end user’s headquarters is in D:5 or Macau.',
    ]);
    const unnamed = { ...item('3A090.b', 3_000, 1), productId: undefined };
    delete unnamed.productId;
    const d = decideShipment(input({ items: [unnamed] }));
    expect(messages(d)).toEqual([
      '3A090.b items (unnamed item): Malaysia is not in Country Group D:1, D:4 or D:5 (or is also in A:5/A:6) and the end user is not headquartered in D:5 or Macau, so no licence is required.',
    ]);
    // A missing id stays missing in the answer, rather than appearing as an undefined key.
    expect(Object.keys(d.items[0] ?? {})).toEqual(['quantity', 'eccn', 'tppPerUnit', 'tpp']);
    const described = decideShipment(input({ items: [{ ...unnamed, description: 'board' }] }));
    expect(Object.keys(described.items[0] ?? {})).toEqual([
      'description',
      'quantity',
      'eccn',
      'tppPerUnit',
      'tpp',
    ]);
  });

  it('names at most ten items in a reason, then says how many more', () => {
    const lines = (n: number) =>
      Array.from({ length: n }, (_, i) => item('OUTSIDE_3A090', 100, 1, { productId: `p${i + 1}` }));
    const reason = (n: number) => messages(decideShipment(input({ items: lines(n) })))[0];
    const ten = 'p1, p2, p3, p4, p5, p6, p7, p8, p9, p10';
    expect(reason(10)).toBe(
      `${ten}: outside ECCNs 3A090 and 4A090; no licence is required under this rule pack. This is not a clearance.`,
    );
    expect(reason(11)).toMatch(new RegExp(`^${ten} and 1 more item: outside`));
    expect(reason(12)).toMatch(new RegExp(`^${ten} and 2 more items: outside`));
  });

  it('China case-by-case', () => {
    const d = decideShipment(
      input({
        pack: 'baseline-2023',
        shipDate: '2026-02-01',
        dest: CN,
        items: [item('3A090.a', 15_832, 1, { chipTpp: 15_832, memoryBandwidthGBs: 4_800 })],
      }),
    );
    expect(messages(d).at(-1)).toBe(
      "Case-by-case review for China and Macau: every chip has TPP below 21,000 and DRAM bandwidth below 6,500 GB/s (subject to the rule's other conditions and certifications).",
    );
  });
});

describe('items outside 3A090/4A090: the reason and the H20 letter warning', () => {
  const OUTSIDE_REASON = (labels: string, note2 = '') =>
    `${labels}: outside ECCNs 3A090 and 4A090${note2}; no licence is required under this rule pack. This is not a clearance.`;
  const warning = (labels: string, letter: string) =>
    `Items outside 3A090/4A090 (${labels}) are not cleared: other EAR controls may still apply, such as the end-use and end-user controls of 15 CFR part 744.${letter}`;
  const SINCE =
    " This order goes to, or for an end user headquartered in, China, Macau or D:5: since 2025-04-09 BIS has required a licence for NVIDIA H20-class chips there by 'is-informed' letter.";
  const GENERAL =
    " For China, Hong Kong, Macau and D:5, the BIS 'is-informed' letter of 2025-04-09 required a licence for NVIDIA H20-class chips.";

  it('to China on the letter date, with Note 2 named for the item it applied to', () => {
    const d = decideShipment(
      input({
        shipDate: '2025-04-09',
        dest: CN,
        items: [
          item('OUTSIDE_3A090', 1_000, 1, { note2Applied: true, productId: 'gaming' }),
          item('OUTSIDE_3A090', 900, 1),
        ],
      }),
    );
    expect(messages(d)).toEqual([OUTSIDE_REASON('gaming, p-OUTSIDE_3A090', ' (Note 2 to 3A090 for gaming)')]);
    // The screening notice now comes last; the H20 letter warning is the one before it.
    expect(d.warnings.slice(-2)).toEqual([warning('gaming, p-OUTSIDE_3A090', SINCE), NOT_SCREENED]);
  });

  it('to China the day before the letter', () => {
    const d = decideShipment(
      input({ shipDate: '2025-04-08', dest: CN, items: [item('OUTSIDE_3A090', 1_000, 1)] }),
    );
    expect(d.warnings.slice(-2)).toEqual([warning('p-OUTSIDE_3A090', GENERAL), NOT_SCREENED]);
  });

  it('to Malaysia for a Russian-headquartered user, and to Malaysia for a local one', () => {
    const ru = decideShipment(input({ hq: RU, items: [item('OUTSIDE_3A090', 1_000, 1)] }));
    expect(ru.warnings.slice(-2)).toEqual([warning('p-OUTSIDE_3A090', SINCE), NOT_SCREENED]);
    const my = decideShipment(input({ items: [item('OUTSIDE_4A090', 1_000, 1)] }));
    expect(messages(my)).toEqual([OUTSIDE_REASON('p-OUTSIDE_4A090')]);
    expect(my.warnings).toEqual([RESCINDED_2025_06_01, warning('p-OUTSIDE_4A090', GENERAL), NOT_SCREENED]);
  });

  it('under baseline-2023: controlled and outside items are decided apart', () => {
    const d = decideShipment(
      input({
        pack: 'baseline-2023',
        dest: MY,
        items: [item('OUTSIDE_3A090', 1_000, 1), item('3A090.a', 15_832, 1)],
      }),
    );
    expect(d.reasons.map((r) => r.code)).toEqual(['BASELINE_NO_LICENSE_REQUIRED', 'OUTSIDE_3A090_4A090']);
    expect(messages(d)[0]).toContain('3A090.a items (p-3A090.a)');
    expect(d.warnings).toEqual([warning('p-OUTSIDE_3A090', GENERAL), NOT_SCREENED]);
    const onlyOutside = decideShipment(
      input({ pack: 'baseline-2023', dest: MY, items: [item('OUTSIDE_3A090', 1, 1)] }),
    );
    expect(onlyOutside.reasons.map((r) => r.code)).toEqual(['OUTSIDE_3A090_4A090']);
  });
});

describe('quota inputs at their edges', () => {
  it('a Tier 2 destination with no LPP balance given starts from the pack limit, unused', () => {
    const d = decideShipment(
      input({
        items: [item('3A090.a', 15_832, 1)],
        quota: { country: { capTpp: 790_000_000, usedTpp: 0 }, lpp: null },
      }),
    );
    expect(d.quota.lpp).toEqual({
      year: 2025,
      applies: true,
      capTpp: 26_900_000,
      usedTpp: 0,
      remainingTpp: 26_900_000,
      thisShipmentTpp: 15_832,
      remainingAfterTpp: 26_884_168,
    });
  });

  it('warns about an LPP balance of another year only for Tier 2, and not for this year', () => {
    const lppWarning = (w: string) => w.includes('LPP limits are per calendar year');
    const other = { year: 2024, capTpp: 26_900_000, usedTpp: 5 };
    expect(
      decideShipment(
        input({ items: [item('3A090.a', 1, 1)], quota: { country: { capTpp: 9, usedTpp: 0 }, lpp: other } }),
      ).warnings.filter(lppWarning),
    ).toEqual([
      'The LPP balance given is for 2024, not 2025, the calendar year of the ship date; LPP limits are per calendar year (15 CFR 740.29), so 2025 use was taken as 0.',
    ]);
    expect(
      decideShipment(
        input({ dest: KR, items: [item('3A090.a', 1, 1)], quota: { country: null, lpp: other } }),
      ).warnings.some(lppWarning),
    ).toBe(false);
    expect(decideShipment(input({ items: [item('3A090.a', 1, 1)] })).warnings.some(lppWarning)).toBe(false);
  });

  it('an officer-made Tier 2 row for Russia: the LPP part is allowed, the .b part denied, so nothing is held', () => {
    // Tiers come from the country table, which an officer may change; the baseline rule reads the groups.
    // China would send a datacentre .b item under License Exception NAC (15 CFR 740.8, RULES.md 6); Russia's
    // part 746.8 controls leave no NAC/ACA, so the .b part still needs a licence, presumption of denial.
    const ruAsTier2 = party('RU', 'Russia', 'TIER_2');
    const d = decideShipment(
      input({ dest: ruAsTier2, items: [item('3A090.a', 15_832, 1), item('3A090.b', 3_000, 1)] }),
    );
    expect(d).toMatchObject({
      allowed: false,
      licenseRequired: true,
      authorization: null,
      reviewPolicy: 'PRESUMPTION_OF_DENIAL',
      holds: { countryTpp: 0, lppTpp: 0, lppYear: 2025 },
    });
    expect(d.quota.lpp).toMatchObject({ applies: false, thisShipmentTpp: 0 });
  });

  it('the same row with its LPP spent: approval for the 3A090.a part, denial for the .b part -> denial', () => {
    // Russia, not China: under 15 CFR 746.8 the .b part gets no NAC/ACA (740.8) and keeps its denial.
    const ruAsTier2 = party('RU', 'Russia', 'TIER_2');
    const d = decideShipment(
      input({
        dest: ruAsTier2,
        items: [item('3A090.a', 15_832, 1), item('3A090.b', 3_000, 1)],
        quota: {
          country: { capTpp: 790_000_000, usedTpp: 0 },
          lpp: { year: 2025, capTpp: 26_900_000, usedTpp: 26_900_000 },
        },
      }),
    );
    expect(d.reasons.map((r) => r.code)).toEqual([
      'LPP_LIMIT_EXCEEDED',
      'TIER2_LICENSE_WITHIN_ALLOCATION',
      'EXCEPTION_UNAVAILABLE_EMBARGO',
      'BASELINE_DESTINATION_LICENSE_REQUIRED',
      'BASELINE_HEADQUARTERS_LICENSE_REQUIRED',
      'BASELINE_REVIEW_POLICY',
    ]);
    expect(d).toMatchObject({ reviewPolicy: 'PRESUMPTION_OF_DENIAL', holds: { countryTpp: 0, lppTpp: 0 } });
  });
});

describe('legalStatusOn for packs of other shapes', () => {
  const base = RULE_PACKS['baseline-2023'];
  const rescinded: RulePack = {
    ...base,
    id: 'baseline-2023',
    formallyRescinded: '2027-01-01',
    succeededBy: null,
  };

  it('names a formal rescission in the Federal Register', () => {
    expect(legalStatusOn(rescinded, '2027-01-01')).toEqual({
      status: 'RESCINDED',
      inForceOnShipDate: false,
      explanation:
        'On ship date 2027-01-01 the Advanced computing controls of October 2023 as amended (88 FR 73458 (as amended by 89 FR 23876, 89 FR 96790, 91 FR 1684, 91 FR 5091), pack baseline-2023) was rescinded in the Federal Register with effect from 2027-01-01. Treat this answer as planning only, not the law of the day.',
    });
    expect(legalStatusOn(rescinded, '2026-12-31')).toMatchObject({
      status: 'IN_FORCE',
      inForceOnShipDate: true,
    });
  });

  it('takes the earlier of an announced stop and a formal rescission', () => {
    const both: RulePack = { ...rescinded, enforcementStopped: '2026-06-01' };
    expect(legalStatusOn(both, '2026-06-01').explanation).toContain('stopped being enforced on 2026-06-01');
    expect(legalStatusOn(both, '2026-05-31').status).toBe('IN_FORCE');
    const reversed: RulePack = { ...rescinded, enforcementStopped: '2027-06-01' };
    expect(legalStatusOn(reversed, '2027-01-01').explanation).toContain(
      'was rescinded in the Federal Register',
    );
  });

  it('explains a date before the effective date of a pack that was never enforced', () => {
    expect(legalStatusOn(RULE_PACKS['ai-diffusion-2025'], '2025-01-12')).toEqual({
      status: 'NOT_YET_EFFECTIVE',
      inForceOnShipDate: false,
      explanation:
        'Ship date 2025-01-12 is before 2025-01-13, the effective date of the Framework for Artificial Intelligence Diffusion (90 FR 4544, pack ai-diffusion-2025); the pack was not in force on that date. It never came into force: enforcement stopped on 2025-05-13 before its compliance date 2025-05-15. Treat this answer as planning only, not the law of the day.',
    });
  });

  it('explains a date before the effective date of a pack that was enforced', () => {
    expect(legalStatusOn(base, '2023-11-16').explanation).toBe(
      'Ship date 2023-11-16 is before 2023-11-17, the effective date of the Advanced computing controls of October 2023 as amended (88 FR 73458 (as amended by 89 FR 23876, 89 FR 96790, 91 FR 1684, 91 FR 5091), pack baseline-2023); the pack was not in force on that date. Treat this answer as planning only, not the law of the day.',
    );
  });

  it('a pack with a compliance date that was reached is pending, then in force', () => {
    const pending: RulePack = { ...base, complianceDate: '2024-01-01' };
    expect(legalStatusOn(pending, '2023-12-31')).toEqual({
      status: 'EFFECTIVE_COMPLIANCE_PENDING',
      inForceOnShipDate: false,
      explanation:
        'Ship date 2023-12-31 falls after the effective date 2023-11-17 of the Advanced computing controls of October 2023 as amended (88 FR 73458 (as amended by 89 FR 23876, 89 FR 96790, 91 FR 1684, 91 FR 5091), pack baseline-2023) but before its compliance date 2024-01-01, so its requirements were not yet binding. Treat this answer as planning only, not the law of the day.',
    });
    expect(legalStatusOn(pending, '2024-01-01').explanation).toContain(
      '(compliance required from 2024-01-01)',
    );
  });

  it('a pack stopped on its compliance date never came into force', () => {
    const stillborn: RulePack = { ...base, complianceDate: '2024-01-01', enforcementStopped: '2024-01-01' };
    expect(legalStatusOn(stillborn, '2024-01-01').explanation).toContain(
      'Its compliance date 2024-01-01 was never reached, so it was never enforced.',
    );
    const later: RulePack = { ...base, complianceDate: '2024-01-01', enforcementStopped: '2024-01-02' };
    expect(legalStatusOn(later, '2024-01-02').explanation).not.toContain('never');
  });

  it('rejects an unknown pack with its id and the known ones', () => {
    let caught: unknown;
    try {
      getRulePack('ai-diffusion-2099');
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(DomainError);
    expect(caught).toMatchObject({
      name: 'DomainError',
      code: 'UNKNOWN_RULESET',
      message: "Unknown rule pack 'ai-diffusion-2099'",
      details: { id: 'ai-diffusion-2099', known: ['ai-diffusion-2025', 'baseline-2023'] },
    });
  });
});

describe('dates', () => {
  it.each([
    ['2024-02-29', true],
    ['2025-02-29', false],
    ['2025-02-28', true],
    ['2025-13-01', false],
    ['2025-00-10', false],
    ['2025-04-31', false],
    ['2025-04-30', true],
    ['2025-1-01', false],
  ])('%s is a calendar date: %s', (value, valid) => {
    expect(isIsoDate(value)).toBe(valid);
  });

  it('names what is wrong', () => {
    expect(() => assertIsoDate('2025-02-30')).toThrow(
      expect.objectContaining({
        name: 'DomainError',
        code: 'INVALID_DATE',
        message: "date must be a calendar date YYYY-MM-DD, got '2025-02-30'",
        details: { value: '2025-02-30' },
      }),
    );
    expect(() => legalStatusOn(RULE_PACKS['baseline-2023'], 'soon')).toThrow(
      "ship date must be a calendar date YYYY-MM-DD, got 'soon'",
    );
  });
});

describe('classification edges and errors', () => {
  const errorOf = (fn: () => unknown): ClassificationError => {
    try {
      fn();
    } catch (error) {
      if (error instanceof ClassificationError) return error;
      throw error;
    }
    throw new Error('expected a ClassificationError');
  };

  it('accepts zero: TPP 0, a peak of 0 TOPS; a system of one chip', () => {
    expect(classifyChip({ tpp: 0, performanceDensity: 0, datacenter: true }).eccn).toBe('OUTSIDE_3A090');
    expect(computeTpp([{ precision: 'FP8', tops: 0, bitLength: 8 }])).toBe(0);
    const one = classifySystem(
      { tpp: 15_832, performanceDensity: 19.45, eccn: '3A090.a', note2Applied: false },
      1,
    );
    expect(one).toEqual({
      tpp: 15_832,
      performanceDensity: 19.45,
      eccn: '4A090.a',
      note2Applied: false,
      basis: '4A090.a: contains 1 3A090.a chips of TPP 15,832 each, TPP 15,832 in total',
    });
    const outside = classifySystem(
      { tpp: 1_000, performanceDensity: null, eccn: 'OUTSIDE_3A090', note2Applied: true },
      8,
    );
    expect(outside).toMatchObject({
      eccn: 'OUTSIDE_4A090',
      note2Applied: true,
      basis: 'Outside 4A090: its 8 chips are outside 3A090; TPP 8,000 in total',
    });
  });

  it('explains an outside chip by the thresholds it misses', () => {
    const basis = (tpp: number, pd: number) =>
      classifyChip({ tpp, performanceDensity: pd, datacenter: true }).basis;
    expect(basis(1_600, 3.1)).toBe('Outside 3A090: TPP 1,600 < 2,400 and performance density 3.1 < 3.2');
    expect(basis(2_400, 1.5)).toBe('Outside 3A090: TPP 2,400 < 4,800 and performance density 1.5 < 1.6');
    expect(basis(1_599, 9)).toBe('Outside 3A090: TPP 1,599 < 1,600');
  });

  it('knows both outside ECCNs', () => {
    expect([
      isOutsideEccn('OUTSIDE_3A090'),
      isOutsideEccn('OUTSIDE_4A090'),
      isOutsideEccn('3A090.b'),
    ]).toEqual([true, true, false]);
  });

  it('says what is wrong, with the figures', () => {
    expect(errorOf(() => computeTpp([]))).toMatchObject({
      name: 'ClassificationError',
      code: 'PEAKS_REQUIRED',
      message: 'At least one dense peak figure is needed to compute TPP',
    });
    expect(errorOf(() => computeTpp([{ precision: 'FP8', tops: -1, bitLength: 8 }]))).toMatchObject({
      code: 'INVALID_PEAK',
      message: "Peak 'FP8' needs non-negative TOPS and a positive bit length",
      details: { precision: 'FP8', tops: -1, bitLength: 8 },
    });
    expect(errorOf(() => performanceDensity(100, 0))).toMatchObject({
      message: 'Die area must be a positive number of mm²',
      details: { dieAreaMm2: 0 },
    });
    expect(errorOf(() => classifyChip({ tpp: -1, performanceDensity: 1, datacenter: true }))).toMatchObject({
      message: 'TPP must be a non-negative number',
      details: { tpp: -1 },
    });
    expect(errorOf(() => classifyChip({ tpp: 1, performanceDensity: -1, datacenter: true }))).toMatchObject({
      message: 'Performance density must be non-negative',
      details: { performanceDensity: -1 },
    });
    expect(
      errorOf(() => classifyChip({ tpp: 2_000, performanceDensity: null, datacenter: true })).message,
    ).toBe(
      'With TPP 2,000 the 3A090 classification depends on performance density; give the applicable die area',
    );
    expect(
      errorOf(() =>
        classifySystem({ tpp: 1, performanceDensity: null, eccn: '3A090.a', note2Applied: false }, 0),
      ),
    ).toMatchObject({ message: 'A system needs a positive whole number of chips', details: { count: 0 } });
  });

  it('says what is wrong with a system spec', () => {
    const system: ProductSpec = {
      id: 'sys',
      vendor: 'T',
      name: 'T',
      kind: 'SYSTEM',
      datacenter: true,
      peaks: [],
      dieAreaMm2: null,
      memoryBandwidthGBs: null,
      componentId: 'nvidia-h100-sxm',
      componentCount: 2,
      source: 't',
      confidence: 't',
    };
    const { componentCount: _c, ...noCount } = system;
    expect(errorOf(() => classifyProduct(noCount, findSeedProduct))).toMatchObject({
      code: 'COMPONENT_REQUIRED',
      message: "System 'sys' needs componentId and componentCount",
      details: { id: 'sys' },
    });
    expect(errorOf(() => classifyProduct({ ...system, componentId: 'nope' }, findSeedProduct))).toMatchObject(
      {
        message: "Component 'nope' of 'sys' is unknown",
        details: { id: 'sys', componentId: 'nope' },
      },
    );
    expect(
      errorOf(() => classifyProduct({ ...system, componentId: 'nvidia-dgx-h100' }, findSeedProduct)),
    ).toMatchObject({
      message: "Component 'nvidia-dgx-h100' of 'sys' is not a chip",
      details: { id: 'sys', componentId: 'nvidia-dgx-h100' },
    });
  });
});

describe('country codes', () => {
  it('normalises case, spaces and Hong Kong', () => {
    expect([normaliseCountryCode(' hk '), normaliseCountryCode('cn'), normaliseCountryCode('Mo')]).toEqual([
      'CN',
      'CN',
      'MO',
    ]);
    expect(isD5OrMacauOn(' ru', '2025-06-01')).toBe(true);
  });
});

describe('shipment status of a committed decision (API.md)', () => {
  const decision = (
    licenseRequired: boolean,
    reviewPolicy: 'PRESUMPTION_OF_APPROVAL' | 'CASE_BY_CASE' | 'PRESUMPTION_OF_DENIAL' | null,
    countryTpp = 0,
    lppTpp = 0,
  ) => ({
    allowed: !licenseRequired,
    outcome: licenseRequired ? ('LICENSE_REQUIRED' as const) : ('ALLOWED' as const),
    licenseRequired,
    reviewPolicy,
    holds: { countryTpp, lppTpp, lppYear: 2025 },
  });

  it.each([
    ['licence, presumption of denial', decision(true, 'PRESUMPTION_OF_DENIAL'), 'REJECTED'],
    [
      'licence, presumption of approval, allocation held',
      decision(true, 'PRESUMPTION_OF_APPROVAL', 5),
      'PENDING_LICENSE',
    ],
    ['licence, case-by-case, nothing held', decision(true, 'CASE_BY_CASE'), 'PENDING_LICENSE'],
    ['no licence, LPP held', decision(false, null, 0, 5), 'RESERVED'],
    ['no licence, allocation held', decision(false, null, 5, 0), 'RESERVED'],
    ['no licence, nothing held', decision(false, null), 'CLEARED'],
    ['not allowed without a licence requirement', { ...decision(false, null), allowed: false }, 'REJECTED'],
  ] as const)('%s -> %s', (_label, d, status) => {
    expect(initialShipmentStatus(d)).toBe(status);
  });

  it.each([
    ['RESERVED', true],
    ['PENDING_LICENSE', true],
    ['CLEARED', false],
    ['REJECTED', false],
    ['SHIPPED', false],
    ['CANCELLED', false],
    ['EXPIRED', false],
  ] as const)('%s holds quota: %s', (status, holds) => {
    expect(holdsQuota(status)).toBe(holds);
  });
});
