import type { ShipmentStatus } from '../domain/shipment-status.ts';
import { holdsQuota } from '../domain/shipment-status.ts';
import type { ShipmentRecord } from '../repositories/shipment-repository.ts';
import type { CheckResult } from './check-shipment.ts';
import { withCurrentDecisionFields } from './decision-compat.ts';

/** The one view of a shipment: the 201 of POST /v1/shipments, GET, list, ship, cancel and attach all answer it. */
export interface ShipmentView {
  id: string;
  status: ShipmentStatus;
  organisationId: string;
  externalReference: string | null;
  destination: string;
  consignee: { id: string | null; name: string };
  shipDate: string;
  decision: CheckResult;
  /** What the shipment holds now: zero once shipped (consumed), cancelled or expired (released). */
  holds: { countryTpp: number; lppTpp: number; lppYear: number | null; licenseTpp: number };
  licenseId: string | null;
  holdExpiresAt: string | null;
  createdAt: string;
  updatedAt: string;
  shippedAt: string | null;
  cancelledAt: string | null;
  cancelReason: string | null;
}

/** The decision as stored, less the bookkeeping kept beside it. */
export function storedDecision(record: ShipmentRecord): CheckResult {
  const { initialStatus: _initialStatus, ...decision } = record.decision as CheckResult & {
    initialStatus?: ShipmentStatus;
  };
  // Decisions stored before a field existed (outcome, country groups…) are filled in as they read now.
  return withCurrentDecisionFields(decision, record.shipDate);
}

export function toShipmentView(record: ShipmentRecord): ShipmentView {
  const decision = storedDecision(record);
  const holding = holdsQuota(record.status);
  return {
    id: record.id,
    status: record.status,
    organisationId: record.organisationId,
    externalReference: record.externalReference,
    destination: record.destination,
    consignee: { id: record.consigneeId, name: record.consignee },
    shipDate: record.shipDate,
    decision,
    holds: {
      countryTpp: holding ? record.countryHoldTpp : 0,
      lppTpp: holding ? record.lppHoldTpp : 0,
      lppYear: decision.quota.lpp?.year ?? null,
      licenseTpp: holding ? record.licenseHoldTpp : 0,
    },
    licenseId: record.licenseId,
    holdExpiresAt: holding ? (record.holdExpiresAt?.toISOString() ?? null) : null,
    createdAt: record.createdAt.toISOString(),
    updatedAt: record.updatedAt.toISOString(),
    shippedAt: record.shippedAt?.toISOString() ?? null,
    cancelledAt: record.cancelledAt?.toISOString() ?? null,
    cancelReason: record.cancelReason,
  };
}
