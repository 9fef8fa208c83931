import { licenseRefusal } from '../domain/license-coverage.ts';
import { AppError } from '../errors.ts';
import { appendLedger, lockPoolById } from '../repositories/ledger-repository.ts';
import { findLicenseForUpdate } from '../repositories/license-repository.ts';
import { updateShipment, type ShipmentRecord } from '../repositories/shipment-repository.ts';
import { recordAudit } from './audit.ts';
import type { ServiceContext } from './context.ts';
import { expireInTransaction } from './expire-holds.ts';
import { isHoldExpired, LEDGER_TX_OPTIONS } from './ledger-holds.ts';
import { organisationScope, lockVisibleShipment } from './shipment-access.ts';
import { storedDecision, toShipmentView, type ShipmentView } from './shipment-view.ts';

/**
 * Attaches a licence to a PENDING_LICENSE shipment: checks that it covers the shipment (owner, destination,
 * consignee, ECCNs, validity on the ship date, remaining TPP) and holds the shipment's TPP on it. Locks are
 * taken licence row, then shipment, then the licence's pool (the order revocation uses too), so concurrent
 * attachments to one licence queue and each sees what the previous one held: a licence never goes past
 * tppAuthorized, whichever process the attachments run in. Attaching the licence already attached answers the
 * shipment as it is. Audited in the same transaction.
 */
export async function attachLicense(
  ctx: ServiceContext,
  input: { shipmentId: string; licenseId: string },
): Promise<ShipmentView> {
  let conflict: string | null = null;
  const record = await ctx.db.$transaction(async (tx): Promise<ShipmentRecord> => {
    const license = await findLicenseForUpdate(tx, input.licenseId);
    const scope = organisationScope(ctx.actor);
    // Another organisation's licence is as unknown to a procurement key as one that does not exist.
    if (!license || (scope !== null && license.organisationId !== scope)) {
      throw new AppError('LICENSE_NOT_FOUND', `No licence with id ${input.licenseId}.`);
    }
    const shipment = await lockVisibleShipment(tx, ctx.actor, input.shipmentId);
    if (shipment.status === 'LICENSED' && shipment.licenseId === license.id) return shipment;
    if (isHoldExpired(shipment, ctx.now())) {
      conflict = 'The hold expired and was released; create a new shipment.';
      return expireInTransaction(tx, ctx, shipment);
    }
    if (shipment.status !== 'PENDING_LICENSE') {
      throw new AppError(
        'SHIPMENT_STATE_CONFLICT',
        shipment.status === 'LICENSED'
          ? `Shipment ${shipment.id} already has licence ${shipment.licenseId ?? ''} attached.`
          : `Only a PENDING_LICENSE shipment takes a licence; shipment ${shipment.id} is ${shipment.status}.`,
      );
    }
    const pool = await lockPoolById(tx, license.poolId);
    const decision = storedDecision(shipment);
    const refusal = licenseRefusal(
      { ...license, revoked: license.revokedAt !== null },
      { tppAuthorized: pool.capTpp, tppUsed: pool.shippedTpp, tppHeld: pool.reservedTpp },
      {
        organisationId: shipment.organisationId,
        destination: shipment.destination,
        consigneeId: shipment.consigneeId,
        eccns: decision.items.map((item) => item.eccn),
        shipDate: shipment.shipDate,
        totalTpp: shipment.totalTpp,
      },
    );
    if (refusal) throw new AppError(refusal.code, refusal.detail);
    await appendLedger(tx, [
      {
        poolId: pool.id,
        type: 'HOLD',
        shipmentId: shipment.id,
        reservedDelta: shipment.totalTpp,
        actorKeyId: ctx.actor?.keyId ?? null,
        note: `licence ${license.number}`,
      },
    ]);
    const after = await updateShipment(tx, shipment.id, {
      status: 'LICENSED',
      license: { licenseId: license.id, licensePoolId: pool.id, licenseHoldTpp: shipment.totalTpp },
    });
    await recordAudit(tx, ctx, {
      action: 'shipment.license.attach',
      targetType: 'shipment',
      targetId: shipment.id,
      payload: {
        before: { status: shipment.status, licenseId: null },
        after: { status: after.status, licenseId: license.id },
        license: { id: license.id, number: license.number },
        heldTpp: shipment.totalTpp,
        licenseBefore: { tppAuthorized: pool.capTpp, tppUsed: pool.shippedTpp, tppHeld: pool.reservedTpp },
      },
    });
    return after;
  }, LEDGER_TX_OPTIONS);
  if (conflict !== null) throw new AppError('SHIPMENT_STATE_CONFLICT', conflict);
  return toShipmentView(record);
}
