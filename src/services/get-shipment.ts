import type { ServiceContext } from './context.ts';
import { findVisibleShipment } from './shipment-access.ts';
import { toShipmentView, type ShipmentView } from './shipment-view.ts';

/** One shipment, if the caller's organisation owns it (officers and auditors see all); otherwise 404. */
export async function getShipment(
  ctx: Pick<ServiceContext, 'db' | 'actor'>,
  input: { id: string },
): Promise<ShipmentView> {
  return toShipmentView(await findVisibleShipment(ctx.db, ctx.actor, input.id));
}
