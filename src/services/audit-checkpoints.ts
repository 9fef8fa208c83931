import type { FastifyBaseLogger } from 'fastify';
import {
  findAuditHead,
  findCheckpoints,
  findLatestCheckpoint,
  insertCheckpoint,
  type CheckpointRow,
} from '../repositories/audit-repository.ts';
import type { PrismaClient } from '../repositories/db.ts';
import { onAuditAppended } from './audit.ts';
import { checkpointMessage, type AuditSigner, type PublicSigningKey } from '../crypto/audit-signing.ts';

export type { CheckpointRow } from '../repositories/audit-repository.ts';

export interface CheckpointSchedule {
  /** Sign after about this many events appended by this process (0: never by count). */
  every: number;
  /** Sign at this interval when the chain has grown (0: never by time). */
  intervalMs: number;
}

/**
 * Signs the chain's head now and then: after `every` events appended by this process, and every `intervalMs`
 * when the head has moved. The head signed is the committed one, read after the appends that triggered it;
 * several processes sign independently (one row per key and seq).
 */
export class AuditCheckpointer {
  private appendedSinceLast = 0;
  private timer: NodeJS.Timeout | null = null;
  private unsubscribe: (() => void) | null = null;
  private inFlight: Promise<CheckpointRow | null> | null = null;

  constructor(
    private readonly db: PrismaClient,
    readonly signer: AuditSigner,
    private readonly schedule: CheckpointSchedule,
    private readonly log: FastifyBaseLogger,
    private readonly now: () => Date = () => new Date(),
  ) {}

  start(): void {
    if (this.schedule.every > 0) {
      this.unsubscribe = onAuditAppended((appended) => {
        this.appendedSinceLast += appended;
        if (this.appendedSinceLast < this.schedule.every) return;
        this.appendedSinceLast = 0;
        // After the appending transaction has had its chance to commit.
        setImmediate(() => this.checkpointInBackground());
      });
    }
    if (this.schedule.intervalMs > 0) {
      this.timer = setInterval(() => this.checkpointInBackground(), this.schedule.intervalMs);
      this.timer.unref();
    }
  }

  async stop(): Promise<void> {
    this.unsubscribe?.();
    this.unsubscribe = null;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.inFlight?.catch(() => undefined);
  }

  private checkpointInBackground(): void {
    this.checkpointNow().catch((error: unknown) =>
      this.log.error({ err: error }, 'audit checkpoint could not be signed'),
    );
  }

  /** Signs the current head unless this key has already signed it; one signing at a time. */
  async checkpointNow(): Promise<CheckpointRow | null> {
    const previous = this.inFlight ?? Promise.resolve(null);
    const next = previous
      .catch(() => null)
      .then(async () => {
        const head = await findAuditHead(this.db);
        if (!head) return null;
        const { keyId, publicKey } = this.signer.publicKey;
        const last = await findLatestCheckpoint(this.db, keyId);
        if (last && last.seq >= head.seq) return null;
        const signedAt = this.now();
        const checkpoint: CheckpointRow = {
          seq: head.seq,
          hash: head.hash,
          signedAt,
          keyId,
          publicKey,
          signature: this.signer.sign(checkpointMessage(head.seq, head.hash, signedAt.toISOString())),
        };
        await insertCheckpoint(this.db, checkpoint);
        return checkpoint;
      });
    this.inFlight = next;
    try {
      return await next;
    } finally {
      if (this.inFlight === next) this.inFlight = null;
    }
  }
}

/** Keys whose checkpoints the verifier trusts: the signing key and those named in AUDIT_TRUSTED_PUBLIC_KEYS. */
export type TrustedKeys = ReadonlyMap<string, PublicSigningKey>;

export async function listCheckpoints(
  ctx: { db: PrismaClient },
  page: { after?: { seq: number; keyId: string } | undefined; limit: number },
): Promise<{ checkpoints: CheckpointRow[]; next: { seq: number; keyId: string } | null }> {
  const rows = await findCheckpoints(ctx.db, { after: page.after, limit: page.limit + 1 });
  const checkpoints = rows.slice(0, page.limit);
  const last = checkpoints.at(-1);
  return {
    checkpoints,
    next: rows.length > page.limit && last ? { seq: last.seq, keyId: last.keyId } : null,
  };
}
