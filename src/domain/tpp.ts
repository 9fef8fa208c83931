/**
 * Exact TPP arithmetic. TPP is carried with three decimals; a line's TPP is its unit's TPP times up to a million
 * units, and an order holds up to 500 lines, so products and sums in binary floating point lose digits above
 * about 9e12 (2^53 thousandths). Here every value is taken as a whole number of thousandths in a BigInt,
 * multiplied and summed exactly, and turned back into a number only at the end: the number is then the double
 * nearest to the exact value, and `tppText` gives the exact decimal for anyone who needs all the digits.
 */

/** Below this, Number#toFixed gives a plain decimal; TPP on the wire is at most 1e9 x 1e6 x 500. */
const FIXED_LIMIT = 1e21;

/** A TPP value as whole thousandths: the double's exact decimal expansion, rounded half away from zero at 3 decimals. */
export function toMilliTpp(value: number): bigint {
  if (!Number.isFinite(value) || Math.abs(value) >= FIXED_LIMIT) {
    throw new RangeError(`TPP ${value} is not a finite value below ${FIXED_LIMIT}`);
  }
  return BigInt(value.toFixed(3).replace('.', ''));
}

/** The exact decimal text of a number of thousandths, without trailing zeros: 6999992999993000007n -> "6999992999993000.007". */
export function tppText(milli: bigint): string {
  const negative = milli < 0n;
  const digits = (negative ? -milli : milli).toString().padStart(4, '0');
  const whole = digits.slice(0, -3);
  const fraction = digits.slice(-3).replace(/0+$/, '');
  return `${negative ? '-' : ''}${whole}${fraction ? `.${fraction}` : ''}`;
}

/** The double nearest to an exact number of thousandths (what a JSON number can carry). */
export function milliTppToNumber(milli: bigint): number {
  return Number(tppText(milli));
}

/** One line's TPP in thousandths: unit TPP x quantity, exactly. */
export function lineTppMilli(tppPerUnit: number, quantity: number): bigint {
  return toMilliTpp(tppPerUnit) * BigInt(quantity);
}

/** One line's TPP: unit TPP x quantity, computed exactly and then given as the nearest double. */
export function lineTpp(tppPerUnit: number, quantity: number): number {
  return milliTppToNumber(lineTppMilli(tppPerUnit, quantity));
}

/** The exact total of an order's lines in thousandths, from each line's unit TPP and quantity. */
export function totalTppMilli(items: readonly { tppPerUnit: number; quantity: number }[]): bigint {
  let total = 0n;
  for (const item of items) total += lineTppMilli(item.tppPerUnit, item.quantity);
  return total;
}

/** The total of an order's lines, exact to the thousandth before it becomes the nearest double. */
export function totalTpp(items: readonly { tppPerUnit: number; quantity: number }[]): number {
  return milliTppToNumber(totalTppMilli(items));
}

/** a + b to the thousandth, without floating-point noise. */
export function addTpp(a: number, b: number): number {
  return milliTppToNumber(toMilliTpp(a) + toMilliTpp(b));
}

/** a - b to the thousandth, without floating-point noise. */
export function subtractTpp(a: number, b: number): number {
  return milliTppToNumber(toMilliTpp(a) - toMilliTpp(b));
}
