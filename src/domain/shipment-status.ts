import type { Decision } from './types.ts';

export const SHIPMENT_STATUSES = [
  'RESERVED',
  'CLEARED',
  'PENDING_LICENSE',
  'REJECTED',
  'SHIPPED',
  'CANCELLED',
  'EXPIRED',
  'LICENSED',
] as const;
export type ShipmentStatus = (typeof SHIPMENT_STATUSES)[number];

export type InitialShipmentStatus = Extract<
  ShipmentStatus,
  'RESERVED' | 'CLEARED' | 'PENDING_LICENSE' | 'REJECTED'
>;

/**
 * What committing a decision means for the ledger (API.md): a presumed denial is REJECTED and holds nothing;
 * any other licence requirement is PENDING_LICENSE and holds what the licence would consume; an allowed
 * shipment that draws on a pool (LPP) is RESERVED; an allowed one that draws on nothing is CLEARED.
 */
export function initialShipmentStatus(
  decision: Pick<Decision, 'outcome' | 'allowed' | 'licenseRequired' | 'reviewPolicy' | 'holds'>,
): InitialShipmentStatus {
  if (decision.licenseRequired) {
    return decision.reviewPolicy === 'PRESUMPTION_OF_DENIAL' ? 'REJECTED' : 'PENDING_LICENSE';
  }
  // License Exception NAC holds no quota (15 CFR 740.8): the shipment is cleared of quota, and its decision's
  // outcome (NOTIFICATION_REQUIRED) and notification say what must happen before it goes.
  if (decision.outcome === 'NOTIFICATION_REQUIRED') return 'CLEARED';
  if (!decision.allowed) return 'REJECTED';
  return decision.holds.countryTpp > 0 || decision.holds.lppTpp > 0 ? 'RESERVED' : 'CLEARED';
}

/**
 * Statuses that hold quota, and so can be shipped (consumed), cancelled (released) or expire. LICENSED holds
 * the country allocation and TPP on its licence.
 */
export function holdsQuota(status: ShipmentStatus): boolean {
  return status === 'RESERVED' || status === 'PENDING_LICENSE' || status === 'LICENSED';
}
