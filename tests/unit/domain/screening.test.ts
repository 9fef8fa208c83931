import { describe, expect, it } from 'vitest';
import { decideShipment } from '../../../src/domain/decide.ts';
import {
  candidateSimilarityFloor,
  DEFAULT_SCREENING_THRESHOLDS as T,
  listCodeOf,
  matchKind,
  parseCslEntry,
  reviewPolicyOf,
  screeningMatchForm,
  screeningScore,
  type ScreeningMatch,
} from '../../../src/domain/screening.ts';
import type { DecisionInput } from '../../../src/domain/types.ts';

/** Issue 13 and API.md "Screening": the pure part. Expected values are written out by hand. */

describe('screeningMatchForm: the party-identity steps, with punctuation as word breaks', () => {
  it.each([
    ['Gulf AI, LLC', 'gulf ai llc'],
    ['GULF-AI L.L.C.', 'gulf ai l l c'],
    ['Gulf\u200b AI LLC', 'gulf ai llc'],
    ['\uff27ulf AI LLC', 'gulf ai llc'],
  ])('%j -> %j', (name, form) => {
    expect(screeningMatchForm(name)).toBe(form);
  });

  it('maps look-alike letters to one skeleton: Cyrillic о and Latin o meet', () => {
    expect(screeningMatchForm('N\u043evaterra')).toBe(screeningMatchForm('Novaterra'));
  });

  it('keeps accents for PostgreSQL unaccent() to fold (recomposed)', () => {
    expect(screeningMatchForm('Société')).toBe('société'.normalize('NFC'));
  });
});

describe('which CSL list a source names', () => {
  it.each([
    ['Entity List (EL) - Bureau of Industry and Security', 'EL'],
    ['Military End User (MEU) List - Bureau of Industry and Security', 'MEU'],
    ['Unverified List (UVL) - Bureau of Industry and Security', 'UVL'],
    ['Denied Persons List (DPL) - Bureau of Industry and Security', 'DPL'],
    ['Specially Designated Nationals (SDN) - Treasury Department', 'SDN'],
    ['Nonproliferation Sanctions (ISN) - State Department', 'OTHER'],
  ])('%s -> %s', (source, code) => {
    expect(listCodeOf(source)).toBe(code);
  });
});

describe('scoring: country agreement raises it, disagreement lowers it (thresholds 0.9 / 0.6, ±0.1 / 0.15)', () => {
  it.each([
    // exact, similarity, entry countries, party countries, score, kind
    [true, 1, ['CN'], ['CN'], 1, 'HIT'],
    [true, 1, ['AE'], ['SG'], 0.85, 'POSSIBLE_MATCH'],
    [true, 1, ['AE'], [], 1, 'HIT'],
    [false, 0.82, ['AE'], ['AE'], 0.92, 'HIT'],
    [false, 0.643, ['AE'], ['AE'], 0.743, 'POSSIBLE_MATCH'],
    [false, 0.643, ['AE'], ['SG'], 0.493, null],
    [false, 0.55, [], ['AE'], 0.55, null],
  ] as const)(
    'exact %s, similarity %s, %j vs %j -> %s %s',
    (exact, similarity, entry, party, score, kind) => {
      const s = screeningScore({ exact, similarity, entryCountries: entry }, party, T);
      expect(s).toBe(score);
      expect(matchKind(s, T)).toBe(kind);
    },
  );
});

