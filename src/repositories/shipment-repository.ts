import type { Prisma, ShipmentStatus } from '../generated/prisma/client.ts';
import { toNumber, type Db } from './db.ts';

export interface ShipmentRecord {
  id: string;
  status: ShipmentStatus;
  destination: string;
  consignee: string;
  shipDate: string;
  ruleset: string;
  totalTpp: number;
  countryHoldTpp: number;
  lppHoldTpp: number;
  countryPoolId: string | null;
  lppPoolId: string | null;
  request: unknown;
  decision: unknown;
  apiKeyId: string;
  idempotencyKey: string;
  requestHash: string;
  holdExpiresAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
  shippedAt: Date | null;
  cancelledAt: Date | null;
}

type ShipmentRow = Prisma.ShipmentGetPayload<object>;

function toRecord(row: ShipmentRow): ShipmentRecord {
  return {
    ...row,
    shipDate: row.shipDate.toISOString().slice(0, 10),
    totalTpp: toNumber(row.totalTpp),
    countryHoldTpp: toNumber(row.countryHoldTpp),
    lppHoldTpp: toNumber(row.lppHoldTpp),
  };
}

export type NewShipment = Omit<ShipmentRecord, 'createdAt' | 'updatedAt' | 'shippedAt' | 'cancelledAt'>;

export async function insertShipment(
  db: Db,
  shipment: NewShipment,
  createdAt: Date,
): Promise<ShipmentRecord> {
  const row = await db.shipment.create({
    data: {
      ...shipment,
      shipDate: new Date(`${shipment.shipDate}T00:00:00Z`),
      request: shipment.request as Prisma.InputJsonValue,
      decision: shipment.decision as Prisma.InputJsonValue,
      createdAt,
    },
  });
  return toRecord(row);
}

export async function findShipment(db: Db, id: string): Promise<ShipmentRecord | null> {
  const row = await db.shipment.findUnique({ where: { id } });
  return row ? toRecord(row) : null;
}

/** Locks the shipment row for the rest of the transaction, so two transitions of one shipment serialise. */
export async function findShipmentForUpdate(db: Db, id: string): Promise<ShipmentRecord | null> {
  const locked = await db.$queryRaw<
    { id: string }[]
  >`SELECT id FROM shipments WHERE id = ${id}::uuid FOR UPDATE`;
  if (locked.length === 0) return null;
  return findShipment(db, id);
}

export async function findByIdempotencyKey(
  db: Db,
  apiKeyId: string,
  idempotencyKey: string,
): Promise<ShipmentRecord | null> {
  const row = await db.shipment.findUnique({
    where: { apiKeyId_idempotencyKey: { apiKeyId, idempotencyKey } },
  });
  return row ? toRecord(row) : null;
}

export async function updateShipmentStatus(
  db: Db,
  id: string,
  change: { status: ShipmentStatus; shippedAt?: Date; cancelledAt?: Date },
): Promise<ShipmentRecord> {
  return toRecord(await db.shipment.update({ where: { id }, data: change }));
}

/** Holds whose expiry has passed, oldest first. */
export async function findExpiredHoldIds(db: Db, now: Date, limit: number): Promise<string[]> {
  const rows = await db.shipment.findMany({
    where: { status: { in: ['RESERVED', 'PENDING_LICENSE'] }, holdExpiresAt: { lt: now } },
    select: { id: true },
    orderBy: { holdExpiresAt: 'asc' },
    take: limit,
  });
  return rows.map((r) => r.id);
}
