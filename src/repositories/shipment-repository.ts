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
  cancelReason: string | null;
  organisationId: string;
  consigneeId: string | null;
  externalReference: string | null;
  licenseId: string | null;
  licenseHoldTpp: number;
  licensePoolId: string | null;
}

type ShipmentRow = Prisma.ShipmentGetPayload<object>;

function toRecord(row: ShipmentRow): ShipmentRecord {
  return {
    ...row,
    shipDate: row.shipDate.toISOString().slice(0, 10),
    totalTpp: toNumber(row.totalTpp),
    countryHoldTpp: toNumber(row.countryHoldTpp),
    lppHoldTpp: toNumber(row.lppHoldTpp),
    licenseHoldTpp: toNumber(row.licenseHoldTpp),
  };
}

export type NewShipment = Omit<
  ShipmentRecord,
  | 'createdAt'
  | 'updatedAt'
  | 'shippedAt'
  | 'cancelledAt'
  | 'cancelReason'
  | 'licenseId'
  | 'licenseHoldTpp'
  | 'licensePoolId'
>;

/**
 * Inserts a batch of shipments in one statement from a single JSON parameter (a fraction of the ORM's cost).
 * A violated unique idempotency key fails the whole statement.
 */
export async function insertShipments(
  db: Db,
  shipments: NewShipment[],
  createdAt: Date,
): Promise<ShipmentRecord[]> {
  if (shipments.length === 0) return [];
  const at = createdAt.toISOString();
  const json = JSON.stringify(
    shipments.map((x) => ({
      id: x.id,
      status: x.status,
      destination: x.destination,
      consignee: x.consignee,
      ship_date: x.shipDate,
      ruleset: x.ruleset,
      total_tpp: x.totalTpp,
      country_hold_tpp: x.countryHoldTpp,
      lpp_hold_tpp: x.lppHoldTpp,
      country_pool_id: x.countryPoolId,
      lpp_pool_id: x.lppPoolId,
      request: x.request,
      decision: x.decision,
      api_key_id: x.apiKeyId,
      idempotency_key: x.idempotencyKey,
      request_hash: x.requestHash,
      hold_expires_at: x.holdExpiresAt?.toISOString() ?? null,
      organisation_id: x.organisationId,
      consignee_id: x.consigneeId,
      external_reference: x.externalReference,
    })),
  );
  await db.$executeRaw`
    INSERT INTO shipments (id, status, destination, consignee, ship_date, ruleset, total_tpp, country_hold_tpp, lpp_hold_tpp,
                           country_pool_id, lpp_pool_id, request, decision, api_key_id, idempotency_key, request_hash,
                           hold_expires_at, organisation_id, consignee_id, external_reference, created_at, updated_at)
    SELECT id, status::"ShipmentStatus", destination, consignee, ship_date, ruleset, total_tpp, country_hold_tpp,
           lpp_hold_tpp, country_pool_id, lpp_pool_id, request, decision, api_key_id, idempotency_key, request_hash,
           hold_expires_at, organisation_id, consignee_id, external_reference, ${at}::timestamptz, ${at}::timestamptz
    FROM jsonb_to_recordset(${json}::jsonb) AS t(id uuid, status text, destination text, consignee text, ship_date date,
      ruleset text, total_tpp numeric, country_hold_tpp numeric, lpp_hold_tpp numeric, country_pool_id uuid,
      lpp_pool_id uuid, request jsonb, decision jsonb, api_key_id uuid, idempotency_key text, request_hash text,
      hold_expires_at timestamptz, organisation_id uuid, consignee_id uuid, external_reference text)`;
  // What was written, read back the way toRecord would: JSON through a round trip, as jsonb returns it.
  return shipments.map((x) => ({
    ...x,
    request: JSON.parse(JSON.stringify(x.request)) as unknown,
    decision: JSON.parse(JSON.stringify(x.decision)) as unknown,
    createdAt,
    updatedAt: createdAt,
    shippedAt: null,
    cancelledAt: null,
    cancelReason: null,
    licenseId: null,
    licenseHoldTpp: 0,
    licensePoolId: null,
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

export interface ShipmentChange {
  status: ShipmentStatus;
  shippedAt?: Date;
  cancelledAt?: Date;
  cancelReason?: string | null;
  /** Attaching or detaching a licence: the licence, its pool and what the shipment holds on it. */
  license?: { licenseId: string | null; licensePoolId: string | null; licenseHoldTpp: number };
}

export async function updateShipment(db: Db, id: string, change: ShipmentChange): Promise<ShipmentRecord> {
  const { license, ...rest } = change;
  return toRecord(await db.shipment.update({ where: { id }, data: { ...rest, ...(license ?? {}) } }));
}

export async function findShipmentByExternalReference(
  db: Db,
  organisationId: string,
  externalReference: string,
): Promise<ShipmentRecord | null> {
  const row = await db.shipment.findUnique({
    where: { organisationId_externalReference: { organisationId, externalReference } },
  });
  return row ? toRecord(row) : null;
}

export interface ShipmentFilter {
  /** null: every organisation (officers, auditors). */
  organisationId: string | null;
  status?: ShipmentStatus | undefined;
  destination?: string | undefined;
  consigneeId?: string | undefined;
  licenseId?: string | undefined;
  externalReference?: string | undefined;
  createdFrom?: Date | undefined;
  createdTo?: Date | undefined;
}

/** Newest first; the page after `after` (the last row of the previous page: createdAt, then id). */
export async function listShipments(
  db: Db,
  filter: ShipmentFilter,
  page: { after?: { createdAt: Date; id: string } | undefined; limit: number },
): Promise<ShipmentRecord[]> {
  const rows = await db.shipment.findMany({
    where: {
      ...(filter.organisationId !== null ? { organisationId: filter.organisationId } : {}),
      ...(filter.status ? { status: filter.status } : {}),
      ...(filter.destination ? { destination: filter.destination } : {}),
      ...(filter.consigneeId ? { consigneeId: filter.consigneeId } : {}),
      ...(filter.licenseId ? { licenseId: filter.licenseId } : {}),
      ...(filter.externalReference ? { externalReference: filter.externalReference } : {}),
      ...(filter.createdFrom || filter.createdTo
        ? {
            createdAt: {
              ...(filter.createdFrom ? { gte: filter.createdFrom } : {}),
              ...(filter.createdTo ? { lt: filter.createdTo } : {}),
            },
          }
        : {}),
      ...(page.after
        ? {
            OR: [
              { createdAt: { lt: page.after.createdAt } },
              { createdAt: page.after.createdAt, id: { lt: page.after.id } },
            ],
          }
        : {}),
    },
    orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
    take: page.limit,
  });
  return rows.map(toRecord);
}

/** Shipments holding TPP on a licence and not yet shipped, locked in id order (revocation sends them back). */
export async function findUnshippedOnLicenseForUpdate(db: Db, licenseId: string): Promise<ShipmentRecord[]> {
  const locked = await db.$queryRaw<{ id: string }[]>`
    SELECT id FROM shipments WHERE license_id = ${licenseId}::uuid AND status = 'LICENSED' ORDER BY id FOR UPDATE`;
  if (locked.length === 0) return [];
  const rows = await db.shipment.findMany({
    where: { id: { in: locked.map((r) => r.id) } },
    orderBy: { id: 'asc' },
  });
  return rows.map(toRecord);
}

/** Holds whose expiry has passed, oldest first. */
export async function findExpiredHoldIds(db: Db, now: Date, limit: number): Promise<string[]> {
  const rows = await db.shipment.findMany({
    where: { status: { in: ['RESERVED', 'PENDING_LICENSE', 'LICENSED'] }, holdExpiresAt: { lt: now } },
    select: { id: true },
    orderBy: { holdExpiresAt: 'asc' },
    take: limit,
  });
  return rows.map((r) => r.id);
}
