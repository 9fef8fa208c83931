import { DomainError } from './errors.ts';

/** A calendar day, 'YYYY-MM-DD'. Export-control dates are days in the Federal Register, not instants. */
export type IsoDate = string;

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

export function isIsoDate(value: string): boolean {
  const match = ISO_DATE.exec(value);
  if (!match) return false;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

export function assertIsoDate(value: string, what = 'date'): IsoDate {
  if (!isIsoDate(value)) {
    throw new DomainError('INVALID_DATE', `${what} must be a calendar date YYYY-MM-DD, got '${value}'`, {
      value,
    });
  }
  return value;
}

/** Calendar year of a date, the period of the LPP limit (15 CFR 740.29). */
export function yearOf(date: IsoDate): number {
  return Number(date.slice(0, 4));
}
