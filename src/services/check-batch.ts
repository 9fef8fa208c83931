import { randomUUID } from 'node:crypto';
import { DomainError } from '../domain/errors.ts';
import { AppError } from '../errors.ts';
import type { PrismaClient } from '../repositories/db.ts';
import { checkShipment, type CheckResult } from './check-shipment.ts';
import type { ServiceContext } from './context.ts';
import type { ShipmentRequest } from './evaluate-shipment.ts';

/** One check of a batch: a request that passed wire validation, or the refusal it already got there. */
export type BatchEntry =
  | { index: number; order?: string | undefined; request: ShipmentRequest }
  | { index: number; order?: string | undefined; refused: AppError };

export type BatchOutcome =
  | { index: number; order?: string | undefined; decision: CheckResult }
  | { index: number; order?: string | undefined; error: AppError };

/** Checks evaluated together before the batch yields the event loop to other requests. */
export const BATCH_CHUNK = 25;

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * Cost-based admission for batches: the order lines in evaluation in this process at once are bounded, so a few
 * large batches cannot starve single checks. A batch that does not fit now is refused with a retry hint rather
 * than queued: the caller's retry is cheaper than a held connection.
 */
class LineAdmission {
  private inFlight = 0;

  constructor(private readonly maxLines: number) {}

  admit(lines: number): () => void {
    if (lines > this.maxLines) {
      throw new AppError(
        'VALIDATION_FAILED',
        `This batch has ${lines} order lines; at most ${this.maxLines} can be checked in one batch. Split it.`,
        { errors: [{ path: 'body.checks', message: `at most ${this.maxLines} order lines in all` }] },
      );
    }
    if (this.inFlight + lines > this.maxLines) {
      throw new AppError(
        'RATE_LIMITED',
        `Batches totalling ${this.inFlight} order lines are being checked; this one (${lines}) does not fit under the limit of ${this.maxLines}. Retry in a second.`,
        { headers: { 'retry-after': '1' } },
      );
    }
    this.inFlight += lines;
    let released = false;
    return () => {
      if (!released) this.inFlight -= lines;
      released = true;
    };
  }
}

const admissions = new WeakMap<PrismaClient, LineAdmission>();

function admissionFor(ctx: ServiceContext): LineAdmission {
  let admission = admissions.get(ctx.db);
  if (!admission) {
    admission = new LineAdmission(ctx.config.BATCH_MAX_LINES_IN_FLIGHT);
    admissions.set(ctx.db, admission);
  }
  return admission;
}

/** A refusal the single-check route would have answered: the same problem, for this entry alone. */
function asEntryError(error: unknown): AppError {
  if (error instanceof AppError) return error;
  if (error instanceof DomainError) {
    return new AppError('VALIDATION_FAILED', error.message, {
      errors: [{ path: 'body', message: `${error.code}: ${error.message}` }],
    });
  }
  throw error;
}

/**
 * Checks every entry on its own, exactly as POST /v1/checks would (same evaluation, one audit event each, tagged
 * with the batch id and index), in request order. One bad entry is its own problem; the others are answered.
 * Entries are evaluated BATCH_CHUNK at a time with a turn of the event loop between chunks.
 */
export async function checkBatch(ctx: ServiceContext, entries: BatchEntry[]): Promise<BatchOutcome[]> {
  const lines = entries.reduce((sum, e) => sum + ('request' in e ? e.request.items.length : 0), 0);
  const release = admissionFor(ctx).admit(lines);
  const batchId = randomUUID();
  const outcomes: BatchOutcome[] = [];
  try {
    for (let start = 0; start < entries.length; start += BATCH_CHUNK) {
      if (start > 0) await nextTurn();
      const chunk = entries.slice(start, start + BATCH_CHUNK);
      const settled = await Promise.all(
        chunk.map(async (entry): Promise<BatchOutcome> => {
          const where = { index: entry.index, ...(entry.order !== undefined ? { order: entry.order } : {}) };
          if ('refused' in entry) return { ...where, error: entry.refused };
          try {
            const decision = await checkShipment(ctx, entry.request, { batchId, ...where });
            return { ...where, decision };
          } catch (error) {
            return { ...where, error: asEntryError(error) };
          }
        }),
      );
      outcomes.push(...settled);
    }
  } finally {
    release();
  }
  ctx.log.info({ batchId, checks: entries.length, lines }, 'batch checked');
  return outcomes;
}
