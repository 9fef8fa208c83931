import { createHash, randomUUID } from 'node:crypto';
import {
  findAuditChainPage,
  findAuditEvents,
  findAuditHead,
  insertAuditEvents,
  lockAuditChain,
  type AuditFilter,
  type AuditLink,
  type AuditRow,
} from '../repositories/audit-repository.ts';
import type { Db, PrismaClient } from '../repositories/db.ts';
import type { ServiceContext } from './context.ts';
import { GroupCommit } from './group-commit.ts';

export type { AuditFilter, AuditRow } from '../repositories/audit-repository.ts';

export const GENESIS_HASH = '0'.repeat(64);

export interface AuditInput {
  action: string;
  targetType: string;
  targetId: string;
  payload: unknown;
}

export type AuditContext = Pick<ServiceContext, 'actor' | 'requestId' | 'now'>;

export interface AuditHashFields {
  id: string;
  occurredAt: string;
  actorKeyId: string | null;
  actorRole: string | null;
  action: string;
  targetType: string;
  targetId: string;
  requestId: string | null;
  payload: unknown;
}

/** JSON with object keys sorted at every depth: jsonb reorders keys, so the hash must not depend on order. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

export function auditHash(prevHash: string, fields: AuditHashFields): string {
  return createHash('sha256').update(prevHash).update('\n').update(canonicalJson(fields)).digest('hex');
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/**
 * PostgreSQL refuses U+0000 in text and jsonb, and the driver turns a lone surrogate into U+FFFD on the way
 * in: either would make the stored row differ from what was hashed (or fail the write). Both are replaced
 * before hashing, so what is hashed is exactly what is stored.
 */
function storableString(value: string): string {
  return value.replace(LONE_SURROGATE, '\uFFFD').replaceAll('\u0000', '\uFFFD');
}

function storableJson(value: unknown): unknown {
  if (typeof value === 'string') return storableString(value);
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map(storableJson);
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [storableString(k), storableJson(v)]));
}

function nullableString(value: string | null | undefined): string | null {
  return value === null || value === undefined ? null : storableString(value);
}

/** Everything about an event except its place in the chain, fixed when the event happens. */
function describeEvent(ctx: AuditContext, input: AuditInput): AuditHashFields {
  // A JSON round trip drops undefined and turns Dates into strings, exactly as jsonb will store it.
  const payload = storableJson(JSON.parse(JSON.stringify(input.payload ?? null)) as unknown);
  return {
    id: randomUUID(),
    occurredAt: ctx.now().toISOString(),
    actorKeyId: nullableString(ctx.actor?.keyId),
    actorRole: nullableString(ctx.actor?.role),
    action: storableString(input.action),
    targetType: storableString(input.targetType),
    targetId: storableString(input.targetId),
    requestId: nullableString(ctx.requestId),
    payload,
  };
}

function chainAfter(head: AuditLink | null, events: AuditHashFields[]): AuditRow[] {
  let seq = head?.seq ?? 0;
  let prevHash = head?.hash ?? GENESIS_HASH;
  return events.map((fields) => {
    seq += 1;
    const hash = auditHash(prevHash, fields);
    const row: AuditRow = { ...fields, seq, occurredAt: new Date(fields.occurredAt), prevHash, hash };
    prevHash = hash;
    return row;
  });
}

/**
 * Appends events under the chain lock. seq is assigned here, not by the sequence, so that it has no gaps:
 * a rolled-back writer releases the lock without consuming a number, and a gap can only mean a deletion.
 */
async function appendLocked(tx: Db, events: AuditHashFields[]): Promise<void> {
  await lockAuditChain(tx);
  const head = await findAuditHead(tx);
  await insertAuditEvents(tx, chainAfter(head, events));
}

/**
 * Appends one event to the hash chain inside the caller's transaction, so the change and its record commit
 * or roll back together (fail closed). The advisory lock is held until that transaction ends, so call this
 * as late in the transaction as possible.
 */
export async function recordAudit(tx: Db, ctx: AuditContext, input: AuditInput): Promise<string> {
  const event = describeEvent(ctx, input);
  await appendLocked(tx, [event]);
  return event.id;
}

/** Several events appended in order inside the caller's transaction, with one lock, one head read, one insert. */
export async function recordAudits(
  tx: Db,
  entries: { ctx: AuditContext; input: AuditInput }[],
): Promise<string[]> {
  const events = entries.map(({ ctx, input }) => describeEvent(ctx, input));
  if (events.length > 0) await appendLocked(tx, events);
  return events.map((event) => event.id);
}

