import { isD5OrMacauOn, normaliseCountryCode } from './country-groups.ts';
import type { IsoDate } from './dates.ts';
import type { ClassifiedItem } from './types.ts';

/**
 * License Exceptions NAC and ACA (15 CFR 740.8). 89 FR 23876 split the October 2023 NAC into ACA (no
 * notification) for D:1/D:4 destinations not also in D:5 and not Macau, and NAC (notify BIS first) for
 * Macau and D:5. Before that day every eligible shipment went under NAC.
 */
export const ADVANCED_COMPUTING_EXCEPTIONS = {
  acaAvailableFrom: '2024-04-04',
  /** BIS has 25 days to object to a NAC notification (RULES.md 6). */
  nacWaitingDays: 25,
  nacSubmitTo: 'BIS, through SNAP-R, as a License Exception NAC notification',
  /** The TPP floor of the consumer (non-datacentre) 3A090.a path. */
  consumerAdvancedMinTpp: 4800,
} as const;

/**
 * Destinations where part 746 leaves no room for these exceptions: the comprehensive embargoes of Country
 * Groups E:1/E:2 (Cuba, Iran, North Korea, Syria) and the Russia/Belarus controls of 746.8, whose own list of
 * available exceptions does not include NAC or ACA. Hong Kong follows China, so it is not here.
 */
export const EXCEPTION_EMBARGOED_DESTINATIONS: Readonly<Record<string, string>> = {
  CU: '15 CFR 746.2 (Cuba)',
  IR: '15 CFR 746.7 (Iran)',
  KP: '15 CFR 746.4 (North Korea)',
  SY: '15 CFR 746.9 (Syria)',
  RU: '15 CFR 746.8 (Russia)',
  BY: '15 CFR 746.8 (Belarus)',
};

function isAdvanced(item: ClassifiedItem): boolean {
  return item.eccn === '3A090.a' || item.eccn === '4A090.a';
}

function isLesser(item: ClassifiedItem): boolean {
  return item.eccn === '3A090.b' || item.eccn === '4A090.b';
}

/**
 * The items the ECCN 3A090 licence-exception paragraph opens to NAC/ACA (RULES.md 6): 3A090.a not designed or
 * marketed for data centres with TPP >= 4800, and 3A090.b designed or marketed for data centres (4A090 alike).
 * An item whose datacentre flag is unknown is treated as a datacentre item.
 */
export function isAdvancedComputingExceptionItem(item: ClassifiedItem): boolean {
  if (isAdvanced(item)) {
    const chipTpp = item.chipTpp ?? item.tppPerUnit;
    return item.datacenter === false && chipTpp >= ADVANCED_COMPUTING_EXCEPTIONS.consumerAdvancedMinTpp;
  }
  if (isLesser(item)) return item.datacenter !== false;
  return false;
}

export type ExceptionRoute =
  { kind: 'NAC' } | { kind: 'ACA' } | { kind: 'EMBARGOED'; citation: string; code: string };

/**
 * Which exception reaches a shipment that would otherwise need a licence: NAC when the destination or the end
 * user's headquarters is in D:5 or Macau (or, before ACA existed, always), ACA otherwise; none under a part
 * 746 embargo of the destination or the headquarters.
 */
export function exceptionRoute(destination: string, headquarters: string, date: IsoDate): ExceptionRoute {
  for (const code of [normaliseCountryCode(destination), normaliseCountryCode(headquarters)]) {
    const citation = EXCEPTION_EMBARGOED_DESTINATIONS[code];
    if (citation !== undefined) return { kind: 'EMBARGOED', citation, code };
  }
  if (date < ADVANCED_COMPUTING_EXCEPTIONS.acaAvailableFrom) return { kind: 'NAC' };
  if (isD5OrMacauOn(destination, date) || isD5OrMacauOn(headquarters, date)) return { kind: 'NAC' };
  return { kind: 'ACA' };
}

/** The last day to notify BIS so that its 25 days end by the ship date. */
export function nacNotifyBy(shipDate: IsoDate): IsoDate {
  const day = new Date(`${shipDate}T00:00:00Z`);
  day.setUTCDate(day.getUTCDate() - ADVANCED_COMPUTING_EXCEPTIONS.nacWaitingDays);
  return day.toISOString().slice(0, 10);
}
