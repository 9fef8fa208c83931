import { createHash, randomUUID } from 'node:crypto';
import { holdsQuota, initialShipmentStatus, type ShipmentStatus } from '../domain/shipment-status.ts';
import { AppError } from '../errors.ts';
import { LEDGER_TX_OPTIONS, prismaErrorCode, type Db } from '../repositories/db.ts';
import type { PrismaClient } from '../repositories/db.ts';
import {
  appendLedger,
  lockPoolById,
  lockPools,
  poolKey,
  type LedgerChange,
} from '../repositories/ledger-repository.ts';
import type { QuotaPoolRecord } from '../repositories/quota-repository.ts';
import {
  findByIdempotencyKey,
  findExpiredHoldIds,
  findShipment,
  findShipmentForUpdate,
  insertShipments,
  updateShipmentStatus,
  type NewShipment,
  type ShipmentRecord,
} from '../repositories/shipment-repository.ts';
import { canonicalJson, recordAudit, recordAudits, type AuditInput } from './audit.ts';
import { auditedDecision, publicDecision, type CheckResult } from './check-shipment.ts';
import type { ServiceContext } from './context.ts';
import { reportGroupCommit } from './group-commit-observer.ts';
import {
  decidePrepared,
  prepareShipment,
  type PreparedShipment,
  type ShipmentRequest,
} from './evaluate-shipment.ts';

export interface ShipmentView {
  id: string;
  status: ShipmentStatus;
  decision: CheckResult;
  holds: { countryTpp: number; lppTpp: number; lppYear: number | null };
  holdExpiresAt: string | null;
  createdAt: string;
}

export interface ShipmentDetail extends ShipmentView {
  destination: string;
  consignee: string;
  shipDate: string;
  updatedAt: string;
  shippedAt: string | null;
  cancelledAt: string | null;
}

export interface ReserveResult {
  shipment: ShipmentView;
  replayed: boolean;
}

function lppYearOf(record: ShipmentRecord): number | null {
  const decision = record.decision as CheckResult;
  return decision.quota.lpp?.year ?? null;
}

/** The answer to the POST that created the shipment: built only from what never changes afterwards. */
function creationView(record: ShipmentRecord): ShipmentView {
  const decision = record.decision as CheckResult & { initialStatus?: ShipmentStatus };
  const { initialStatus, ...publicPart } = decision;
  return {
    id: record.id,
    status: initialStatus ?? record.status,
    decision: publicPart,
    holds: { countryTpp: record.countryHoldTpp, lppTpp: record.lppHoldTpp, lppYear: lppYearOf(record) },
    holdExpiresAt: record.holdExpiresAt?.toISOString() ?? null,
    createdAt: record.createdAt.toISOString(),
  };
}

export function shipmentDetail(record: ShipmentRecord): ShipmentDetail {
  return {
    ...creationView(record),
    status: record.status,
    destination: record.destination,
    consignee: record.consignee,
    shipDate: record.shipDate,
    updatedAt: record.updatedAt.toISOString(),
    shippedAt: record.shippedAt?.toISOString() ?? null,
    cancelledAt: record.cancelledAt?.toISOString() ?? null,
  };
}

export function requestHash(body: unknown): string {
  return createHash('sha256').update(canonicalJson(body)).digest('hex');
}

function replay(existing: ShipmentRecord, hash: string, idempotencyKey: string): ReserveResult {
  if (existing.requestHash !== hash) {
    throw new AppError(
      'IDEMPOTENCY_KEY_REUSED',
      `Idempotency-Key "${idempotencyKey}" was used for a different request (shipment ${existing.id}); use a new key for a new shipment.`,
    );
  }
  return { shipment: creationView(existing), replayed: true };
}

function addDays(date: Date, days: number): Date {
  return new Date(date.getTime() + days * 86_400_000);
}