export interface AuditGroupCommitOptions {
  /** Most events in one transaction. */
  maxBatch: number;
  /** How long an idle writer waits for company before committing alone. */
  maxDelayMs: number;
}

/**
 * Group commit (see group-commit.ts) for events that need no transaction of their own (checks change nothing
 * but the trail): one lock, one read of the head, one INSERT, one commit per batch. Other processes still
 * serialise on the advisory lock.
 */
export class AuditGroupCommit {
  private readonly group: GroupCommit<AuditHashFields, string>;

  constructor(db: PrismaClient, options: AuditGroupCommitOptions = { maxBatch: 500, maxDelayMs: 1 }) {
    this.group = new GroupCommit({
      ...options,
      retryAlone: false,
      commit: async (events) => {
        await db.$transaction((tx) => appendLocked(tx, events), { maxWait: 30_000, timeout: 30_000 });
        return events.map((event) => event.id);
      },
    });
  }

  append(ctx: AuditContext, input: AuditInput): Promise<string> {
    return this.group.submit('audit', describeEvent(ctx, input));
  }
}

const groupCommits = new WeakMap<PrismaClient, AuditGroupCommit>();

/** The group committer for a client: one per connection pool, so batches never wait on each other. */
export function auditGroupCommit(db: PrismaClient): AuditGroupCommit {
  let writer = groupCommits.get(db);
  if (!writer) {
    writer = new AuditGroupCommit(db);
    groupCommits.set(db, writer);
  }
  return writer;
}

/** Records an event that accompanies no other change; resolves once it is committed. */
export async function recordStandaloneAudit(
  ctx: Pick<ServiceContext, 'db' | 'actor' | 'requestId' | 'now'>,
  input: AuditInput,
): Promise<string> {
  return auditGroupCommit(ctx.db).append(ctx, input);
}

export type ChainVerification =
  | { valid: true; events: number; headSeq: number | null; headHash: string }
  | { valid: false; events: number; firstBrokenSeq: number; reason: string };

/**
 * Re-computes the chain from the first event, a page at a time, up to the head as it was when verification
 * started (events appended meanwhile are left for the next run). `events` counts the events found intact
 * before the first break. Removing events from the end of the chain leaves no trace inside it: compare
 * headSeq and headHash with a value recorded earlier to detect that.
 */
export async function verifyAuditChain(
  db: Db,
  options: { pageSize?: number } = {},
): Promise<ChainVerification> {
  const pageSize = options.pageSize ?? 2_000;
  const head = await findAuditHead(db);
  if (!head) return { valid: true, events: 0, headSeq: null, headHash: GENESIS_HASH };
  let expectedSeq = 1;
  let prevHash = GENESIS_HASH;
  let events = 0;
  for (;;) {
    const page = await findAuditChainPage(db, expectedSeq - 1, head.seq, pageSize);
    if (page.length === 0) break;
    for (const row of page) {
      if (row.seq !== expectedSeq) {
        const missing = row.seq - 1 === expectedSeq ? `${expectedSeq}` : `${expectedSeq} to ${row.seq - 1}`;
        return {
          valid: false,
          events,
          firstBrokenSeq: expectedSeq,
          reason: `seq gap: event ${missing} is missing`,
        };
      }
      if (row.prevHash !== prevHash) {
        return {
          valid: false,
          events,
          firstBrokenSeq: row.seq,
          reason: `prevHash does not match the hash of event ${row.seq - 1}: an event was removed, inserted or reordered`,
        };
      }
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
      if (hash !== row.hash) {
        return {
          valid: false,
          events,
          firstBrokenSeq: row.seq,
          reason: 'hash mismatch: the event was changed after it was written',
        };
      }
      prevHash = row.hash;
      expectedSeq += 1;
      events += 1;
    }
  }
  if (expectedSeq - 1 !== head.seq) {
    return {
      valid: false,
      events,
      firstBrokenSeq: expectedSeq,
      reason: `seq gap: events ${expectedSeq} to ${head.seq} are missing`,
    };
  }
  return { valid: true, events, headSeq: head.seq, headHash: prevHash };
}

export async function listAuditEvents(
  ctx: Pick<ServiceContext, 'db'>,
  filter: AuditFilter,
  page: { beforeSeq?: number | undefined; limit: number },
): Promise<{ events: AuditRow[]; nextBeforeSeq: number | null }> {
  const rows = await findAuditEvents(ctx.db, filter, { beforeSeq: page.beforeSeq, limit: page.limit + 1 });
  const events = rows.slice(0, page.limit);
  const last = events.at(-1);
  return { events, nextBeforeSeq: rows.length > page.limit && last ? last.seq : null };
}
