import { holdsQuota } from '../domain/shipment-status.ts';
import type { Db } from '../repositories/db.ts';
import { appendLedger, lockPoolById, type LedgerChange } from '../repositories/ledger-repository.ts';
import type { ShipmentRecord } from '../repositories/shipment-repository.ts';

export { LEDGER_TX_OPTIONS } from '../repositories/db.ts';

export interface Settled {
  countryTpp: number;
  lppTpp: number;
  licenseTpp: number;
}

/**
 * Ledger entries that move a shipment's holds: consumed on ship, released on cancel, expiry or (for the licence
 * hold alone) a revoked licence. Each pool is locked before its entry, in one order (country, LPP, licence).
 */
export async function settleHolds(
  tx: Db,
  record: ShipmentRecord,
  kind: 'CONSUME' | 'RELEASE',
  actorKeyId: string | null,
  options: { note?: string; only?: 'license' } = {},
): Promise<Settled> {
  const holds: [keyof Settled, string | null, number][] =
    options.only === 'license'
      ? [['licenseTpp', record.licensePoolId, record.licenseHoldTpp]]
      : [
          ['countryTpp', record.countryPoolId, record.countryHoldTpp],
          ['lppTpp', record.lppPoolId, record.lppHoldTpp],
          ['licenseTpp', record.licensePoolId, record.licenseHoldTpp],
        ];
  const settled: Settled = { countryTpp: 0, lppTpp: 0, licenseTpp: 0 };
  const changes: LedgerChange[] = [];
  for (const [field, poolId, amount] of holds) {
    if (poolId === null || amount <= 0) continue;
    await lockPoolById(tx, poolId);
    settled[field] = amount;
    changes.push({
      poolId,
      type: kind,
      shipmentId: record.id,
      reservedDelta: -amount,
      shippedDelta: kind === 'CONSUME' ? amount : 0,
      actorKeyId,
      ...(options.note !== undefined ? { note: options.note } : {}),
    });
  }
  await appendLedger(tx, changes);
  return settled;
}

export function isHoldExpired(record: ShipmentRecord, now: Date): boolean {
  return holdsQuota(record.status) && record.holdExpiresAt !== null && record.holdExpiresAt <= now;
}
