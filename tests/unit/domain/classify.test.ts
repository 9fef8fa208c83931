import { describe, expect, it } from 'vitest';
import {
  classifyChip,
  classifySystem,
  computeTpp,
  H100_TPP,
  performanceDensity,
  toH100Equivalents,
} from '../../../src/domain/classify.ts';
import { ClassificationError } from '../../../src/domain/errors.ts';
import type { ChipEccn } from '../../../src/domain/types.ts';

function classificationErrorOf(fn: () => unknown): ClassificationError {
  try {
    fn();
  } catch (error) {
    if (error instanceof ClassificationError) return error;
    throw error;
  }
  throw new Error('expected a ClassificationError');
}

describe('computeTpp', () => {
  it('takes dense TOPS x bit length, the maximum over precisions (H100 SXM = 15,832)', () => {
    expect(
      computeTpp([
        { precision: 'FP8', tops: 1979, bitLength: 8 },
        { precision: 'BF16', tops: 989.5, bitLength: 16 },
        { precision: 'FP64', tops: 67, bitLength: 64 },
      ]),
    ).toBe(15832);
  });

  it('lets a 16-bit figure set TPP when it is the larger product (Gaudi 3: 1,835 x 16)', () => {
    expect(
      computeTpp([
        { precision: 'FP8', tops: 1835, bitLength: 8 },
        { precision: 'BF16', tops: 1835, bitLength: 16 },
      ]),
    ).toBe(29360);
  });

  it('removes floating-point noise (MI300X 2,614.9 x 8 = 20,919.2)', () => {
    expect(computeTpp([{ precision: 'FP8', tops: 2614.9, bitLength: 8 }])).toBe(20919.2);
  });

  it.each([
    ['no peaks', [], 'PEAKS_REQUIRED'],
    ['negative TOPS', [{ precision: 'FP8', tops: -1, bitLength: 8 }], 'INVALID_PEAK'],
    ['zero bit length', [{ precision: 'FP8', tops: 100, bitLength: 0 }], 'INVALID_PEAK'],
    ['NaN TOPS', [{ precision: 'FP8', tops: Number.NaN, bitLength: 8 }], 'INVALID_PEAK'],
  ])('rejects %s', (_label, peaks, code) => {
    expect(classificationErrorOf(() => computeTpp(peaks)).code).toBe(code);
  });
});

describe('performanceDensity', () => {
  it('is TPP per mm² of applicable die area', () => {
    expect(performanceDensity(15832, 814)).toBeCloseTo(19.4496, 4);
  });
  it('is unknown when the die area is unknown', () => {
    expect(performanceDensity(15832, null)).toBeNull();
  });
  it.each([0, -5, Number.NaN])('rejects die area %s', (area) => {
    expect(classificationErrorOf(() => performanceDensity(1000, area)).code).toBe('INVALID_DIE_AREA');
  });
});

describe('classifyChip: 3A090 thresholds (88 FR 73458), datacenter parts', () => {
  const cases: [label: string, tpp: number, pd: number | null, eccn: ChipEccn, paragraph: string | null][] = [
    // a.1 at 4800
    ['TPP exactly 4800, PD unknown', 4800, null, '3A090.a', '3A090.a.1'],
    ['TPP 4800.001', 4800.001, 1, '3A090.a', '3A090.a.1'],
    ['TPP 4799.999, PD 1.0', 4799.999, 1.0, 'OUTSIDE_3A090', null],
    ['TPP 4799, PD 1.6 (b.1)', 4799, 1.6, '3A090.b', '3A090.b.1'],
    // a.2 at TPP 1600 and PD 5.92
    ['TPP 1600, PD 5.92', 1600, 5.92, '3A090.a', '3A090.a.2'],
    ['TPP 1599.999, PD 10', 1599.999, 10, 'OUTSIDE_3A090', null],
    ['TPP 1600, PD 5.9199 (b.2)', 1600, 5.9199, '3A090.b', '3A090.b.2'],
    ['TPP 1600, PD 5.9201', 1600, 5.9201, '3A090.a', '3A090.a.2'],
    // b.1 at TPP 2400 and PD 1.6
    ['TPP 2400, PD 1.6', 2400, 1.6, '3A090.b', '3A090.b.1'],
    ['TPP 2399.999, PD 1.6', 2399.999, 1.6, 'OUTSIDE_3A090', null],
    ['TPP 2400.001, PD 1.6', 2400.001, 1.6, '3A090.b', '3A090.b.1'],
    ['TPP 2400, PD 1.5999', 2400, 1.5999, 'OUTSIDE_3A090', null],
    ['TPP 2400, PD 1.6001', 2400, 1.6001, '3A090.b', '3A090.b.1'],
    // b.2 at PD 3.2
    ['TPP 1600, PD 3.2', 1600, 3.2, '3A090.b', '3A090.b.2'],
    ['TPP 1600, PD 3.1999', 1600, 3.1999, 'OUTSIDE_3A090', null],
    ['TPP 1600, PD 3.2001', 1600, 3.2001, '3A090.b', '3A090.b.2'],
    ['TPP 1600.001, PD 3.2', 1600.001, 3.2, '3A090.b', '3A090.b.2'],
    // real parts
    ['H20: TPP 2368, PD 2.91', 2368, 2368 / 814, 'OUTSIDE_3A090', null],
    ['L20: TPP 1912, PD 3.14', 1912, 1912 / 608.5, 'OUTSIDE_3A090', null],
    ['L4: TPP 1940, PD 6.59', 1940, 1940 / 294.5, '3A090.a', '3A090.a.2'],
    ['under 1600, PD unknown', 1000, null, 'OUTSIDE_3A090', null],
  ];

  it.each(cases)('%s -> %s', (_label, tpp, pd, eccn, paragraph) => {
    const result = classifyChip({ tpp, performanceDensity: pd, datacenter: true });
    expect(result.eccn).toBe(eccn);
    expect(result.paragraph).toBe(paragraph);
    expect(result.note2Applied).toBe(false);
    expect(result.basis.length).toBeGreaterThan(10);
  });

  it.each([1600, 2000, 2400, 4799.999])(
    'throws PERFORMANCE_DENSITY_REQUIRED for TPP %s with PD unknown',
    (tpp) => {
      const error = classificationErrorOf(() =>
        classifyChip({ tpp, performanceDensity: null, datacenter: true }),
      );
      expect(error.code).toBe('PERFORMANCE_DENSITY_REQUIRED');
      expect(error.details).toEqual({ tpp });
    },
  );

  it.each([Number.NaN, -1, Number.POSITIVE_INFINITY])('rejects TPP %s', (tpp) => {
    expect(
      classificationErrorOf(() => classifyChip({ tpp, performanceDensity: 1, datacenter: true })).code,
    ).toBe('INVALID_TPP');
  });

  it('rejects a negative performance density', () => {
    expect(
      classificationErrorOf(() => classifyChip({ tpp: 2000, performanceDensity: -1, datacenter: true })).code,
    ).toBe('INVALID_PERFORMANCE_DENSITY');
  });

  it('explains the basis with the figures', () => {
    expect(classifyChip({ tpp: 15832, performanceDensity: 19.45, datacenter: true }).basis).toBe(
      '3A090.a.1: TPP 15,832 >= 4,800',
    );
  });
});

