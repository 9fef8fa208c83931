/**
 * Whether a BIS licence covers a shipment (15 CFR 750.7: a licence authorises the exporter named on it to ship
 * the items and quantities on it to the consignee and destination on it, within its validity period). Pure: the
 * licence's balance and today's date come in as arguments.
 */
export const LICENSE_STATUSES = ['ACTIVE', 'EXPIRED', 'EXHAUSTED', 'REVOKED'] as const;
export type LicenseStatus = (typeof LICENSE_STATUSES)[number];

export const LICENSE_REFUSALS = [
  'LICENSE_NOT_ACTIVE',
  'LICENSE_WRONG_ORGANISATION',
  'LICENSE_WRONG_DESTINATION',
  'LICENSE_WRONG_CONSIGNEE',
  'LICENSE_ECCN_NOT_COVERED',
  'LICENSE_NOT_VALID_ON_SHIP_DATE',
  'LICENSE_INSUFFICIENT_TPP',
] as const;
export type LicenseRefusalCode = (typeof LICENSE_REFUSALS)[number];

export interface LicenseTerms {
  organisationId: string;
  destination: string;
  consigneeId: string;
  eccns: readonly string[];
  /** YYYY-MM-DD, both inclusive. */
  validFrom: string;
  validUntil: string;
  revoked: boolean;
}

export interface LicenseBalance {
  tppAuthorized: number;
  tppUsed: number;
  tppHeld: number;
}

export interface ShipmentTerms {
  organisationId: string;
  destination: string;
  consigneeId: string | null;
  eccns: readonly string[];
  shipDate: string;
  totalTpp: number;
}

export function tppRemaining(balance: LicenseBalance): number {
  return Math.max(0, balance.tppAuthorized - balance.tppUsed - balance.tppHeld);
}

/** REVOKED wins; then EXPIRED once today is past validUntil; then EXHAUSTED when nothing is left to hold. */
export function licenseStatus(terms: LicenseTerms, balance: LicenseBalance, today: string): LicenseStatus {
  if (terms.revoked) return 'REVOKED';
  if (today > terms.validUntil) return 'EXPIRED';
  if (tppRemaining(balance) <= 0) return 'EXHAUSTED';
  return 'ACTIVE';
}

/** Items outside 3A090/4A090 need no 3A090 licence, so a licence need not list them. */
export function controlledEccns(eccns: readonly string[]): string[] {
  return [...new Set(eccns.filter((eccn) => !eccn.startsWith('OUTSIDE_')))].sort();
}

export interface LicenseRefusal {
  code: LicenseRefusalCode;
  detail: string;
}

/**
 * The first condition a licence fails for a shipment, or null when it covers it. Conditions are checked from
 * the most fundamental (a revoked licence, another exporter's) to the most changeable (remaining TPP).
 * A revoked licence is refused, but an expired or exhausted one is judged on its own terms: a licence that has
 * expired today may still cover a shipment whose ship date is inside its validity.
 */
export function licenseRefusal(
  terms: LicenseTerms,
  balance: LicenseBalance,
  shipment: ShipmentTerms,
): LicenseRefusal | null {
  if (terms.revoked) return { code: 'LICENSE_NOT_ACTIVE', detail: 'The licence was revoked.' };
  if (terms.organisationId !== shipment.organisationId) {
    return {
      code: 'LICENSE_WRONG_ORGANISATION',
      detail: "The licence was issued to another exporter than the shipment's organisation.",
    };
  }
  if (terms.destination !== shipment.destination) {
    return {
      code: 'LICENSE_WRONG_DESTINATION',
      detail: `The licence is for ${terms.destination}; the shipment goes to ${shipment.destination}.`,
    };
  }
  if (shipment.consigneeId === null || terms.consigneeId !== shipment.consigneeId) {
    return {
      code: 'LICENSE_WRONG_CONSIGNEE',
      detail: "The licence names another consignee than the shipment's.",
    };
  }
  const missing = controlledEccns(shipment.eccns).filter((eccn) => !terms.eccns.includes(eccn));
  if (missing.length > 0) {
    return {
      code: 'LICENSE_ECCN_NOT_COVERED',
      detail: `The licence does not cover ${missing.join(', ')}.`,
    };
  }
  if (shipment.shipDate < terms.validFrom || shipment.shipDate > terms.validUntil) {
    return {
      code: 'LICENSE_NOT_VALID_ON_SHIP_DATE',
      detail: `The ship date ${shipment.shipDate} is outside the licence's validity (${terms.validFrom} to ${terms.validUntil}).`,
    };
  }
  const remaining = tppRemaining(balance);
  if (shipment.totalTpp > remaining) {
    return {
      code: 'LICENSE_INSUFFICIENT_TPP',
      detail: `The shipment needs ${shipment.totalTpp} TPP; the licence has ${remaining} TPP remaining.`,
    };
  }
  return null;
}
