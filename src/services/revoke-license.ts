import { markLicenseRevoked, findLicenseForUpdate } from '../repositories/license-repository.ts';
import { lockPoolById } from '../repositories/ledger-repository.ts';
import { findUnshippedOnLicenseForUpdate, updateShipment } from '../repositories/shipment-repository.ts';
import { AppError } from '../errors.ts';
import { recordAudits, type AuditInput } from './audit.ts';
import { isoDate, type ServiceContext } from './context.ts';
import { LEDGER_TX_OPTIONS, settleHolds } from './ledger-holds.ts';
import { toLicenseView, type LicenseView } from './license-view.ts';

/**
 * Revokes a licence (officer): no new attachments, and every shipment attached to it and not yet shipped goes
 * back to PENDING_LICENSE, its TPP on the licence released (it keeps its country allocation hold, so another
 * licence can be attached). Shipments already shipped stay shipped: the licence covered them when they left.
 * Idempotent; audited in the same transaction, one event for the licence and one per shipment sent back.
 */
export async function revokeLicense(
  ctx: ServiceContext,
  input: { id: string; reason: string },
): Promise<LicenseView> {
  return ctx.db.$transaction(async (tx) => {
    const license = await findLicenseForUpdate(tx, input.id);
    if (!license) throw new AppError('LICENSE_NOT_FOUND', `No licence with id ${input.id}.`);
    if (license.revokedAt !== null) {
      return toLicenseView(license, await lockPoolById(tx, license.poolId), isoDate(ctx.now()));
    }
    const revoked = await markLicenseRevoked(tx, license.id, ctx.now(), input.reason);
    const shipments = await findUnshippedOnLicenseForUpdate(tx, license.id);
    const audits: { ctx: ServiceContext; input: AuditInput }[] = [];
    for (const shipment of shipments) {
      const settled = await settleHolds(tx, shipment, 'RELEASE', ctx.actor?.keyId ?? null, {
        only: 'license',
        note: `licence ${license.number} revoked`,
      });
      await updateShipment(tx, shipment.id, {
        status: 'PENDING_LICENSE',
        license: { licenseId: null, licensePoolId: null, licenseHoldTpp: 0 },
      });
      audits.push({
        ctx,
        input: {
          action: 'shipment.license.detach',
          targetType: 'shipment',
          targetId: shipment.id,
          payload: {
            before: { status: shipment.status, licenseId: license.id },
            after: { status: 'PENDING_LICENSE', licenseId: null },
            released: settled,
            reason: `licence ${license.number} revoked: ${input.reason}`,
          },
        },
      });
    }
    const view = toLicenseView(revoked, await lockPoolById(tx, license.poolId), isoDate(ctx.now()));
    audits.unshift({
      ctx,
      input: {
        action: 'license.revoke',
        targetType: 'license',
        targetId: license.id,
        payload: {
          reason: input.reason,
          before: { revokedAt: null },
          after: { revokedAt: view.revokedAt, status: view.status },
          shipmentsSentBack: shipments.map((s) => s.id),
        },
      },
    });
    await recordAudits(tx, audits);
    return view;
  }, LEDGER_TX_OPTIONS);
}
