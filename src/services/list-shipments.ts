import type { ShipmentStatus } from '../domain/shipment-status.ts';
import { validationError } from '../errors.ts';
import { listShipments as listShipmentRows } from '../repositories/shipment-repository.ts';
import type { ServiceContext } from './context.ts';
import { organisationScope } from './shipment-access.ts';
import { toShipmentView, type ShipmentView } from './shipment-view.ts';

export interface ShipmentListInput {
  status?: ShipmentStatus | undefined;
  destination?: string | undefined;
  consigneeId?: string | undefined;
  licenseId?: string | undefined;
  externalReference?: string | undefined;
  /** Created at or after this instant. */
  from?: Date | undefined;
  /** Created before this instant. */
  to?: Date | undefined;
  limit: number;
  cursor?: string | undefined;
}

/** The cursor names the last shipment of the previous page (its creation time and id): stable under inserts. */
function encodeCursor(view: ShipmentView): string {
  return Buffer.from(JSON.stringify([view.createdAt, view.id])).toString('base64url');
}

function decodeCursor(cursor: string): { createdAt: Date; id: string } {
  try {
    const value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (
      Array.isArray(value) &&
      value.length === 2 &&
      typeof value[0] === 'string' &&
      typeof value[1] === 'string' &&
      /^[0-9a-f-]{36}$/.test(value[1]) &&
      !Number.isNaN(Date.parse(value[0]))
    ) {
      return { createdAt: new Date(value[0]), id: value[1] };
    }
  } catch {
    // fall through to the validation error
  }
  throw validationError([{ path: 'querystring.cursor', message: 'is not a cursor this service issued' }]);
}

/** The caller's organisation's shipments (every organisation's for officers and auditors), newest first. */
export async function listShipments(
  ctx: Pick<ServiceContext, 'db' | 'actor'>,
  input: ShipmentListInput,
): Promise<{ data: ShipmentView[]; nextCursor: string | null }> {
  if (input.from && input.to && input.from >= input.to) {
    throw validationError([{ path: 'querystring.to', message: 'must be after from' }]);
  }
  const rows = await listShipmentRows(
    ctx.db,
    {
      organisationId: organisationScope(ctx.actor),
      status: input.status,
      destination: input.destination,
      consigneeId: input.consigneeId,
      licenseId: input.licenseId,
      externalReference: input.externalReference,
      createdFrom: input.from,
      createdTo: input.to,
    },
    { after: input.cursor ? decodeCursor(input.cursor) : undefined, limit: input.limit + 1 },
  );
  const data = rows.slice(0, input.limit).map(toShipmentView);
  const last = data.at(-1);
  return { data, nextCursor: rows.length > input.limit && last ? encodeCursor(last) : null };
}
