import { AppError } from '../errors.ts';
import {
  findAuditChainPage,
  findAuditHead,
  findAuditLink,
  findCheckpointsBetween,
  type AuditRow,
  type CheckpointRow,
  type PageBudget,
} from '../repositories/audit-repository.ts';
import type { Db } from '../repositories/db.ts';
import { auditHash, GENESIS_HASH, recordHash, recordPrefix } from './audit.ts';
import type { TrustedKeys } from './audit-checkpoints.ts';
import { checkpointMessage, verifySignature } from '../crypto/audit-signing.ts';

export interface CheckpointTally {
  /** Checkpoints in the range signed by a trusted key whose signature and hash both match. */
  verified: number;
  /** Checkpoints signed by keys this service does not trust (e.g. ephemeral keys of earlier runs): ignored. */
  untrusted: number;
  /** seq of the last verified checkpoint, or null. */
  lastVerifiedSeq: number | null;
}

export type ChainVerification =
  | {
      valid: true;
      events: number;
      fromSeq: number;
      headSeq: number | null;
      headHash: string;
      checkpoints: CheckpointTally;
    }
  | {
      valid: false;
      events: number;
      fromSeq: number;
      firstBrokenSeq: number;
      reason: string;
      checkpoints: CheckpointTally;
    };

export interface VerifyOptions {
  /** First event to verify; it is linked to the stored hash of the one before it. Default 1. */
  fromSeq?: number | undefined;
  /** Last event to verify; default the head as it is when verification starts. */
  toSeq?: number | undefined;
  /** Keys whose checkpoints must match; none means signatures are not checked. */
  trustedKeys?: TrustedKeys | undefined;
  /** Memory bound of one page read. */
  page?: Partial<PageBudget>;
}

/** Why a stored event does not hash to its stored hash, or null when it does. */
function hashProblem(row: AuditRow, prevHash: string): string | null {
  const changed = 'hash mismatch: the event was changed after it was written';
  if (row.format === 1) {
    if (row.record !== null || row.callerRequestId !== null) return changed;
    const hash = auditHash(prevHash, {
      id: row.id,
      occurredAt: row.occurredAt.toISOString(),
      actorKeyId: row.actorKeyId,
      actorRole: row.actorRole,
      action: row.action,
      targetType: row.targetType,
      targetId: row.targetId,
      requestId: row.requestId,
      payload: row.payload,
    });
    return hash === row.hash ? null : changed;
  }
  if (row.format === 2) {
    const record = row.record ?? '';
    const prefix = recordPrefix({ ...row, occurredAt: row.occurredAt.toISOString() });
    if (!record.startsWith(prefix) || !record.endsWith('}') || row.payload !== null) {
      return `${changed} (its columns differ from its record)`;
    }
    return recordHash(prevHash, record) === row.hash ? null : changed;
  }
  return `${changed} (unknown record format ${row.format})`;
}

/** Why a checkpoint at this event fails, or null; an untrusted signer is tallied, not a failure. */
function checkpointProblem(
  checkpoint: CheckpointRow,
  hashAtSeq: string,
  trustedKeys: TrustedKeys,
  tally: CheckpointTally,
): string | null {
  const key = trustedKeys.get(checkpoint.keyId);
  if (!key) {
    tally.untrusted += 1;
    return null;
  }
  const at = `checkpoint at seq ${checkpoint.seq} signed by key ${checkpoint.keyId} at ${checkpoint.signedAt.toISOString()}`;
  const message = checkpointMessage(checkpoint.seq, checkpoint.hash, checkpoint.signedAt.toISOString());
  if (!verifySignature(key.key, message, checkpoint.signature)) {
    return `${at}: the signature does not verify, so the checkpoint was altered`;
  }
  if (checkpoint.hash !== hashAtSeq) {
    return `${at}: the chain's hash there differs from the signed one, so events up to seq ${checkpoint.seq} were rewritten and re-hashed`;
  }
  tally.verified += 1;
  tally.lastVerifiedSeq = checkpoint.seq;
  return null;
}

function groupBySeq(checkpoints: CheckpointRow[]): Map<number, CheckpointRow[]> {
  const bySeq = new Map<number, CheckpointRow[]>();
  for (const checkpoint of checkpoints) {
    const list = bySeq.get(checkpoint.seq) ?? [];
    list.push(checkpoint);
    bySeq.set(checkpoint.seq, list);
  }
  return bySeq;
}

