import { AppError } from '../errors.ts';
import type { ShipmentStatus } from '../domain/shipment-status.ts';
import { updateShipment, type ShipmentRecord } from '../repositories/shipment-repository.ts';
import { recordAudit } from './audit.ts';
import type { ServiceContext } from './context.ts';
import { expireInTransaction } from './expire-holds.ts';
import { isHoldExpired, LEDGER_TX_OPTIONS, settleHolds } from './ledger-holds.ts';
import { lockVisibleShipment } from './shipment-access.ts';
import { toShipmentView, type ShipmentView } from './shipment-view.ts';

const REFUSED: Partial<Record<ShipmentStatus, string>> = {
  SHIPPED: 'The shipment has shipped and its quota is consumed; it cannot be cancelled.',
  REJECTED: 'The shipment was rejected and holds nothing; there is nothing to cancel.',
  EXPIRED: 'The hold already expired and was released.',
};

/**
 * Cancels the shipment and releases every hold it has (country allocation, LPP, licence TPP). Idempotent:
 * cancelling a cancelled shipment answers its state and writes nothing. Audited in the same transaction.
 */
export async function cancelShipment(
  ctx: ServiceContext,
  input: { id: string; reason?: string | undefined },
): Promise<ShipmentView> {
  let conflict: string | null = null;
  const record = await ctx.db.$transaction(async (tx): Promise<ShipmentRecord> => {
    const current = await lockVisibleShipment(tx, ctx.actor, input.id);
    if (current.status === 'CANCELLED') return current;
    if (isHoldExpired(current, ctx.now())) {
      conflict = REFUSED.EXPIRED ?? 'The hold expired.';
      return expireInTransaction(tx, ctx, current);
    }
    const refusal = REFUSED[current.status];
    if (refusal !== undefined) throw new AppError('SHIPMENT_STATE_CONFLICT', refusal);
    const settled = await settleHolds(tx, current, 'RELEASE', ctx.actor?.keyId ?? null, {
      note: input.reason === undefined ? 'cancelled' : `cancelled: ${input.reason}`,
    });
    const after = await updateShipment(tx, current.id, {
      status: 'CANCELLED',
      cancelledAt: ctx.now(),
      cancelReason: input.reason ?? null,
    });
    await recordAudit(tx, ctx, {
      action: 'shipment.cancel',
      targetType: 'shipment',
      targetId: current.id,
      payload: {
        before: { status: current.status },
        after: { status: after.status },
        reason: input.reason ?? null,
        released: settled,
      },
    });
    return after;
  }, LEDGER_TX_OPTIONS);
  if (conflict !== null) throw new AppError('SHIPMENT_STATE_CONFLICT', conflict);
  return toShipmentView(record);
}
