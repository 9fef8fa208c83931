import type { Db } from '../repositories/db.ts';
import {
  findExpiredHoldIds,
  findShipmentForUpdate,
  updateShipment,
  type ShipmentRecord,
} from '../repositories/shipment-repository.ts';
import { recordAudit } from './audit.ts';
import type { ServiceContext } from './context.ts';
import { isHoldExpired, LEDGER_TX_OPTIONS, settleHolds } from './ledger-holds.ts';

/** Releases an expired hold inside the caller's transaction, audited there. */
export async function expireInTransaction(
  tx: Db,
  ctx: Pick<ServiceContext, 'actor' | 'requestId' | 'now'>,
  record: ShipmentRecord,
): Promise<ShipmentRecord> {
  const settled = await settleHolds(tx, record, 'RELEASE', ctx.actor?.keyId ?? null, {
    note: 'hold expired',
  });
  const after = await updateShipment(tx, record.id, { status: 'EXPIRED' });
  await recordAudit(tx, ctx, {
    action: 'shipment.expire',
    targetType: 'shipment',
    targetId: record.id,
    payload: {
      before: { status: record.status, holdExpiresAt: record.holdExpiresAt },
      after: { status: after.status },
      released: settled,
    },
  });
  return after;
}

/** Releases holds whose expiry has passed. Run periodically by the server; safe to run from many processes. */
export async function expireHolds(
  ctx: Pick<ServiceContext, 'db' | 'actor' | 'requestId' | 'now'>,
  limit = 100,
): Promise<number> {
  const ids = await findExpiredHoldIds(ctx.db, ctx.now(), limit);
  let expired = 0;
  for (const id of ids) {
    await ctx.db.$transaction(async (tx) => {
      const current = await findShipmentForUpdate(tx, id);
      if (current && isHoldExpired(current, ctx.now())) {
        await expireInTransaction(tx, ctx, current);
        expired += 1;
      }
    }, LEDGER_TX_OPTIONS);
  }
  return expired;
}