/**
 * Re-computes the chain from fromSeq to the head as it was when verification started (events appended
 * meanwhile are left for the next run), a page at a time: memory is bounded by the page budget whatever the
 * length of the chain, and a run can resume where an earlier one stopped (fromSeq = its headSeq + 1, whose
 * anchor is then the stored hash it reported). Signed checkpoints in the range must match the recomputed
 * hashes: a writer who rewrites an event and re-hashes everything after it cannot re-sign them. `events`
 * counts the events found intact before the first break.
 */
export async function verifyAuditChain(db: Db, options: VerifyOptions = {}): Promise<ChainVerification> {
  const budget: PageBudget = { rows: options.page?.rows ?? 2_000, bytes: options.page?.bytes ?? 4_194_304 };
  const trustedKeys: TrustedKeys = options.trustedKeys ?? new Map();
  const fromSeq = options.fromSeq ?? 1;
  const checkpoints: CheckpointTally = { verified: 0, untrusted: 0, lastVerifiedSeq: null };
  let events = 0;
  const broken = (firstBrokenSeq: number, reason: string): ChainVerification => ({
    valid: false,
    events,
    fromSeq,
    firstBrokenSeq,
    reason,
    checkpoints,
  });

  const head = await findAuditHead(db);
  if (!head) {
    if (fromSeq > 1) {
      throw new AppError('VALIDATION_FAILED', 'The audit trail is empty.', {
        errors: [{ path: 'querystring.fromSeq', message: 'the audit trail has no events' }],
      });
    }
    return { valid: true, events: 0, fromSeq, headSeq: null, headHash: GENESIS_HASH, checkpoints };
  }
  if (fromSeq > head.seq) {
    throw new AppError('VALIDATION_FAILED', `fromSeq is past the last event (${head.seq}).`, {
      errors: [{ path: 'querystring.fromSeq', message: `must be at most ${head.seq}` }],
    });
  }
  const upTo = Math.min(options.toSeq ?? head.seq, head.seq);

  let prevHash = GENESIS_HASH;
  if (fromSeq > 1) {
    const anchor = await findAuditLink(db, fromSeq - 1);
    if (!anchor) return broken(fromSeq - 1, `seq gap: event ${fromSeq - 1} is missing`);
    prevHash = anchor.hash;
    for (const checkpoint of await findCheckpointsBetween(db, anchor.seq, anchor.seq)) {
      const problem = checkpointProblem(checkpoint, anchor.hash, trustedKeys, checkpoints);
      if (problem) return broken(anchor.seq, problem);
    }
  }

  let expectedSeq = fromSeq;
  for (;;) {
    const page = await findAuditChainPage(db, expectedSeq - 1, upTo, budget);
    const first = page[0];
    const last = page.at(-1);
    if (!first || !last) break;
    const pageCheckpoints = groupBySeq(await findCheckpointsBetween(db, first.seq, last.seq));
    for (const row of page) {
      if (row.seq !== expectedSeq) {
        const missing = row.seq - 1 === expectedSeq ? `${expectedSeq}` : `${expectedSeq} to ${row.seq - 1}`;
        return broken(expectedSeq, `seq gap: event ${missing} is missing`);
      }
      if (row.prevHash !== prevHash) {
        return broken(
          row.seq,
          `prevHash does not match the hash of event ${row.seq - 1}: an event was removed, inserted or reordered`,
        );
      }
      const problem = hashProblem(row, prevHash);
      if (problem) return broken(row.seq, problem);
      for (const checkpoint of pageCheckpoints.get(row.seq) ?? []) {
        const mismatch = checkpointProblem(checkpoint, row.hash, trustedKeys, checkpoints);
        if (mismatch) return broken(row.seq, mismatch);
      }
      prevHash = row.hash;
      expectedSeq += 1;
      events += 1;
    }
  }
  if (expectedSeq - 1 !== upTo) {
    return broken(expectedSeq, `seq gap: events ${expectedSeq} to ${upTo} are missing`);
  }
  if (options.toSeq === undefined) {
    // Events removed from the very end leave no trace inside the chain, but a checkpoint signed past the
    // head does: the signed events are gone.
    for (const checkpoint of await findCheckpointsBetween(db, head.seq + 1, Number.MAX_SAFE_INTEGER)) {
      const key = trustedKeys.get(checkpoint.keyId);
      const message = checkpointMessage(checkpoint.seq, checkpoint.hash, checkpoint.signedAt.toISOString());
      if (key && verifySignature(key.key, message, checkpoint.signature)) {
        return broken(
          head.seq + 1,
          `events ${head.seq + 1} to ${checkpoint.seq} are missing: a checkpoint signed by key ${checkpoint.keyId} covers seq ${checkpoint.seq}, past the last event`,
        );
      }
    }
  }
  return { valid: true, events, fromSeq, headSeq: upTo, headHash: prevHash, checkpoints };
}
