import { describe, expect, it } from 'vitest';
import { largestQuantityWhere, UNLIMITED_PROBE } from '../../../src/domain/plan.ts';

describe('largestQuantityWhere', () => {
  it('finds the last quantity that holds, for bounds across the whole range', () => {
    for (const bound of [1, 2, 3, 1699, 49_898, 1_000_000, UNLIMITED_PROBE - 1]) {
      expect(largestQuantityWhere((q) => q <= bound)).toBe(bound);
    }
  });

  it('is 0 when one unit already fails, and null when the largest probe still holds', () => {
    expect(largestQuantityWhere(() => false)).toBe(0);
    expect(largestQuantityWhere(() => true)).toBeNull();
  });

  it('asks the predicate a logarithmic number of times', () => {
    let calls = 0;
    largestQuantityWhere((q) => {
      calls += 1;
      return q <= 123_456;
    });
    expect(calls).toBeLessThanOrEqual(45);
  });
});