interface PendingReservation {
  ctx: ServiceContext;
  actorKeyId: string;
  prepared: PreparedShipment;
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
async function reserveInTransaction(tx: Db, batch: PendingReservation[]): Promise<ShipmentRecord[]> {
  const first = batch[0];
  if (!first) return [];
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
  const audits: { ctx: ServiceContext; input: AuditInput }[] = [];
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
    const publicPart = publicDecision(decision, id);
    const { resolved, request } = prepared;
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
    });
    if (countryHold > 0 && countryPool) {
      changes.push({
        poolId: countryPool.id,
        type: 'HOLD',
        shipmentId: id,
        reservedDelta: countryHold,
        actorKeyId: pending.actorKeyId,
      });
    }
    if (lppHold > 0 && lppPool) {
      changes.push({
        poolId: lppPool.id,
        type: 'HOLD',
        shipmentId: id,
        reservedDelta: lppHold,
        actorKeyId: pending.actorKeyId,
      });
    }
    audits.push({
      ctx: pending.ctx,
      input: {
        action: 'shipment.create',
        targetType: 'shipment',
        targetId: id,
        payload: {
          input: request,
          resolved,
          idempotencyKey: pending.idempotencyKey,
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
 * Group commit for reservations. Concurrent reservations against one destination queue on the same pool row
 * lock anyway; here they queue in the process instead, and each transaction takes every reservation that arrived
 * while the previous one ran: one lock, one decision pass, one commit for the group. A lone reservation goes
 * straight through (no timer, no added latency). Across processes the row locks still serialise the groups.
 */
export class ReservationBatcher {
  private readonly queues = new Map<
    string,
    { pending: PendingReservation; resolve: (r: ShipmentRecord) => void; reject: (e: unknown) => void }[]
  >();
  private readonly running = new Set<string>();

  constructor(
    private readonly db: PrismaClient,
    private readonly maxBatch = 200,
  ) {}

  submit(pending: PendingReservation): Promise<ShipmentRecord> {
    return new Promise((resolve, reject) => {
      const key = pending.prepared.resolved.destination;
      const queue = this.queues.get(key) ?? [];
      queue.push({ pending, resolve, reject });
      this.queues.set(key, queue);
      if (!this.running.has(key)) void this.drain(key);
    });
  }

  private async drain(key: string): Promise<void> {
    this.running.add(key);
    try {
      for (;;) {
        const queue = this.queues.get(key);
        if (!queue || queue.length === 0) break;
        await this.commit(queue.splice(0, this.maxBatch));
      }
    } finally {
      this.running.delete(key);
      if (this.queues.get(key)?.length === 0) this.queues.delete(key);
    }
  }

  private async commit(
    group: {
      pending: PendingReservation;
      resolve: (r: ShipmentRecord) => void;
      reject: (e: unknown) => void;
    }[],
  ): Promise<void> {
    try {
      const records = await this.db.$transaction(
        (tx) =>
          reserveInTransaction(
            tx,
            group.map((g) => g.pending),
          ),
        LEDGER_TX_OPTIONS,
      );
      reportGroupCommit('reservation', group.length);
      group.forEach((g, i) => {
        const record = records[i];
        if (record) g.resolve(record);
        else g.reject(new Error('reservation batch lost a result'));
      });
    } catch (error) {
      if (group.length === 1) {
        group[0]?.reject(error);
        return;
      }
      // One reservation's failure (say, an idempotency key another process has just used) must not fail the
      // others: each is retried on its own, and only the one at fault sees its error.
      for (const g of group) {
        try {
          const [record] = await this.db.$transaction(
            (tx) => reserveInTransaction(tx, [g.pending]),
            LEDGER_TX_OPTIONS,
          );
          if (record) g.resolve(record);
          else g.reject(new Error('reservation lost its result'));
        } catch (retryError) {
          g.reject(retryError);
        }
      }
    }
  }
}

/**
 * Evaluates a shipment exactly like a check and, in the same transaction, holds what it uses. The pools are
 * locked before their balances are read, so concurrent reservations (from any number of processes) queue on the
 * pool row and each decides on the balance the previous one left: nothing is ever over-allocated.
 */
export async function reserveShipment(
  ctx: ServiceContext,
  input: { body: ShipmentRequest; idempotencyKey: string },
): Promise<ReserveResult> {
  const actor = ctx.actor;
  if (!actor) throw new AppError('UNAUTHENTICATED', 'A shipment needs an authenticated caller.');
  const hash = requestHash(input.body);
  const existing = await findByIdempotencyKey(ctx.db, actor.keyId, input.idempotencyKey);
  if (existing) return replay(existing, hash, input.idempotencyKey);

  // Validation and reference data come first, outside any lock, from the same notification-fed copy checks
  // read (a row it lacks is read from the database), so a reservation decides exactly as a check would.
  const prepared = await prepareShipment(ctx, input.body, ctx.reference);
  try {
    const record = await ctx.reservations.submit({
      ctx,
      actorKeyId: actor.keyId,
      prepared,
      idempotencyKey: input.idempotencyKey,
      hash,
    });
    return { shipment: creationView(record), replayed: false };
  } catch (error) {
    // Two requests with one key raced: the loser's insert hit the unique index after the winner committed.
    if (prismaErrorCode(error) === 'P2002' || isUniqueViolation(error)) {
      const winner = await findByIdempotencyKey(ctx.db, actor.keyId, input.idempotencyKey);
      if (winner) return replay(winner, hash, input.idempotencyKey);
    }
    throw error;
  }
}

/** A unique violation raised by a raw statement arrives as the driver's error, not as Prisma's P2002. */
function isUniqueViolation(error: unknown): boolean {
  const text =
    error instanceof Error
      ? `${error.message} ${String((error as { cause?: unknown }).cause ?? '')}`
      : String(error);
  return /23505|unique constraint|duplicate key/i.test(text);
}

export async function getShipment(ctx: Pick<ServiceContext, 'db'>, id: string): Promise<ShipmentDetail> {
  const record = await findShipment(ctx.db, id);
  if (!record) throw new AppError('SHIPMENT_NOT_FOUND', `No shipment with id ${id}.`);
  return shipmentDetail(record);
}

/** Ledger changes that move a shipment's holds: consumed on ship, released on cancel or expiry. */
async function settleHolds(
  tx: Db,
  record: ShipmentRecord,
  kind: 'CONSUME' | 'RELEASE',
  actorKeyId: string | null,
  note?: string,
): Promise<void> {
  const holds: [string | null, number][] = [
    [record.countryPoolId, record.countryHoldTpp],
    [record.lppPoolId, record.lppHoldTpp],
  ];
  const changes: LedgerChange[] = [];
  for (const [poolId, amount] of holds) {
    if (poolId === null || amount <= 0) continue;
    await lockPoolById(tx, poolId);
    changes.push({
      poolId,
      type: kind,
      shipmentId: record.id,
      reservedDelta: -amount,
      shippedDelta: kind === 'CONSUME' ? amount : 0,
      actorKeyId,
      ...(note !== undefined ? { note } : {}),
    });
  }
  await appendLedger(tx, changes);
}

function isHoldExpired(record: ShipmentRecord, now: Date): boolean {
  return holdsQuota(record.status) && record.holdExpiresAt !== null && record.holdExpiresAt <= now;
}

async function expireInTx(
  tx: Db,
  ctx: Pick<ServiceContext, 'actor' | 'requestId' | 'now'>,
  record: ShipmentRecord,
): Promise<ShipmentRecord> {
  await settleHolds(tx, record, 'RELEASE', ctx.actor?.keyId ?? null, 'hold expired');
  const after = await updateShipmentStatus(tx, record.id, { status: 'EXPIRED' });
  await recordAudit(tx, ctx, {
    action: 'shipment.expire',
    targetType: 'shipment',
    targetId: record.id,
    payload: {
      before: { status: record.status, holdExpiresAt: record.holdExpiresAt },
      after: { status: after.status },
    },
  });
  return after;
}

type Transition = 'ship' | 'cancel';

const CONFLICT_DETAIL: Record<Transition, Partial<Record<ShipmentStatus, string>>> = {
  ship: {
    CANCELLED:
      'The shipment was cancelled and its hold released; it cannot be shipped. Create a new shipment.',
    REJECTED: 'The shipment was rejected (presumption of denial); it cannot be shipped.',
    EXPIRED: 'The hold expired and was released; it cannot be shipped. Create a new shipment.',
  },
  cancel: {
    SHIPPED: 'The shipment has shipped and its quota is consumed; it cannot be cancelled.',
    REJECTED: 'The shipment was rejected and holds nothing; there is nothing to cancel.',
    EXPIRED: 'The hold already expired and was released.',
  },
};

/**
 * Ships (consumes the hold) or cancels (releases it). Idempotent: shipping a shipped shipment or cancelling a
 * cancelled one answers its current state and writes nothing. Transitions are audited in their transaction.
 */
export async function transitionShipment(
  ctx: ServiceContext,
  input: { id: string; transition: Transition; licenseNumber?: string | undefined },
): Promise<ShipmentDetail> {
  const done: ShipmentStatus = input.transition === 'ship' ? 'SHIPPED' : 'CANCELLED';
  let conflict: string | null = null;
  const record = await ctx.db.$transaction(async (tx) => {
    const current = await findShipmentForUpdate(tx, input.id);
    if (!current) throw new AppError('SHIPMENT_NOT_FOUND', `No shipment with id ${input.id}.`);
    if (current.status === done) return current;
    if (isHoldExpired(current, ctx.now())) {
      // The expiry commits even though the caller gets a conflict: the hold is released either way.
      conflict = CONFLICT_DETAIL[input.transition].EXPIRED ?? 'The hold expired.';
      return expireInTx(tx, ctx, current);
    }
    const refusal = CONFLICT_DETAIL[input.transition][current.status];
    if (refusal !== undefined) throw new AppError('SHIPMENT_STATE_CONFLICT', refusal);
    await settleHolds(
      tx,
      current,
      input.transition === 'ship' ? 'CONSUME' : 'RELEASE',
      ctx.actor?.keyId ?? null,
      input.licenseNumber ? `licence ${input.licenseNumber}` : undefined,
    );
    const now = ctx.now();
    const after = await updateShipmentStatus(
      tx,
      current.id,
      input.transition === 'ship' ? { status: done, shippedAt: now } : { status: done, cancelledAt: now },
    );
    await recordAudit(tx, ctx, {
      action: `shipment.${input.transition}`,
      targetType: 'shipment',
      targetId: current.id,
      payload: {
        before: { status: current.status },
        after: { status: after.status },
        ...(input.licenseNumber ? { licenseNumber: input.licenseNumber } : {}),
        settled: { countryTpp: current.countryHoldTpp, lppTpp: current.lppHoldTpp },
      },
    });
    return after;
  }, LEDGER_TX_OPTIONS);
  if (conflict !== null) throw new AppError('SHIPMENT_STATE_CONFLICT', conflict);
  return shipmentDetail(record);
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
        await expireInTx(tx, ctx, current);
        expired += 1;
      }
    }, LEDGER_TX_OPTIONS);
  }
  return expired;
}
