import { createHash, randomUUID } from 'node:crypto';
import { initialShipmentStatus } from '../domain/shipment-status.ts';
import { AppError, validationError } from '../errors.ts';
import { isUniqueViolation, type Db, type PrismaClient } from '../repositories/db.ts';
import { appendLedger, lockPools, poolKey, type LedgerChange } from '../repositories/ledger-repository.ts';
import type { QuotaPoolRecord } from '../repositories/quota-repository.ts';
import {
  findByIdempotencyKey,
  findShipmentByExternalReference,
  insertShipments,
  type NewShipment,
  type ShipmentRecord,
} from '../repositories/shipment-repository.ts';
import { canonicalJson, recordAudits, type AuditInput } from './audit.ts';
import { auditedDecision, publicDecision } from './check-shipment.ts';
import type { ServiceContext } from './context.ts';
import {
  decidePrepared,
  prepareShipment,
  withConsignee,
  type ConsigneeRef,
  type PreparedShipment,
} from './evaluate-shipment.ts';
import { GroupCommit } from './group-commit.ts';
import { reportGroupCommit } from './group-commit-observer.ts';
import { refuseListedParties } from './screening.ts';
import { LEDGER_TX_OPTIONS } from './ledger-holds.ts';
import { recordConsignees, resolveRequestParties, type PartyReferencingRequest } from './parties.ts';
import { toShipmentView, type ShipmentView } from './shipment-view.ts';

/** POST /v1/shipments: a check body plus the buyer's own order number. */
export interface ReserveShipmentInput extends PartyReferencingRequest {
  externalReference?: string | undefined;
}

export interface ReserveResult {
  shipment: ShipmentView;
  replayed: boolean;
}

export function requestHash(body: unknown): string {
  return createHash('sha256').update(canonicalJson(body)).digest('hex');
}

function addDays(date: Date, days: number): Date {
  return new Date(date.getTime() + days * 86_400_000);
}

interface PendingReservation {
  ctx: ServiceContext;
  actorKeyId: string;
  organisationId: string;
  externalReference: string | null;
  input: ReserveShipmentInput;
  /** Prepared with the consignee as looked up; a consignee without a party is recorded in the transaction. */
  prepared: PreparedShipment;
  consignee: ConsigneeRef;
  idempotencyKey: string;
  hash: string;
}

/**
 * Decides and writes a group of reservations for one destination in the caller's transaction. The pools are
 * locked first (country, then the consignees' LPP pools in sorted order: one order for every writer), then each
 * reservation is decided in arrival order on the balance the previous one left, exactly as if they had come one
 * by one; then all shipments, ledger entries (with their balance updates) and audit events are written in one
 * statement each.
 */
