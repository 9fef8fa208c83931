import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decideShipment } from '../../../src/domain/decide.ts';
import {
  addTpp,
  lineTpp,
  milliTppToNumber,
  subtractTpp,
  toMilliTpp,
  totalTpp,
  totalTppMilli,
  tppText,
} from '../../../src/domain/tpp.ts';
import type { ClassifiedItem, DecisionInput } from '../../../src/domain/types.ts';

/** Issue 17's example: 999,999,999.999 TPP x 999,999 units on each of 7 lines. */
const BIG_LINE = { tppPerUnit: 999_999_999.999, quantity: 999_999 };
const EXACT_TOTAL = '6999992999993000.007';

describe('exact TPP arithmetic', () => {
  it('totals 999,999,999.999 TPP x 999,999 units x 7 lines to 6999992999993000.007 exactly', () => {
    const items = Array.from({ length: 7 }, () => BIG_LINE);
    expect(totalTppMilli(items)).toBe(6_999_992_999_993_000_007n);
    expect(tppText(totalTppMilli(items))).toBe(EXACT_TOTAL);
    // The wire carries a JSON number: the double nearest to the exact total, not the 6999992999993001 that
    // summing rounded doubles gave.
    expect(totalTpp(items)).toBe(Number(EXACT_TOTAL));
    expect(totalTpp(items)).toBe(6_999_992_999_993_000);
  });

  it('gives one line exactly: 999,999,999.999 x 999,999 = 999998999999000.001', () => {
    expect(tppText(toMilliTpp(BIG_LINE.tppPerUnit) * BigInt(BIG_LINE.quantity))).toBe('999998999999000.001');
    expect(lineTpp(BIG_LINE.tppPerUnit, BIG_LINE.quantity)).toBe(Number('999998999999000.001'));
  });

  it('reads thousandths from the decimal a caller wrote, not from binary noise', () => {
    expect(toMilliTpp(0.1 + 0.2)).toBe(300n);
    expect(toMilliTpp(5200)).toBe(5_200_000n);
    expect(toMilliTpp(1e13)).toBe(10_000_000_000_000_000n);
    expect(toMilliTpp(-1.5)).toBe(-1500n);
    expect(() => toMilliTpp(Number.NaN)).toThrow(RangeError);
    expect(() => toMilliTpp(1e21)).toThrow(RangeError);
  });

  it('writes exact decimals without trailing zeros', () => {
    expect(tppText(0n)).toBe('0');
    expect(tppText(7n)).toBe('0.007');
    expect(tppText(1_500n)).toBe('1.5');
    expect(tppText(-20n)).toBe('-0.02');
    expect(tppText(31_664_000_000n)).toBe('31664000');
  });

  it('adds and subtracts without floating-point noise', () => {
    expect(addTpp(0.1, 0.2)).toBe(0.3);
    expect(subtractTpp(26_900_000, 26_899_999.999)).toBe(0.001);
    expect(subtractTpp(1e13, 0.001)).toBe(Number('9999999999999.999'));
  });

  it('matches exact rational arithmetic on random orders (seeded)', () => {
    const seed = 17;
    const line = fc.record({
      tppPerUnit: fc.integer({ min: 1, max: 1e12 }).map((m) => m / 1000),
      quantity: fc.integer({ min: 1, max: 1_000_000 }),
    });
    fc.assert(
      fc.property(fc.array(line, { minLength: 1, maxLength: 50 }), (items) => {
        let exact = 0n;
        for (const i of items) exact += BigInt(Math.round(i.tppPerUnit * 1000)) * BigInt(i.quantity);
        expect(totalTppMilli(items)).toBe(exact);
        expect(totalTpp(items)).toBe(milliTppToNumber(exact));
      }),
      { seed, numRuns: 300 },
    );
  });

  it('reports the exact total in a decision', () => {
    const items: ClassifiedItem[] = Array.from({ length: 7 }, (_, i) => ({
      description: `custom board ${i}`,
      quantity: BIG_LINE.quantity,
      eccn: '3A090.a',
      tppPerUnit: BIG_LINE.tppPerUnit,
      tpp: lineTpp(BIG_LINE.tppPerUnit, BIG_LINE.quantity),
      note2Applied: false,
    }));
    const input: DecisionInput = {
      pack: 'ai-diffusion-2025',
      shipDate: '2025-06-01',
      destination: {
        code: 'DE',
        name: 'Germany',
        tier: 'TIER_1',
        allocationTpp: null,
        govToGovArrangement: false,
      },
      headquarters: { code: 'DE', name: 'Germany', tier: 'TIER_1' },
      endUser: { name: 'Exact GmbH', verifiedEndUser: null },
      consignee: 'exact gmbh',
      items,
      quota: { country: null, lpp: null },
    };
    const decision = decideShipment(input);
    expect(decision.totalTpp).toBe(Number(EXACT_TOTAL));
  });
});
