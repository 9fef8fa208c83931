import { AppError } from '../errors.ts';
import type { Db } from '../repositories/db.ts';
import type { ServiceContext } from './context.ts';
import {
  findShipment,
  findShipmentForUpdate,
  type ShipmentRecord,
} from '../repositories/shipment-repository.ts';

type Actor = ServiceContext['actor'];

/**
 * Which organisation's records the caller sees: its own for vendor and procurement keys, all (null) for officers
 * and auditors. A key of an exporter role without an organisation sees nothing rather than everything.
 */
export function organisationScope(actor: Actor): string | null {
  if (actor === null) return null;
  if (actor.role === 'officer' || actor.role === 'auditor') return null;
  if (actor.organisationId === null) {
    throw new AppError(
      'FORBIDDEN',
      `This ${actor.role} key belongs to no organisation; ask an officer for a new key.`,
    );
  }
  return actor.organisationId;
}

function notFound(id: string): AppError {
  return new AppError('SHIPMENT_NOT_FOUND', `No shipment with id ${id}.`);
}

/** Another organisation's shipment is 404, never 403: its existence is not revealed. */
function visible(record: ShipmentRecord | null, actor: Actor, id: string): ShipmentRecord {
  const scope = organisationScope(actor);
  if (!record || (scope !== null && record.organisationId !== scope)) throw notFound(id);
  return record;
}

export async function findVisibleShipment(db: Db, actor: Actor, id: string): Promise<ShipmentRecord> {
  return visible(await findShipment(db, id), actor, id);
}

/** The shipment row locked for the rest of the transaction, if the caller may see it. */
export async function lockVisibleShipment(db: Db, actor: Actor, id: string): Promise<ShipmentRecord> {
  return visible(await findShipmentForUpdate(db, id), actor, id);
}
