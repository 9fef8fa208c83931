import { AppError } from '../errors.ts';
import type { ShipmentStatus } from '../domain/shipment-status.ts';
import { findLicense } from '../repositories/license-repository.ts';
import { updateShipment, type ShipmentRecord } from '../repositories/shipment-repository.ts';
import { recordAudit } from './audit.ts';
import type { ServiceContext } from './context.ts';
import { expireInTransaction } from './expire-holds.ts';
import { isHoldExpired, LEDGER_TX_OPTIONS, settleHolds } from './ledger-holds.ts';
import { lockVisibleShipment } from './shipment-access.ts';
import { toShipmentView, type ShipmentView } from './shipment-view.ts';

const REFUSED: Partial<Record<ShipmentStatus, string>> = {
  CANCELLED: 'The shipment was cancelled and its hold released; it cannot be shipped. Create a new shipment.',
  REJECTED: 'The shipment was rejected (presumption of denial); it cannot be shipped.',
  EXPIRED: 'The hold expired and was released; it cannot be shipped. Create a new shipment.',
};

/**
 * Records that the shipment left: every hold it has (country allocation, LPP, licence) becomes consumption.
 * A shipment that needs a licence ships only with one attached (POST /v1/shipments/{id}/license); a licence
 * number in the body is checked against the attached licence, never taken on trust. Idempotent: shipping a
 * shipped shipment answers its state and writes nothing. Audited in the same transaction.
 */
export async function shipShipment(
  ctx: ServiceContext,
  input: { id: string; licenseNumber?: string | undefined },
): Promise<ShipmentView> {
  let conflict: string | null = null;
  const record = await ctx.db.$transaction(async (tx): Promise<ShipmentRecord> => {
    const current = await lockVisibleShipment(tx, ctx.actor, input.id);
    if (current.status === 'SHIPPED') return current;
    if (isHoldExpired(current, ctx.now())) {
      // The expiry commits even though the caller gets a conflict: the hold is released either way.
      conflict = REFUSED.EXPIRED ?? 'The hold expired.';
      return expireInTransaction(tx, ctx, current);
    }
    const refusal = REFUSED[current.status];
    if (refusal !== undefined) throw new AppError('SHIPMENT_STATE_CONFLICT', refusal);
    if (current.status === 'PENDING_LICENSE') {
      throw new AppError(
        'LICENSE_REQUIRED',
        `Shipment ${current.id} needs a licence and has none attached. An officer records the licence ` +
          `(POST /v1/licenses); attach it with POST /v1/shipments/${current.id}/license, then ship.`,
      );
    }
    const license = current.licenseId === null ? null : await findLicense(tx, current.licenseId);
    if (input.licenseNumber !== undefined && input.licenseNumber !== license?.number) {
      throw new AppError(
        'LICENSE_REQUIRED',
        license === null
          ? `Licence ${input.licenseNumber} is not attached to shipment ${current.id}, which carries no licence.`
          : `Licence ${input.licenseNumber} is not the licence attached to shipment ${current.id} (${license.number}).`,
      );
    }
    const settled = await settleHolds(tx, current, 'CONSUME', ctx.actor?.keyId ?? null, {
      ...(license ? { note: `licence ${license.number}` } : {}),
    });
    const after = await updateShipment(tx, current.id, { status: 'SHIPPED', shippedAt: ctx.now() });
    await recordAudit(tx, ctx, {
      action: 'shipment.ship',
      targetType: 'shipment',
      targetId: current.id,
      payload: {
        before: { status: current.status },
        after: { status: after.status },
        license: license ? { id: license.id, number: license.number } : null,
        consumed: settled,
      },
    });
    return after;
  }, LEDGER_TX_OPTIONS);
  if (conflict !== null) throw new AppError('SHIPMENT_STATE_CONFLICT', conflict);
  return toShipmentView(record);
}
