// @ts-check
/** Number and date formatting, the same everywhere on the page. */

const integer = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const oneDecimal = new Intl.NumberFormat('en-US', { maximumFractionDigits: 1 });
const percent = new Intl.NumberFormat('en-US', { style: 'percent', maximumFractionDigits: 1 });

/** TPP of one H100 SXM (90 FR 4544 counts allocations in H100-equivalents of this). */
export const H100_TPP = 15_832;

/** @param {number | null | undefined} value */
export function tpp(value) {
  return value === null || value === undefined ? '—' : integer.format(value);
}

/** @param {number} value */
export function h100e(value) {
  return oneDecimal.format(value / H100_TPP);
}

/** H100-equivalents as the API gives them (already a ratio): one decimal. @param {number} value */
export function ratio(value) {
  return oneDecimal.format(value);
}

/** A number of units; null (no quota limits the route) in words. @param {number | null} value */
export function units(value) {
  return value === null ? 'no limit' : integer.format(value);
}

/** @param {number} share 0..1 */
export function pct(share) {
  return percent.format(share);
}

/** Short TPP for chart axes: 790M, 1.6B. @param {number} value */
export function tppShort(value) {
  const abs = Math.abs(value);
  if (abs >= 1e9) return `${oneDecimal.format(value / 1e9)}B`;
  if (abs >= 1e6) return `${oneDecimal.format(value / 1e6)}M`;
  if (abs >= 1e3) return `${oneDecimal.format(value / 1e3)}k`;
  return integer.format(value);
}

/** 2025-06-01 14:03:12 from an ISO instant, in UTC (the audit trail's clock). @param {string} iso */
export function utc(iso) {
  return iso.replace('T', ' ').replace(/\.\d+Z$|Z$/, '');
}

/** @param {string} code e.g. LICENSE_REQUIRED */
export function words(code) {
  return code.replaceAll('_', ' ');
}

/** Today's date (UTC) as YYYY-MM-DD. */
export function today() {
  return new Date().toISOString().slice(0, 10);
}
