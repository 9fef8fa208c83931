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

/**
 * Inserts a batch of shipments in one statement (unnest()ed arrays; the JSON goes in as text, which costs a
 * fraction of the ORM's serialisation). A violated unique idempotency key fails the whole statement.
 */
export async function insertShipments(
  db: Db,
  shipments: NewShipment[],
  createdAt: Date,
): Promise<ShipmentRecord[]> {
  if (shipments.length === 0) return [];
  const col = <T>(f: (s: NewShipment) => T): T[] => shipments.map(f);
  const at = createdAt.toISOString();
  await db.$executeRaw`
    INSERT INTO shipments (id, status, destination, consignee, ship_date, ruleset, total_tpp, country_hold_tpp, lpp_hold_tpp,
                           country_pool_id, lpp_pool_id, request, decision, api_key_id, idempotency_key, request_hash,
                           hold_expires_at, created_at, updated_at)
    SELECT id, status::"ShipmentStatus", destination, consignee, ship_date, ruleset, total_tpp, country_hold_tpp, lpp_hold_tpp,
           country_pool_id, lpp_pool_id, request::jsonb, decision::jsonb, api_key_id, idempotency_key, request_hash,
           hold_expires_at, ${at}::timestamptz, ${at}::timestamptz
    FROM unnest(
      ${col((x) => x.id)}::uuid[], ${col((x) => x.status)}::text[], ${col((x) => x.destination)}::text[],
      ${col((x) => x.consignee)}::text[], ${col((x) => x.shipDate)}::date[], ${col((x) => x.ruleset)}::text[],
      ${col((x) => x.totalTpp)}::numeric[], ${col((x) => x.countryHoldTpp)}::numeric[], ${col((x) => x.lppHoldTpp)}::numeric[],
      ${col((x) => x.countryPoolId)}::uuid[], ${col((x) => x.lppPoolId)}::uuid[], ${col((x) => JSON.stringify(x.request))}::text[],
      ${col((x) => JSON.stringify(x.decision))}::text[], ${col((x) => x.apiKeyId)}::uuid[], ${col((x) => x.idempotencyKey)}::text[],
      ${col((x) => x.requestHash)}::text[], ${col((x) => x.holdExpiresAt?.toISOString() ?? null)}::timestamptz[]
    ) AS t(id, status, destination, consignee, ship_date, ruleset, total_tpp, country_hold_tpp, lpp_hold_tpp,
           country_pool_id, lpp_pool_id, request, decision, api_key_id, idempotency_key, request_hash, hold_expires_at)`;
  // What was written, read back the way toRecord would: JSON through a round trip, as jsonb returns it.
  return shipments.map((x) => ({
    ...x,
    request: JSON.parse(JSON.stringify(x.request)) as unknown,
    decision: JSON.parse(JSON.stringify(x.decision)) as unknown,
    createdAt,
    updatedAt: createdAt,
    shippedAt: null,
    cancelledAt: null,
  }));
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
