import { describe, expect, it } from 'vitest';
import {
  baselineLicenceDestinationsOn,
  COUNTRY_GROUP_MEMBERS,
  groupsOn,
  isD5OrMacauOn,
  isInGroupOn,
  requiresBaselineLicence,
} from '../../../src/domain/country-groups.ts';
import { DomainError } from '../../../src/domain/errors.ts';
import { tierOn } from '../../../src/domain/tiers.ts';

// The 46 destinations listed in the notes of /work/shared/reference/country-groups.json.
const BASELINE_SET_2025_01_15 =
  'AE, AF, AM, AZ, BH, BY, CD, CF, CN, CU, EG, ER, GE, HT, IQ, IR, JO, KG, KH, KP, KW, KZ, LA, LB, LY, MD, MM, MN, MO, NI, OM, PK, QA, RU, SA, SD, SO, SS, SY, TJ, TM, UZ, VE, VN, YE, ZW'.split(
    ', ',
  );

describe('country group snapshot (2025-01-15)', () => {
  it.each([
    ['A:5', 37],
    ['A:6', 8],
    ['D:1', 24],
    ['D:4', 22],
    ['D:5', 23],
  ] as const)('%s has %s members', (group, count) => {
    expect(COUNTRY_GROUP_MEMBERS[group]).toHaveLength(count);
  });
});

describe('baseline destination set: (D:1 ∪ D:4 ∪ D:5) − (A:5 ∪ A:6), plus Macau', () => {
  it('has exactly the 46 destinations of the reference on 2025-01-15', () => {
    expect(BASELINE_SET_2025_01_15).toHaveLength(46);
    expect(baselineLicenceDestinationsOn('2025-01-15')).toEqual([...BASELINE_SET_2025_01_15].sort());
  });

  it.each([
    ['IL', '2025-01-15', false, 'D:4 but also A:6'],
    ['CY', '2024-01-01', false, 'D:5 then, but A:6'],
    ['TR', '2025-01-15', false, 'A:5 only'],
    ['AE', '2025-01-15', true, 'D:4'],
    ['HK', '2025-01-15', true, 'treated as China'],
    ['hk', '2025-01-15', true, 'case-insensitive'],
    ['MO', '2025-01-15', true, 'Macau'],
    ['NI', '2024-03-14', false, 'before joining D:1/D:5'],
    ['NI', '2024-03-15', true, 'joined D:1/D:5 on 2024-03-15'],
    ['KH', '2026-02-03', true, 'out of D:5 but still D:1'],
    ['FR', '2025-01-15', false, 'no D group'],
    ['MY', '2025-01-15', false, 'no group at all'],
  ])('%s on %s -> %s (%s)', (code, date, expected) => {
    expect(requiresBaselineLicence(code, date)).toBe(expected);
  });

  it('grows by nothing and loses nothing when Cambodia leaves D:5 (it stays through D:1)', () => {
    expect(baselineLicenceDestinationsOn('2026-03-01')).toEqual([...BASELINE_SET_2025_01_15].sort());
  });

  it('does not include Nicaragua before 2024-03-15', () => {
    const before = baselineLicenceDestinationsOn('2024-03-14');
    expect(before).not.toContain('NI');
    expect(before).toHaveLength(45);
  });
});

describe('dated changes', () => {
  it.each([
    ['NI', 'D:5', '2024-03-14', false],
    ['NI', 'D:5', '2024-03-15', true],
    ['NI', 'D:1', '2024-03-14', false],
    ['NI', 'D:1', '2024-03-15', true],
    ['CY', 'D:5', '2024-05-29', true],
    ['CY', 'D:5', '2024-05-30', false],
    ['KH', 'D:5', '2026-02-02', true],
    ['KH', 'D:5', '2026-02-03', false],
    ['KH', 'D:1', '2026-02-03', true],
  ] as const)('%s in %s on %s: %s', (code, group, date, expected) => {
    expect(isInGroupOn(group, code, date)).toBe(expected);
  });

  it('can follow State’s ITAR 126.1 dates for D:5 instead of the EAR table', () => {
    expect(isInGroupOn('D:5', 'KH', '2025-11-07')).toBe(true);
    expect(isInGroupOn('D:5', 'KH', '2025-11-07', { d5Basis: 'STATE_LIST' })).toBe(false);
    expect(isInGroupOn('D:5', 'KH', '2025-11-06', { d5Basis: 'STATE_LIST' })).toBe(true);
    expect(isInGroupOn('D:5', 'CY', '2023-01-01', { d5Basis: 'STATE_LIST' })).toBe(false);
    expect(isInGroupOn('D:5', 'CY', '2023-01-01')).toBe(true);
  });

  it('lists the groups of a country on a date', () => {
    expect(groupsOn('CN', '2025-01-15')).toEqual(['D:1', 'D:4', 'D:5']);
    expect(groupsOn('HK', '2025-01-15')).toEqual(['D:1', 'D:4', 'D:5']);
    expect(groupsOn('IL', '2025-01-15')).toEqual(['A:6', 'D:4']);
    expect(groupsOn('CY', '2024-01-01')).toEqual(['A:6', 'D:5']);
    expect(groupsOn('US', '2025-01-15')).toEqual([]);
  });

  it('rejects a malformed date', () => {
    expect(() => groupsOn('CN', '2025-02-30')).toThrow(DomainError);
    expect(() => groupsOn('CN', '15/01/2025')).toThrow(DomainError);
  });
});

describe('D:5 or Macau and the AI Diffusion tiers', () => {
  it.each([
    ['MO', '2025-01-15', true],
    ['HK', '2025-01-15', true],
    ['CN', '2025-01-15', true],
    ['AE', '2025-01-15', false],
    ['KH', '2026-02-03', false],
  ])('isD5OrMacauOn(%s, %s) = %s', (code, date, expected) => {
    expect(isD5OrMacauOn(code, date)).toBe(expected);
  });

  it.each([
    ['US', '2025-01-15', 'TIER_1'],
    ['PR', '2025-01-15', 'TIER_1'],
    ['KR', '2025-01-15', 'TIER_1'],
    ['TW', '2025-01-15', 'TIER_1'],
    ['AE', '2025-01-15', 'TIER_2'],
    ['IL', '2025-01-15', 'TIER_2'],
    ['CY', '2025-01-15', 'TIER_2'],
    ['CN', '2025-01-15', 'TIER_3'],
    ['HK', '2025-01-15', 'TIER_3'],
    ['MO', '2025-01-15', 'TIER_3'],
    ['NI', '2025-01-15', 'TIER_3'],
    ['KH', '2025-01-15', 'TIER_3'],
    ['KH', '2026-02-03', 'TIER_2'],
  ])('tierOn(%s, %s) = %s', (code, date, tier) => {
    expect(tierOn(code, date)).toBe(tier);
  });

  it('puts exactly 18 partners plus the US in Tier 1 and D:5 plus Macau in Tier 3 on 2025-01-15', () => {
    const codes = new Set<string>();
    for (const group of Object.values(COUNTRY_GROUP_MEMBERS)) for (const m of group) codes.add(m.iso2);
    ['US', 'AU', 'GB', 'MO'].forEach((c) => codes.add(c));
    const tier3 = [...codes].filter((c) => tierOn(c, '2025-01-15') === 'TIER_3').sort();
    expect(tier3).toEqual(
      'AF BY CD CF CN CU ER HT IQ IR KH KP LB LY MM MO NI RU SD SO SS SY VE ZW'.split(' '),
    );
  });
});