describe('classifyChip: Note 2 to 3A090 (not designed or marketed for data centres)', () => {
  const cases: [label: string, tpp: number, pd: number | null, eccn: ChipEccn, note2Applied: boolean][] = [
    ['TPP 4799.999, PD 10 (would be a.2)', 4799.999, 10, 'OUTSIDE_3A090', true],
    ['TPP 3000, PD 2 (would be b.1)', 3000, 2, 'OUTSIDE_3A090', true],
    ['TPP 3000, PD unknown: Note 2 decides without PD', 3000, null, 'OUTSIDE_3A090', true],
    ['TPP 4800 exactly: Note 2 no longer applies', 4800, 10, '3A090.a', false],
    ['TPP 4800 exactly, PD unknown', 4800, null, '3A090.a', false],
    ['TPP 2000, PD 1 (outside anyway)', 2000, 1, 'OUTSIDE_3A090', false],
    ['TPP 1000 (outside anyway)', 1000, null, 'OUTSIDE_3A090', false],
  ];
  it.each(cases)('%s', (_label, tpp, pd, eccn, note2Applied) => {
    const result = classifyChip({ tpp, performanceDensity: pd, datacenter: false });
    expect(result.eccn).toBe(eccn);
    expect(result.note2Applied).toBe(note2Applied);
  });

  it('names Note 2 in the basis when it applied', () => {
    expect(classifyChip({ tpp: 3000, performanceDensity: 2, datacenter: false }).basis).toMatch(
      /^Note 2 to 3A090/,
    );
  });
});

describe('classifySystem (4A090)', () => {
  it('gives an 8-GPU server the TPP of its GPUs and keeps the component PD', () => {
    const result = classifySystem(
      { tpp: 15832, performanceDensity: 19.45, eccn: '3A090.a', note2Applied: false },
      8,
    );
    expect(result).toMatchObject({
      tpp: 126656,
      performanceDensity: 19.45,
      eccn: '4A090.a',
      note2Applied: false,
    });
  });

  it.each([
    ['3A090.a', '4A090.a'],
    ['3A090.b', '4A090.b'],
    ['OUTSIDE_3A090', 'OUTSIDE_4A090'],
  ] as const)('maps a %s component to %s', (chip, system) => {
    expect(
      classifySystem({ tpp: 2000, performanceDensity: 4, eccn: chip, note2Applied: false }, 4).eccn,
    ).toBe(system);
  });

  it('follows the chips, not the summed TPP: 8 chips outside 3A090 stay outside 4A090', () => {
    const result = classifySystem(
      { tpp: 1912, performanceDensity: 3.14, eccn: 'OUTSIDE_3A090', note2Applied: false },
      8,
    );
    expect(result.tpp).toBe(15296);
    expect(result.eccn).toBe('OUTSIDE_4A090');
  });

  it.each([0, -1, 2.5])('rejects component count %s', (count) => {
    expect(
      classificationErrorOf(() =>
        classifySystem(
          { tpp: 1, performanceDensity: null, eccn: 'OUTSIDE_3A090', note2Applied: false },
          count,
        ),
      ).code,
    ).toBe('INVALID_COMPONENT_COUNT');
  });
});

describe('H100 equivalents', () => {
  it('uses 15,832 TPP per H100', () => {
    expect(H100_TPP).toBe(15832);
  });
  it.each([
    [31_684_800, 2001.3],
    [15_832, 1],
    [26_900_000, 1699.1],
    [790_000_000, 49898.9],
    [0, 0],
  ])('%s TPP -> %s H100e', (tpp, h100e) => {
    expect(toH100Equivalents(tpp)).toBe(h100e);
  });
});