describe('candidateSimilarityFloor: the search leaves out only names that cannot reach review', () => {
  const configs = [
    T,
    { hit: 0.9, review: 0.35, countryBonus: 0.1, countryMismatchPenalty: 0.15 },
    { hit: 0.95, review: 0.7, countryBonus: 0.25, countryMismatchPenalty: 0 },
    { hit: 0.9, review: 0.6, countryBonus: 0, countryMismatchPenalty: 0.15 },
  ];

  it('is review less the country bonus, less a thousandth: 0.499 with the defaults', () => {
    expect(candidateSimilarityFloor(T)).toBeCloseTo(0.499, 12);
    expect(candidateSimilarityFloor(configs[1] as typeof T)).toBeCloseTo(0.249, 12);
  });

  it.each(configs)(
    'no similarity below it reaches review, with or without country agreement (%j)',
    (thresholds) => {
      const floor = candidateSimilarityFloor(thresholds);
      let lowestReaching = Infinity;
      // Every similarity on a 1e-5 grid, also as PostgreSQL's float4 would give it.
      for (let i = 0; i <= 100_000; i++) {
        for (const similarity of [i / 100_000, Math.fround(i / 100_000)]) {
          for (const [entry, party] of [
            [['CN'], ['CN']],
            [['CN'], []],
            [[], ['CN']],
            [['CN'], ['DE']],
          ] as const) {
            const score = screeningScore(
              { exact: false, similarity, entryCountries: entry },
              party,
              thresholds,
            );
            if (matchKind(score, thresholds) !== null) lowestReaching = Math.min(lowestReaching, similarity);
          }
        }
      }
      expect(lowestReaching).toBeGreaterThanOrEqual(floor);
      // And it is tight: the lowest similarity that reaches review (with country agreement) is within 0.002 of it.
      expect(lowestReaching - floor).toBeLessThan(0.002);
    },
  );
});

describe('licence policy text', () => {
  it.each([
    ['Presumption of denial.', 'PRESUMPTION_OF_DENIAL'],
    ['Policy of denial.', 'PRESUMPTION_OF_DENIAL'],
    ['Case-by-case review for 3A090 items', 'CASE_BY_CASE'],
    ['Presumption of approval', 'PRESUMPTION_OF_APPROVAL'],
    [null, 'PRESUMPTION_OF_DENIAL'],
  ] as const)('%s -> %s', (text, policy) => {
    expect(reviewPolicyOf(text)).toBe(policy);
  });
});

describe('parseCslEntry: malformed entries are reported, not fatal', () => {
  it('reads the CSL fields', () => {
    const parsed = parseCslEntry({
      name: ' Example Co ',
      alt_names: ['Ex Co', '...'],
      addresses: [{ country: 'cn' }, { country: 'CN' }, { country: null }, { country: 'Hong Kong' }],
      source: 'Entity List (EL) - Bureau of Industry and Security',
      federal_register_notice: '89 FR 96790',
      license_policy: 'Presumption of denial.',
      programs: ['ignored'],
    });
    expect(parsed).toEqual({
      entry: {
        name: 'Example Co',
        altNames: ['Ex Co'],
        countries: ['CN'],
        source: 'Entity List (EL) - Bureau of Industry and Security',
        listCode: 'EL',
        startDate: null,
        federalRegisterNotice: '89 FR 96790',
        licenseRequirement: null,
        licensePolicy: 'Presumption of denial.',
        remarks: null,
      },
    });
  });

  it.each([
    [null, 'not an object'],
    [[1], 'not an object'],
    [{ source: 'x' }, 'name is missing or empty'],
    [{ name: '...', source: 'x' }, 'name has no letters or digits'],
    [{ name: 'A' }, 'source is missing or empty'],
    [{ name: 'A', source: 'x', alt_names: 'B' }, 'alt_names must be an array of strings'],
    [{ name: 'A', source: 'x', license_policy: 3 }, 'license_policy must be a string'],
  ])('%j -> %s', (raw, problem) => {
    expect(parseCslEntry(raw)).toEqual({ problem });
  });
});

function decideWith(matches: ScreeningMatch[]) {
  const input: DecisionInput = {
    pack: 'ai-diffusion-2025',
    shipDate: '2026-03-01',
    destination: {
      code: 'AE',
      name: 'AE',
      tier: 'TIER_2',
      allocationTpp: 790_000_000,
      govToGovArrangement: false,
    },
    headquarters: { code: 'AE', name: 'AE', tier: 'TIER_2' },
    endUser: { name: 'Party', verifiedEndUser: null },
    consignee: 'Party',
    items: [
      {
        productId: 'h100',
        quantity: 10,
        eccn: '3A090.a',
        tppPerUnit: 15_832,
        tpp: 158_320,
        note2Applied: false,
      },
    ],
    screening: { listId: 'list-1', importedAt: '2026-11-27T08:00:00.000Z', matches },
    quota: {
      country: { capTpp: 790_000_000, usedTpp: 0 },
      lpp: { year: 2026, capTpp: 26_900_000, usedTpp: 0 },
    },
  };
  return decideShipment(input);
}

