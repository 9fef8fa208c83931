import { describe, expect, it } from 'vitest';
import {
  classifyProduct,
  findSeedProduct,
  SEED_PRODUCTS,
  type ProductSpec,
} from '../../../src/domain/catalogue.ts';
import { ClassificationError } from '../../../src/domain/errors.ts';

// Expected figures copied from /work/shared/reference/ai-chip-export-data.json (`tpp` and the ECCN its `eccn`
// text states). That file rounds TPP to whole numbers, hence the comparison after rounding.
const REFERENCE: [id: string, tpp: number, eccn: string][] = [
  ['nvidia-h100-sxm', 15832, '3A090.a'],
  ['nvidia-h100-pcie', 12104, '3A090.a'],
  ['nvidia-h200-sxm', 15832, '3A090.a'],
  ['nvidia-h800', 15832, '3A090.a'],
  ['nvidia-h20', 2368, 'OUTSIDE_3A090'],
  ['nvidia-a100-sxm', 4992, '3A090.a'],
  ['nvidia-a800', 4992, '3A090.a'],
  ['nvidia-l40s', 5864, '3A090.a'],
  ['nvidia-l20', 1912, 'OUTSIDE_3A090'],
  ['nvidia-l4', 1940, '3A090.a'],
  ['nvidia-b100', 28000, '3A090.a'],
  ['nvidia-b200', 36000, '3A090.a'],
  ['nvidia-gb200', 40000, '3A090.a'],
  ['amd-mi300x', 20919, '3A090.a'],
  ['amd-mi325x', 20919, '3A090.a'],
  ['amd-mi250x', 6128, '3A090.a'],
  ['intel-gaudi2', 6920, '3A090.a'],
  ['intel-gaudi3', 29360, '3A090.a'],
  ['nvidia-dgx-h100', 126656, '4A090.a'],
];

// Reference performance densities (two decimals) where it gives a die area.
const REFERENCE_PD: [id: string, pd: number][] = [
  ['nvidia-h100-sxm', 19.45],
  ['nvidia-h20', 2.91],
  ['nvidia-a100-sxm', 6.04],
  ['nvidia-l40s', 9.64],
  ['nvidia-l20', 3.14],
  ['nvidia-l4', 6.59],
];

const lookup = (id: string) => findSeedProduct(id);

describe('seed catalogue', () => {
  it('holds every product the reference lists, once each', () => {
    const ids = SEED_PRODUCTS.map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual(REFERENCE.map(([id]) => id).sort());
  });

  it.each(REFERENCE)('%s computes to TPP %s and %s', (id, tpp, eccn) => {
    const spec = findSeedProduct(id);
    expect(spec).toBeDefined();
    const result = classifyProduct(spec as ProductSpec, lookup);
    expect(Math.round(result.tpp)).toBe(tpp);
    expect(result.eccn).toBe(eccn);
    expect(result.note2Applied).toBe(false);
  });

  it.each(REFERENCE_PD)('%s has performance density %s', (id, pd) => {
    const result = classifyProduct(findSeedProduct(id) as ProductSpec, lookup);
    expect(result.performanceDensity).not.toBeNull();
    expect(Math.round((result.performanceDensity as number) * 100) / 100).toBe(pd);
  });

  it('classifies L4 under 3A090.a.2 (density), not a.1', () => {
    expect(classifyProduct(findSeedProduct('nvidia-l4') as ProductSpec, lookup).basis).toMatch(
      /^3A090\.a\.2/,
    );
  });

  it('keeps the source and confidence of every entry', () => {
    for (const product of SEED_PRODUCTS) {
      expect(product.source.length, product.id).toBeGreaterThan(20);
      expect(product.confidence.length, product.id).toBeGreaterThan(3);
    }
  });

  it('gives a system its component chip TPP, bandwidth and PD', () => {
    const result = classifyProduct(findSeedProduct('nvidia-dgx-h100') as ProductSpec, lookup);
    expect(result).toMatchObject({ tpp: 126656, chipTpp: 15832, memoryBandwidthGBs: 3350, eccn: '4A090.a' });
    expect(result.performanceDensity).toBeCloseTo(15832 / 814, 6);
  });
});

describe('classifyProduct errors', () => {
  const system: ProductSpec = {
    id: 'test-system',
    vendor: 'Test',
    name: 'Test system',
    kind: 'SYSTEM',
    datacenter: true,
    peaks: [],
    dieAreaMm2: null,
    memoryBandwidthGBs: null,
    componentId: 'nvidia-h100-sxm',
    componentCount: 4,
    source: 'test',
    confidence: 'test',
  };

  it.each([
    ['a system without a component', { ...system, componentId: undefined }, 'COMPONENT_REQUIRED'],
    ['an unknown component', { ...system, componentId: 'nope' }, 'COMPONENT_NOT_FOUND'],
    ['a system as component', { ...system, componentId: 'nvidia-dgx-h100' }, 'COMPONENT_NOT_A_CHIP'],
    ['a zero count', { ...system, componentCount: 0 }, 'INVALID_COMPONENT_COUNT'],
    [
      'a chip whose class depends on an unknown die area',
      { ...system, kind: 'CHIP', peaks: [{ precision: 'FP8', tops: 300, bitLength: 8 }] },
      'PERFORMANCE_DENSITY_REQUIRED',
    ],
  ] as [string, ProductSpec, string][])('rejects %s', (_label, spec, code) => {
    let caught: unknown;
    try {
      classifyProduct(spec, lookup);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ClassificationError);
    expect((caught as ClassificationError).code).toBe(code);
  });

  it('classifies a 4-GPU H100 system as 4A090.a with 4 x 15,832 TPP', () => {
    expect(classifyProduct(system, lookup)).toMatchObject({ tpp: 63328, eccn: '4A090.a' });
  });
});