async function reserveInTransaction(tx: Db, group: PendingReservation[]): Promise<ShipmentRecord[]> {
  const first = group[0];
  if (!first) return [];
  // Consignees named for the first time become parties first (their rows locked in one order), so that each
  // LPP budget is keyed by the party id before any pool is locked.
  const recorded = await recordConsignees(
    tx,
    group.map((p) => ({ consignee: p.consignee, country: p.prepared.resolved.destination })),
  );
  const batch = group.map((pending, i) => {
    const consignee = recorded.consignees[i] ?? pending.consignee;
    return { ...pending, prepared: withConsignee(pending.prepared, consignee) };
  });
  const countrySpec = batch.find((p) => p.prepared.pools.country)?.prepared.pools.country ?? null;
  const countryPools = countrySpec
    ? await lockPools(
        tx,
        'COUNTRY_ALLOCATION',
        [{ subject: countrySpec.code, year: 0, capTpp: countrySpec.capTpp }],
        first.actorKeyId,
      )
    : new Map<string, QuotaPoolRecord>();
  const lppSpecs = batch.flatMap((p) => {
    const lpp = p.prepared.pools.lpp;
    return lpp ? [{ subject: lpp.consigneeKey, year: lpp.year, capTpp: lpp.capTpp }] : [];
  });
  const lppPools = await lockPools(tx, 'LPP', lppSpecs, first.actorKeyId);

  const now = first.ctx.now();
  const shipments: NewShipment[] = [];
  const changes: LedgerChange[] = [];
  const audits: { ctx: ServiceContext; input: AuditInput }[] = recorded.created.map(({ audit }) => ({
    ctx: first.ctx,
    input: audit,
  }));
  for (const pending of batch) {
    const { prepared } = pending;
    const countryPool = prepared.pools.country
      ? (countryPools.get(poolKey(prepared.pools.country.code, 0)) ?? null)
      : null;
    const lppPool = prepared.pools.lpp
      ? (lppPools.get(poolKey(prepared.pools.lpp.consigneeKey, prepared.pools.lpp.year)) ?? null)
      : null;
    const decision = decidePrepared(prepared, { country: countryPool, lpp: lppPool });
    const status = initialShipmentStatus(decision);
    const holding = status === 'RESERVED' || status === 'PENDING_LICENSE';
    const countryHold = holding && countryPool ? decision.holds.countryTpp : 0;
    const lppHold = holding && lppPool ? decision.holds.lppTpp : 0;
    // The next reservation in the batch decides on what this one leaves.
    if (countryPool && countryHold > 0) countryPool.reservedTpp += countryHold;
    if (lppPool && lppHold > 0) lppPool.reservedTpp += lppHold;

    const id = randomUUID();
    const { resolved, request } = prepared;
    const publicPart = publicDecision(decision, id, { id: resolved.consigneeId, name: resolved.consignee });
    shipments.push({
      id,
      status,
      destination: resolved.destination,
      consignee: resolved.consignee,
      shipDate: resolved.shipDate,
      ruleset: resolved.ruleset,
      totalTpp: decision.totalTpp,
      countryHoldTpp: countryHold,
      lppHoldTpp: lppHold,
      countryPoolId: countryHold > 0 && countryPool ? countryPool.id : null,
      lppPoolId: lppHold > 0 && lppPool ? lppPool.id : null,
      request,
      decision: { ...publicPart, initialStatus: status },
      apiKeyId: pending.actorKeyId,
      idempotencyKey: pending.idempotencyKey,
      requestHash: pending.hash,
      holdExpiresAt: countryHold > 0 || lppHold > 0 ? addDays(now, pending.ctx.config.HOLD_TTL_DAYS) : null,
      organisationId: pending.organisationId,
      consigneeId: resolved.consigneeId,
      externalReference: pending.externalReference,
    });
    for (const [pool, amount] of [
      [countryPool, countryHold],
      [lppPool, lppHold],
    ] as const) {
      if (pool && amount > 0) {
        changes.push({
          poolId: pool.id,
          type: 'HOLD',
          shipmentId: id,
          reservedDelta: amount,
          actorKeyId: pending.actorKeyId,
        });
      }
    }
    audits.push({
      ctx: pending.ctx,
      input: {
        action: 'shipment.create',
        targetType: 'shipment',
        targetId: id,
        payload: {
          organisationId: pending.organisationId,
          input: pending.input,
          resolved,
          idempotencyKey: pending.idempotencyKey,
          externalReference: pending.externalReference,
          status,
          holds: { countryTpp: countryHold, lppTpp: lppHold },
          output: auditedDecision(publicPart),
        },
      },
    });
  }
  const records = await insertShipments(tx, shipments, now);
  await appendLedger(tx, changes);
  // Last, so the chain's lock is held for as short a time as possible.
  await recordAudits(tx, audits);
  return records;
}

/**
 * Group commit for reservations (group-commit.ts), one queue per destination. Concurrent reservations against
 * one destination queue on the same pool row lock anyway; here they queue in the process instead, and each
 * transaction takes every reservation that arrived while the previous one ran. A lone reservation goes straight
 * through. A failing group is retried one by one, so only the reservation at fault sees its error. Across
 * processes the row locks still serialise the groups. One per connection pool.
 */
const reservationQueues = new WeakMap<PrismaClient, GroupCommit<PendingReservation, ShipmentRecord>>();