function match(
  list: ScreeningMatch['list'],
  kind: ScreeningMatch['kind'],
  extra: Partial<ScreeningMatch> = {},
): ScreeningMatch {
  return {
    party: 'CONSIGNEE',
    partyName: 'Party',
    entryName: 'Listed Party',
    matchedName: 'Listed Party',
    source: `${list} source`,
    list,
    countries: ['AE'],
    score: kind === 'HIT' ? 1 : 0.7,
    kind,
    licenseRequirement: 'For all items subject to the EAR.',
    licensePolicy: 'Presumption of denial.',
    federalRegisterNotice: '89 FR 96790',
    startDate: null,
    ...extra,
  };
}

describe('what a match means for the decision (API.md, "Screening" and "Outcome")', () => {
  it.each([
    // list, kind, outcome, licenceRequired, reviewPolicy, code, citation
    ['EL', 'HIT', 'LICENSE_REQUIRED', true, 'PRESUMPTION_OF_DENIAL', 'ENTITY_LIST_MATCH', '89 FR 96790'],
    ['MEU', 'HIT', 'LICENSE_REQUIRED', true, 'PRESUMPTION_OF_DENIAL', 'MEU_LIST_MATCH', '89 FR 96790'],
    [
      'DPL',
      'HIT',
      'LICENSE_REQUIRED',
      true,
      'PRESUMPTION_OF_DENIAL',
      'DENIED_PERSONS_LIST_MATCH',
      '15 CFR 764.3',
    ],
    ['SDN', 'HIT', 'LICENSE_REQUIRED', true, 'PRESUMPTION_OF_DENIAL', 'SDN_LIST_MATCH', '31 CFR chapter V'],
    ['UVL', 'HIT', 'REVIEW', false, null, 'UNVERIFIED_LIST_MATCH', '15 CFR 744.15'],
    ['OTHER', 'HIT', 'REVIEW', false, null, 'OTHER_LIST_MATCH', 'Consolidated Screening List'],
    [
      'EL',
      'POSSIBLE_MATCH',
      'REVIEW',
      false,
      null,
      'SCREENING_POSSIBLE_MATCH',
      'Consolidated Screening List',
    ],
  ] as const)('%s %s -> %s', (list, kind, outcome, licenseRequired, policy, code, citation) => {
    const d = decideWith([match(list, kind)]);
    expect(d.outcome).toBe(outcome);
    expect(d.allowed).toBe(false);
    expect(d.licenseRequired).toBe(licenseRequired);
    expect(d.reviewPolicy).toBe(policy);
    const r = d.reasons.find((x) => x.code === code);
    expect(r?.citation).toBe(citation);
    // Nothing is held for a party that is, or may be, listed.
    expect(d.holds).toMatchObject({ countryTpp: 0, lppTpp: 0 });
    expect(d.screening?.listId).toBe('list-1');
  });

  it('an Entity List hit takes the entry policy (case-by-case) and falls back to 744.11 without a notice', () => {
    const d = decideWith([
      match('EL', 'HIT', { licensePolicy: 'Case-by-case review.', federalRegisterNotice: null }),
    ]);
    expect(d.reviewPolicy).toBe('CASE_BY_CASE');
    expect(d.reasons.find((r) => r.code === 'ENTITY_LIST_MATCH')?.citation).toBe('15 CFR 744.11');
  });

  it('a clean screening changes nothing: LPP as usual, no warning about screening', () => {
    const d = decideWith([]);
    expect(d.outcome).toBe('ALLOWED');
    expect(d.authorization).toBe('LPP');
    expect(d.warnings.some((w) => w.includes('not screened'))).toBe(false);
  });
});
