import { randomUUID } from 'node:crypto';
import { DomainError } from '../domain/errors.ts';
import { AppError } from '../errors.ts';
import { checkShipment, type CheckResult } from './check-shipment.ts';
import type { ServiceContext } from './context.ts';
import type { PartyReferencingRequest } from './parties.ts';

/** One check of a batch: a request that passed wire validation, or the refusal it already got there. */
export type BatchEntry =
  | { index: number; order?: string | undefined; request: PartyReferencingRequest }
  | { index: number; order?: string | undefined; refused: AppError };

export type BatchOutcome =
  | { index: number; order?: string | undefined; decision: CheckResult }
  | { index: number; order?: string | undefined; error: AppError };

/** Checks evaluated together before the batch yields the event loop to other requests. */
export const BATCH_CHUNK = 25;

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

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
 * Entries are evaluated BATCH_CHUNK at a time with a turn of the event loop between chunks; the batch's order
 * lines were admitted as a whole before it got here (http/plugins/admission.ts), like any check's.
 */
export async function checkBatch(ctx: ServiceContext, entries: BatchEntry[]): Promise<BatchOutcome[]> {
  const lines = entries.reduce((sum, e) => sum + ('request' in e ? e.request.items.length : 0), 0);
  const batchId = randomUUID();
  const outcomes: BatchOutcome[] = [];
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
  ctx.log.info({ batchId, checks: entries.length, lines }, 'batch checked');
  return outcomes;
}