function reservationQueue(db: PrismaClient): GroupCommit<PendingReservation, ShipmentRecord> {
  let queue = reservationQueues.get(db);
  if (!queue) {
    queue = new GroupCommit<PendingReservation, ShipmentRecord>({
      maxBatch: 200,
      maxDelayMs: 0,
      retryAlone: true,
      commit: async (batch) => {
        const records = await db.$transaction((tx) => reserveInTransaction(tx, batch), LEDGER_TX_OPTIONS);
        reportGroupCommit('reservation', batch.length);
        return records;
      },
    });
    reservationQueues.set(db, queue);
  }
  return queue;
}

function replay(existing: ShipmentRecord, hash: string, idempotencyKey: string): ReserveResult {
  if (existing.requestHash !== hash) {
    throw new AppError(
      'IDEMPOTENCY_KEY_REUSED',
      `Idempotency-Key "${idempotencyKey}" was used for a different request (shipment ${existing.id}); use a new key for a new shipment.`,
    );
  }
  return { shipment: toShipmentView(existing), replayed: true };
}

function referenceTaken(existing: ShipmentRecord): AppError {
  return new AppError(
    'EXTERNAL_REFERENCE_TAKEN',
    `Your organisation's shipment ${existing.id} already has externalReference "${existing.externalReference}"; ` +
      'find it with GET /v1/shipments?externalReference=…',
  );
}

/**
 * Evaluates a shipment exactly like a check and, in the same transaction, holds what it uses. The pools are
 * locked before their balances are read, so concurrent reservations (from any number of processes) queue on the
 * pool row and each decides on the balance the previous one left: nothing is ever over-allocated. The shipment
 * belongs to the caller's organisation; its consignee is recorded as a party (audited) if it is new.
 */
export async function reserveShipment(
  ctx: ServiceContext,
  input: { body: ReserveShipmentInput; idempotencyKey: string },
): Promise<ReserveResult> {
  const actor = ctx.actor;
  if (!actor) throw new AppError('UNAUTHENTICATED', 'A shipment needs an authenticated caller.');
  const organisationId = actor.organisationId;
  if (organisationId === null) {
    throw validationError(
      [{ path: 'authorization', message: `a ${actor.role} key belongs to no organisation` }],
      "A shipment belongs to an exporter: create it with that organisation's procurement key.",
    );
  }
  const hash = requestHash(input.body);
  const existing = await findByIdempotencyKey(ctx.db, actor.keyId, input.idempotencyKey);
  if (existing) return replay(existing, hash, input.idempotencyKey);
  const externalReference = input.body.externalReference ?? null;
  if (externalReference !== null) {
    const taken = await findShipmentByExternalReference(ctx.db, organisationId, externalReference);
    if (taken) throw referenceTaken(taken);
  }

  // Validation and reference data come first, outside any lock, from the same notification-fed copy checks
  // read (a row it lacks is read from the database), so a reservation decides exactly as a check would.
  const { externalReference: _ref, ...checkBody } = input.body;
  const { request, consignee } = await resolveRequestParties(ctx.db, checkBody);
  const prepared = await prepareShipment(ctx, request, ctx.reference, consignee);
  refuseListedParties(prepared.screening);
  try {
    const record = await reservationQueue(ctx.db).submit(prepared.resolved.destination, {
      ctx,
      actorKeyId: actor.keyId,
      organisationId,
      externalReference,
      input: input.body,
      prepared,
      consignee,
      idempotencyKey: input.idempotencyKey,
      hash,
    });
    return { shipment: toShipmentView(record), replayed: false };
  } catch (error) {
    if (isUniqueViolation(error)) {
      // Two requests with one key raced: the loser's insert hit the unique index after the winner committed.
      const winner = await findByIdempotencyKey(ctx.db, actor.keyId, input.idempotencyKey);
      if (winner) return replay(winner, hash, input.idempotencyKey);
      if (externalReference !== null) {
        const taken = await findShipmentByExternalReference(ctx.db, organisationId, externalReference);
        if (taken) throw referenceTaken(taken);
      }
    }
    throw error;
  }
}
