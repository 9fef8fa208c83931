/**
 * CPU cost of the database statements every check runs, through Prisma and on the pool directly, on a fresh
 * embedded PostgreSQL: the party lookup (Prisma's findUnique against the repository's prepared statement) and
 * one audit group commit of a single event (Prisma's interactive transaction with the lock, the head read and
 * the insert, against the repository's three plain statements). Measured as this process's CPU time per
 * operation, so a busy machine disturbs it less than a throughput figure; rounds alternate to share the noise.
 *
 *   npx tsx bench/hot-statements.ts [--operations 2000] [--rounds 3]
 */
import { randomUUID } from 'node:crypto';
import { mkdir, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { createPrismaClient } from '../src/db/client.ts';
import { startEmbeddedPostgres } from '../src/db/embedded.ts';
import { deployMigrations } from '../src/db/schema-engine.ts';
import {
  appendToChain,
  findAuditHead,
  insertAuditEvents,
  lockAuditChain,
  type AuditLink,
  type NewAuditRow,
} from '../src/repositories/audit-repository.ts';
import { findPartyByIdentity } from '../src/repositories/party-repository.ts';
import { recordHash } from '../src/services/audit.ts';

const { values } = parseArgs({
  options: { operations: { type: 'string', default: '2000' }, rounds: { type: 'string', default: '3' } },
});
const operations = Number(values.operations);
const rounds = Number(values.rounds);

const root = resolve(import.meta.dirname, '..');
const dataDir = join(root, '.bench-data', `hot-${randomUUID().slice(0, 8)}`);
await mkdir(dataDir, { recursive: true });
const pg = await startEmbeddedPostgres({ dataDir, logger: () => undefined });

/** CPU microseconds per operation of `op`, run `operations` times in sequence. */
async function cpuPerOp(op: (i: number) => Promise<unknown>): Promise<number> {
  const before = process.cpuUsage();
  for (let i = 0; i < operations; i += 1) await op(i);
  const used = process.cpuUsage(before);
  return (used.user + used.system) / operations;
}

/** One event of about the size of a check's record, chained onto `head`. */
function oneEvent(head: AuditLink | null): { rows: NewAuditRow[]; records: string[] } {
  const record = JSON.stringify({ action: 'check.create', payload: 'x'.repeat(1_200) });
  const prevHash = head?.hash ?? '0'.repeat(64);
  const row: NewAuditRow = {
    seq: (head?.seq ?? 0) + 1,
    id: randomUUID(),
    occurredAt: new Date(),
    actorKeyId: null,
    actorRole: null,
    action: 'check.create',
    targetType: 'check',
    targetId: randomUUID(),
    requestId: null,
    callerRequestId: null,
    prevHash,
    hash: recordHash(prevHash, record),
  };
  return { rows: [row], records: [record] };
}

try {
  await deployMigrations(pg.endpoint);
  const db = createPrismaClient(pg.endpoint);
  const identity = (i: number) => `bench party ${i % 10}`;
  const variants: [string, (i: number) => Promise<unknown>][] = [
    [
      'party lookup, Prisma findUnique',
      (i) =>
        db.party.findUnique({ where: { country_identityKey: { country: 'AE', identityKey: identity(i) } } }),
    ],
    ['party lookup, prepared on the pool', (i) => findPartyByIdentity(db, 'AE', identity(i))],
    [
      'audit commit of 1, Prisma transaction',
      () =>
        db.$transaction(async (tx) => {
          await lockAuditChain(tx);
          const { rows, records } = oneEvent(await findAuditHead(tx));
          await insertAuditEvents(tx, rows, records);
        }),
    ],
    ['audit commit of 1, plain statements', () => appendToChain(db, oneEvent)],
  ];
  const results = new Map<string, number[]>(variants.map(([name]) => [name, []]));
  // The first round warms both paths up and is not counted.
  for (let round = 0; round <= rounds; round += 1) {
    for (const [name, op] of variants) {
      const us = await cpuPerOp(op);
      if (round > 0) results.get(name)?.push(us);
    }
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;
  console.log(`${operations} operations x ${rounds} rounds, median CPU of this process per operation:`);
  const rows = variants.map(([name]) => [name, median(results.get(name) ?? [])] as const);
  for (const [name, us] of rows) console.log(`  ${name.padEnd(40)} ${us.toFixed(0).padStart(6)} us`);
  const ratio = (a: number, b: number) => ((rows[a]?.[1] ?? 0) / (rows[b]?.[1] ?? 1)).toFixed(1);
  console.log(`  party lookup: Prisma costs ${ratio(0, 1)}x; audit commit: Prisma costs ${ratio(2, 3)}x`);
  await db.$disconnect();
} finally {
  await pg.stop();
  await rm(dataDir, { recursive: true, force: true });
}
