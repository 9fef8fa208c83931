const NUMBER = new Intl.NumberFormat('en-US', { maximumFractionDigits: 3 });

/** Figures in reasons and warnings are read by compliance officers: group thousands, no float noise. */
export function formatNumber(value: number): string {
  return NUMBER.format(value);
}
