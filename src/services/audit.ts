import { createHash, randomUUID } from 'node:crypto';
import {
  appendToChain,
  findAuditEvents,
  findAuditHead,
  insertAuditEvents,
  lockAuditChain,
  type AuditLink,
  type AuditRow,
  type NewAuditRow,
} from '../repositories/audit-repository.ts';
import type { Db, PrismaClient } from '../repositories/db.ts';
import type { Actor } from '../domain/actor.ts';
import { reportGroupCommit } from './group-commit-observer.ts';
import { GroupCommit } from './group-commit.ts';

export type { AuditFilter, AuditRow } from '../repositories/audit-repository.ts';

export const GENESIS_HASH = '0'.repeat(64);

export interface AuditInput {
  action: string;
  targetType: string;
  targetId: string;
  payload: unknown;
}

/** Who acts and when: the part of a service context an audit event records (kept here, below the context). */
export interface AuditContext {
  actor: Actor | null;
  requestId: string;
  callerRequestId?: string | null;
  now: () => Date;
}

/** The fields of a format 1 event, hashed as canonical JSON (rows written before format 2). */
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

/** Everything about an event except its payload and its place in the chain: the columns a filter reads. */
export interface AuditEventHeader {
  id: string;
  occurredAt: string;
  actorKeyId: string | null;
  actorRole: string | null;
  action: string;
  targetType: string;
  targetId: string;
  requestId: string | null;
  callerRequestId: string | null;
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

/** Format 1: sha256 over the previous hash and the canonical JSON of the event. Kept to verify old rows. */
export function auditHash(prevHash: string, fields: AuditHashFields): string {
  return createHash('sha256').update(prevHash).update('\n').update(canonicalJson(fields)).digest('hex');
}

/** Format 2: sha256 over the previous hash and the record exactly as stored. */
export function recordHash(prevHash: string, record: string): string {
  return createHash('sha256').update(prevHash).update('\n').update(record).digest('hex');
}

export const RECORD_FORMAT = 2;

/**
 * The start of a format 2 record: the header fields in a fixed order, up to where the payload begins. The
 * verifier rebuilds it from the row's columns, so a column edited apart from the record is caught without
 * parsing the payload.
 */
export function recordPrefix(header: AuditEventHeader): string {
  const json = JSON.stringify({
    v: RECORD_FORMAT,
    id: header.id,
    occurredAt: header.occurredAt,
    actorKeyId: header.actorKeyId,
    actorRole: header.actorRole,
    action: header.action,
    targetType: header.targetType,
    targetId: header.targetId,
    requestId: header.requestId,
    callerRequestId: header.callerRequestId,
  });
  return `${json.slice(0, -1)},"payload":`;
}

/**
 * Serialises the event once. JSON.stringify escapes U+0000 and unpaired surrogates (as \u0000, \ud800), so
 * the text is always storable and reads back byte for byte; no key sort runs, because the text itself is
 * what is stored and hashed.
 */
export function serialiseRecord(header: AuditEventHeader, payload: unknown): string {
  return `${recordPrefix(header)}${JSON.stringify(payload ?? null) ?? 'null'}}`;
}

/** The payload of a stored event, whichever its format. */
export function payloadOf(row: Pick<AuditRow, 'format' | 'payload' | 'record'>): unknown {
  if (row.format === 1) return row.payload;
  return (JSON.parse(row.record ?? 'null') as { payload?: unknown } | null)?.payload ?? null;
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/**
 * PostgreSQL refuses U+0000 in text, and the driver turns a lone surrogate into U+FFFD on the way in: either
 * would make a column differ from what the record says (or fail the write). Both are replaced first.
 */
function storableString(value: string): string {
  return value.replace(LONE_SURROGATE, '\uFFFD').replaceAll('\u0000', '\uFFFD');
}

function nullableString(value: string | null | undefined): string | null {
  return value === null || value === undefined ? null : storableString(value);
}

interface DescribedEvent {
  header: AuditEventHeader;
  record: string;
}

/** Everything about an event except its place in the chain, fixed (and serialised) when the event happens. */
function describeEvent(ctx: AuditContext, input: AuditInput): DescribedEvent {
  const header: AuditEventHeader = {
    id: randomUUID(),
    occurredAt: ctx.now().toISOString(),
    actorKeyId: nullableString(ctx.actor?.keyId),
    actorRole: nullableString(ctx.actor?.role),
    action: storableString(input.action),
    targetType: storableString(input.targetType),
    targetId: storableString(input.targetId),
    requestId: nullableString(ctx.requestId),
    callerRequestId: nullableString(ctx.callerRequestId),
  };
  return { header, record: serialiseRecord(header, input.payload) };
}

type AppendListener = (appended: number) => void;
const appendListeners = new Set<AppendListener>();

/** Told how many events each append wrote (before its commit): the checkpoint signer counts with it. */
export function onAuditAppended(listener: AppendListener): () => void {
  appendListeners.add(listener);
  return () => appendListeners.delete(listener);
}

/**
 * The rows that extend the chain from `head` by these events. seq is assigned here, not by the sequence, so
 * that it has no gaps: a rolled-back writer releases the lock without consuming a number, and a gap can only
 * mean a deletion.
 */
function extendChain(
  head: AuditLink | null,
  events: DescribedEvent[],
): { rows: NewAuditRow[]; records: string[] } {
  let seq = head?.seq ?? 0;
  let prevHash = head?.hash ?? GENESIS_HASH;
  const rows = events.map(({ header, record }) => {
    seq += 1;
    const hash = recordHash(prevHash, record);
    const row = { ...header, seq, occurredAt: new Date(header.occurredAt), prevHash, hash };
    prevHash = hash;
    return row;
  });
  for (const listener of appendListeners) listener(events.length);
  return { rows, records: events.map((e) => e.record) };
}

/** Appends events under the chain lock, inside the caller's transaction. */
async function appendLocked(tx: Db, events: DescribedEvent[]): Promise<void> {
  await lockAuditChain(tx);
  const { rows, records } = extendChain(await findAuditHead(tx), events);
  await insertAuditEvents(tx, rows, records);
}

/**
 * Appends one event to the hash chain inside the caller's transaction, so the change and its record commit
 * or roll back together (fail closed). The advisory lock is held until that transaction ends, so call this
 * as late in the transaction as possible.
 */
export async function recordAudit(tx: Db, ctx: AuditContext, input: AuditInput): Promise<string> {
  const event = describeEvent(ctx, input);
  await appendLocked(tx, [event]);
  return event.header.id;
}

/** Several events appended in order inside the caller's transaction, with one lock, one head read, one insert. */
export async function recordAudits(
  tx: Db,
  entries: { ctx: AuditContext; input: AuditInput }[],
): Promise<string[]> {
  const events = entries.map(({ ctx, input }) => describeEvent(ctx, input));
  if (events.length > 0) await appendLocked(tx, events);
  return events.map((event) => event.header.id);
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
  private readonly group: GroupCommit<DescribedEvent, string>;

  constructor(db: PrismaClient, options: AuditGroupCommitOptions = { maxBatch: 500, maxDelayMs: 1 }) {
    this.group = new GroupCommit({
      ...options,
      retryAlone: false,
      commit: async (events) => {
        await appendToChain(db, (head) => extendChain(head, events));
        reportGroupCommit('audit', events.length);
        return events.map((event) => event.header.id);
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
  ctx: AuditContext & { db: PrismaClient },
  input: AuditInput,
): Promise<string> {
  return auditGroupCommit(ctx.db).append(ctx, input);
}

/**
 * The event that recorded a check's answer (check.create, target the check id), or null, with its payload's
 * parts as stored. Readers of a past decision go through here, so the stored format stays this module's business.
 */
export async function findCheckRecord(
  db: Db,
  checkId: string,
): Promise<{ event: AuditRow; input: unknown; resolved: unknown; output: unknown } | null> {
  const { rows } = await findAuditEvents(
    db,
    { action: 'check.create', targetType: 'check', targetId: checkId },
    // One event; its size is bounded by the bounded audit payloads, so no byte budget is needed here.
    { budget: { rows: 1, bytes: Number.MAX_SAFE_INTEGER } },
  );
  const event = rows[0];
  if (!event) return null;
  const payload = (payloadOf(event) ?? {}) as { input?: unknown; resolved?: unknown; output?: unknown };
  return {
    event,
    input: payload.input ?? null,
    resolved: payload.resolved ?? null,
    output: payload.output ?? null,
  };
}
