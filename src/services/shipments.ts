import { createHash, randomUUID } from 'node:crypto';
import { holdsQuota, initialShipmentStatus, type ShipmentStatus } from '../domain/shipment-status.ts';
import { AppError } from '../errors.ts';
import { prismaErrorCode, type Db } from '../repositories/db.ts';
import {
  appendLedger,
  lockPool,
  lockPoolById,
  type LedgerChange,
} from '../repositories/ledger-repository.ts';
import {
  findByIdempotencyKey,
  findExpiredHoldIds,
  findShipment,
  findShipmentForUpdate,
  insertShipment,
  updateShipmentStatus,
  type ShipmentRecord,
} from '../repositories/shipment-repository.ts';
import { canonicalJson, recordAudit } from './audit.ts';
import { publicDecision, type CheckResult } from './check-shipment.ts';
import type { ServiceContext } from './context.ts';
import { evaluateShipment, type PoolReader, type ShipmentRequest } from './evaluate-shipment.ts';
import { databaseReference } from './reference-data.ts';

/** Interactive transactions here may queue behind a hot pool's row lock: give them room, not the 5 s default. */
export const LEDGER_TX_OPTIONS = { maxWait: 30_000, timeout: 30_000 } as const;

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

/** Creates (and locks) the pools a decision reads, country first, so every writer takes locks in one order. */
function lockingPoolReader(actorKeyId: string | null): PoolReader {
  return async (db, pools) => {
    const country = pools.country
      ? await lockPool(db, 'COUNTRY_ALLOCATION', pools.country.code, 0, pools.country.capTpp, actorKeyId)
      : null;
    const lpp = pools.lpp
      ? await lockPool(db, 'LPP', pools.lpp.consigneeKey, pools.lpp.year, pools.lpp.capTpp, actorKeyId)
      : null;
    return { country, lpp };
  };
}

function addDays(date: Date, days: number): Date {
  return new Date(date.getTime() + days * 86_400_000);
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

  try {
    const record = await ctx.db.$transaction(async (tx) => {
      const evaluation = await evaluateShipment(
        tx,
        ctx,
        input.body,
        lockingPoolReader(actor.keyId),
        // A reservation reads the reference data in its own transaction, never from a cache.
        databaseReference(tx),
      );
      const { decision, countryPool, lppPool, resolved } = evaluation;
      const status = initialShipmentStatus(decision);
      const holding = status === 'RESERVED' || status === 'PENDING_LICENSE';
      const countryHold = holding && countryPool ? decision.holds.countryTpp : 0;
      const lppHold = holding && lppPool ? decision.holds.lppTpp : 0;
      const id = randomUUID();
      const now = ctx.now();
      const publicPart = publicDecision(decision, id);
      const shipment = await insertShipment(
        tx,
        {
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
          request: input.body,
          decision: { ...publicPart, initialStatus: status },
          apiKeyId: actor.keyId,
          idempotencyKey: input.idempotencyKey,
          requestHash: hash,
          holdExpiresAt: countryHold > 0 || lppHold > 0 ? addDays(now, ctx.config.HOLD_TTL_DAYS) : null,
        },
        now,
      );
      const changes: LedgerChange[] = [];
      if (countryHold > 0 && countryPool) {
        changes.push({
          poolId: countryPool.id,
          type: 'HOLD',
          shipmentId: id,
          reservedDelta: countryHold,
          actorKeyId: actor.keyId,
        });
      }
      if (lppHold > 0 && lppPool) {
        changes.push({
          poolId: lppPool.id,
          type: 'HOLD',
          shipmentId: id,
          reservedDelta: lppHold,
          actorKeyId: actor.keyId,
        });
      }
      await appendLedger(tx, changes);
      await recordAudit(tx, ctx, {
        action: 'shipment.create',
        targetType: 'shipment',
        targetId: id,
        payload: {
          input: input.body,
          resolved,
          idempotencyKey: input.idempotencyKey,
          status,
          holds: { countryTpp: countryHold, lppTpp: lppHold },
          output: publicPart,
        },
      });
      return shipment;
    }, LEDGER_TX_OPTIONS);
    return { shipment: creationView(record), replayed: false };
  } catch (error) {
    // Two requests with one key raced: the loser's insert hit the unique index after the winner committed.
    if (prismaErrorCode(error) === 'P2002') {
      const winner = await findByIdempotencyKey(ctx.db, actor.keyId, input.idempotencyKey);
      if (winner) return replay(winner, hash, input.idempotencyKey);
    }
    throw error;
  }
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
