import { findAuditEvents, type AuditFilter } from '../repositories/audit-repository.ts';
import { payloadOf } from './audit.ts';
import type { ServiceContext } from './context.ts';

export interface AuditEventView {
  seq: number;
  id: string;
  occurredAt: Date;
  actorKeyId: string | null;
  actorRole: string | null;
  action: string;
  targetType: string;
  targetId: string;
  requestId: string | null;
  callerRequestId: string | null;
  format: number;
  payload: unknown;
  prevHash: string;
  hash: string;
}

/**
 * One page of events, newest first: at most `limit` events and, beyond the first, no more than
 * AUDIT_PAGE_BYTES of stored content, so a page of large events is shorter rather than a memory spike.
 */
export async function listAuditEvents(
  ctx: Pick<ServiceContext, 'db' | 'config'>,
  filter: AuditFilter,
  page: { beforeSeq?: number | undefined; limit: number },
): Promise<{ events: AuditEventView[]; nextBeforeSeq: number | null }> {
  const { rows, more } = await findAuditEvents(ctx.db, filter, {
    beforeSeq: page.beforeSeq,
    budget: { rows: page.limit, bytes: ctx.config.AUDIT_PAGE_BYTES },
  });
  const events = rows.map((row) => {
    const { record: _record, ...columns } = row;
    return { ...columns, payload: payloadOf(row) };
  });
  const last = events.at(-1);
  return { events, nextBeforeSeq: more && last ? last.seq : null };
}
