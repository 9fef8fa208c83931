import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.ts';
import { createPrismaClient, poolOf } from '../../src/db/client.ts';
import type { Actor } from '../../src/http/access.ts';
import type { PrismaClient } from '../../src/repositories/db.ts';
import {
  AuditGroupCommit,
  GENESIS_HASH,
  recordAudit,
  recordStandaloneAudit,
} from '../../src/services/audit.ts';
import { verifyAuditChain } from '../../src/services/verify-audit-chain.ts';
import { seedReferenceData } from '../../src/services/seed-reference-data.ts';
import { bearer, createApiKey } from '../helpers/factories.ts';
import { createIsolatedDatabase, type IsolatedDatabase } from '../helpers/isolated-db.ts';
import { createTestApp, testConfig, type TestApp } from '../helpers/test-app.ts';

const CHECK = {
  destination: 'AE',
  items: [{ productId: 'nvidia-h100-sxm', quantity: 10 }],
  endUser: { name: 'Audit Trail Test LLC', headquarters: 'AE', verifiedEndUser: null },
  shipDate: '2025-06-01',
};

describe('GET /v1/audit (shared database)', () => {
  let t: TestApp;
  let vendor: { id: string; key: string };
  let officer: { id: string; key: string };
  let auditor: { id: string; key: string };
  /** The x-request-id each check sent, and the id the server generated for it. */
  const requestIds: string[] = [];
  const serverIds: string[] = [];
  let before: string;

  beforeAll(async () => {
    t = await createTestApp();
    vendor = await createApiKey(t.db, 'vendor', 'audit vendor');
    officer = await createApiKey(t.db, 'officer', 'audit officer');
    auditor = await createApiKey(t.db, 'auditor', 'audit auditor');
    before = new Date(Date.now() - 1_000).toISOString();
    for (let i = 0; i < 3; i += 1) {
      const requestId = `audit-test-${randomUUID()}`;
      const res = await t.app.inject({
        method: 'POST',
        url: '/v1/checks',
        headers: { ...bearer(vendor.key), 'x-request-id': requestId },
        payload: { ...CHECK, items: [{ productId: 'nvidia-h100-sxm', quantity: 10 + i }] },
      });
      expect(res.statusCode).toBe(200);
      requestIds.push(requestId);
      serverIds.push(String(res.headers['x-request-id']));
    }
  });
  afterAll(async () => t.close());

  const get = (url: string, key = auditor.key) => t.app.inject({ method: 'GET', url, headers: bearer(key) });

  it('records each check, durable by the time it is answered, with actor, request id, inputs and outputs', async () => {
    const res = await get(`/v1/audit?callerRequestId=${requestIds[0]}`);
    expect(res.statusCode).toBe(200);
    const [event] = res.json().data;
    expect(res.json().data).toHaveLength(1);
    expect(event).toMatchObject({
      action: 'check.create',
      targetType: 'check',
      actorKeyId: vendor.id,
      actorRole: 'vendor',
      requestId: serverIds[0],
      callerRequestId: requestIds[0],
      payload: {
        input: { destination: 'AE', items: [{ productId: 'nvidia-h100-sxm', quantity: 10 }] },
        resolved: { destination: 'AE', consignee: 'Audit Trail Test LLC', shipDate: '2025-06-01' },
        output: { totalTpp: 158_320, destination: { code: 'AE' } },
      },
    });
    expect(event.payload.output.checkId).toBe(event.targetId);
    expect(event.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(event.prevHash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('stores the server-generated request id, never the one the caller sent', async () => {
    expect(serverIds[0]).toMatch(/^[0-9a-f-]{36}$/);
    expect((await get(`/v1/audit?requestId=${requestIds[0]}`)).json().data).toEqual([]);
    expect((await get(`/v1/audit?requestId=${serverIds[0]}`)).json().data).toHaveLength(1);
    // A caller posing as system work or as another request gets its own id; its claim is kept apart.
    const spoofer = await createApiKey(t.db, 'vendor', 'audit spoofer');
    for (const spoofed of ['boot', 'hold-expiry-sweeper', serverIds[1] as string]) {
      const res = await t.app.inject({
        method: 'POST',
        url: '/v1/checks',
        headers: { ...bearer(spoofer.key), 'x-request-id': spoofed },
        payload: CHECK,
      });
      expect(res.statusCode).toBe(200);
      const own = String(res.headers['x-request-id']);
      expect(own).not.toBe(spoofed);
      const [event] = (await get(`/v1/audit?targetType=check&targetId=${res.json().checkId}`)).json().data;
      expect(event).toMatchObject({ requestId: own, callerRequestId: spoofed, actorKeyId: spoofer.id });
    }
    expect((await get(`/v1/audit?requestId=boot&actorKeyId=${spoofer.id}`)).json().data).toEqual([]);
    expect(
      (await get(`/v1/audit?requestId=hold-expiry-sweeper&actorKeyId=${spoofer.id}`)).json().data,
    ).toEqual([]);
    // A problem answer names the server's id too.
    const bad = await t.app.inject({
      method: 'POST',
      url: '/v1/checks',
      headers: { ...bearer(spoofer.key), 'x-request-id': 'boot' },
      payload: {},
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().requestId).toBe(bad.headers['x-request-id']);
    expect(bad.json().requestId).not.toBe('boot');
  });

  it('pages newest first with a cursor, without repeats or gaps', async () => {
    const seen: { seq: number; requestId: string }[] = [];
    let url = `/v1/audit?actorKeyId=${vendor.id}&limit=2`;
    for (let page = 0; page < 5; page += 1) {
      const res = await get(url);
      expect(res.statusCode).toBe(200);
      const body = res.json();
      seen.push(...body.data);
      if (body.nextCursor === null) break;
      url = `/v1/audit?actorKeyId=${vendor.id}&limit=2&cursor=${body.nextCursor}`;
    }
    expect(seen.map((e) => e.requestId)).toEqual([...serverIds].reverse());
    const seqs = seen.map((e) => e.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => b - a));
  });

  it('filters by action, target, time window and actor, all combined', async () => {
    const all = (
      await get(`/v1/audit?actorKeyId=${vendor.id}&action=check.create&targetType=check&from=${before}`)
    ).json();
    expect(all.data).toHaveLength(3);
    const target = all.data[1].targetId;
    const one = (await get(`/v1/audit?targetType=check&targetId=${target}`)).json();
    expect(one.data.map((e: { targetId: string }) => e.targetId)).toEqual([target]);
    expect((await get(`/v1/audit?actorKeyId=${vendor.id}&to=${before}`)).json().data).toEqual([]);
    expect((await get(`/v1/audit?actorKeyId=${vendor.id}&action=shipment.create`)).json().data).toEqual([]);
    expect(
      (await get(`/v1/audit?actorKeyId=${vendor.id}&from=2000-01-01&to=2100-01-01`)).json().data,
    ).toHaveLength(3);
  });

  it('records key changes and reference-data changes with before and after', async () => {
    const created = await t.app.inject({
      method: 'POST',
      url: '/v1/api-keys',
      headers: bearer(officer.key),
      payload: { role: 'auditor', name: 'audited key' },
    });
    const id = created.json().id;
    await t.app.inject({ method: 'DELETE', url: `/v1/api-keys/${id}`, headers: bearer(officer.key) });
    const events = (await get(`/v1/audit?targetType=api-key&targetId=${id}`, officer.key)).json().data;
    expect(events.map((e: { action: string }) => e.action)).toEqual(['api-key.revoke', 'api-key.create']);
    expect(events[1].payload.after).toMatchObject({ id, role: 'auditor', name: 'audited key' });
    expect(JSON.stringify(events)).not.toContain(created.json().key);
    expect(events[0].payload).toMatchObject({
      before: { revokedAt: null },
      after: { revokedAt: expect.any(String) },
    });
  });

  it('rejects malformed filters with 400 naming the field', async () => {
    for (const [query, path] of [
      ['limit=0', 'querystring.limit'],
      ['limit=501', 'querystring.limit'],
      ['limit=ten', 'querystring.limit'],
      ['cursor=abc', 'querystring.cursor'],
      ['cursor=-1', 'querystring.cursor'],
      ['from=yesterday', 'querystring.from'],
      ['from=2025-06-02&to=2025-06-01', 'querystring.from'],
      ['sort=asc', 'querystring'],
      ['action=a&action=b', 'querystring.action'],
    ] as const) {
      const res = await get(`/v1/audit?${query}`);
      expect(res.statusCode, query).toBe(400);
      expect(
        res.json().errors.map((e: { path: string }) => e.path),
        query,
      ).toContain(path);
    }
  });

  it('verifies the shared chain as intact', async () => {
    const res = await get('/v1/audit/verify');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ valid: true, headHash: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect(res.json().events).toBeGreaterThanOrEqual(3);
  });
});

/**
 * Everything that needs the whole table to itself (exact counts, tampering) runs on a database of its own,
 * so files running in parallel neither disturb it nor see it broken.
 */
describe('the hash chain (isolated database)', () => {
  let iso: IsolatedDatabase;
  let app: FastifyInstance;
  let auditorKey: string;
  let vendorKey: string;
  const extraClients: PrismaClient[] = [];

  const sql = (query: string) => iso.db.$executeRawUnsafe(query);
  const ctxFor = (actor: Actor | null, requestId = `chain-${randomUUID()}`) => ({
    actor,
    requestId,
    now: () => new Date(),
  });

  beforeAll(async () => {
    iso = await createIsolatedDatabase('audit_chain');
    await seedReferenceData(iso.db);
    app = await buildApp({ config: testConfig(), db: iso.db, logger: false });
    await app.ready();
    auditorKey = (await createApiKey(iso.db, 'auditor')).key;
    vendorKey = (await createApiKey(iso.db, 'vendor')).key;
    for (let i = 0; i < 2; i += 1) extraClients.push(createPrismaClient(iso.endpoint, { poolSize: 3 }));
  });
  afterAll(async () => {
    await app?.close();
    for (const client of extraClients) await client.$disconnect();
    await iso?.drop();
  });

  async function verifyOverHttp() {
    const res = await app.inject({ method: 'GET', url: '/v1/audit/verify', headers: bearer(auditorKey) });
    expect(res.statusCode).toBe(200);
    return res.json();
  }

  it('starts empty and valid', async () => {
    expect(await verifyOverHttp()).toEqual({
      valid: true,
      events: 0,
      fromSeq: 1,
      headSeq: null,
      headHash: GENESIS_HASH,
      checkpoints: { verified: 0, untrusted: 0, lastVerifiedSeq: null },
    });
  });

  it('stays one unbroken chain under concurrent writers in several "processes"', async () => {
    const clients = [iso.db, ...extraClients];
    const actor: Actor = { keyId: randomUUID(), role: 'officer', name: 'concurrency', organisationId: null };
    const writes: Promise<unknown>[] = [];
    for (let i = 0; i < 60; i += 1) {
      const client = clients[i % clients.length] as PrismaClient;
      writes.push(
        client.$transaction(
          (tx) =>
            recordAudit(tx, ctxFor(actor), {
              action: 'test.mutate',
              targetType: 'test',
              targetId: `m${i}`,
              payload: { i },
            }),
          // 60 writers queue for a few pooled connections and one lock: on a busy machine Prisma's defaults
          // (2 s to get a connection, 5 s to finish) failed this test without anything being wrong.
          { maxWait: 60_000, timeout: 60_000 },
        ),
      );
    }
    for (let i = 0; i < 150; i += 1) {
      const client = clients[i % clients.length] as PrismaClient;
      writes.push(
        recordStandaloneAudit(
          { db: client, ...ctxFor(actor) },
          { action: 'test.append', targetType: 'test', targetId: `a${i}`, payload: { i } },
        ),
      );
    }
    for (let i = 0; i < 30; i += 1) {
      writes.push(
        app
          .inject({ method: 'POST', url: '/v1/checks', headers: bearer(vendorKey), payload: CHECK })
          .then((res) => expect(res.statusCode).toBe(200)),
      );
    }
    await Promise.all(writes);

    const rows = await iso.db.auditEvent.findMany({
      orderBy: { seq: 'asc' },
      select: { seq: true, prevHash: true, hash: true },
    });
    expect(rows).toHaveLength(240);
    rows.forEach((row, index) => {
      expect(Number(row.seq)).toBe(index + 1);
      expect(row.prevHash).toBe(index === 0 ? GENESIS_HASH : rows[index - 1]?.hash);
    });
    expect(await verifyOverHttp()).toMatchObject({
      valid: true,
      events: 240,
      headSeq: 240,
      headHash: rows.at(-1)?.hash,
    });
  });

  it('commits concurrent standalone events in a few transactions, and each caller only after its commit', async () => {
    // Each batch is one transaction on one connection checked out of the client's pool: count the checkouts.
    const pool = poolOf(iso.db);
    if (!pool) throw new Error('the isolated database has no pool');
    let transactions = 0;
    const connect = pool.connect.bind(pool);
    pool.connect = (() => {
      transactions += 1;
      return connect();
    }) as typeof pool.connect;
    const writer = new AuditGroupCommit(iso.db, { maxBatch: 500, maxDelayMs: 5 });
    const ids = await Promise.all(
      Array.from({ length: 100 }, (_, i) =>
        writer
          .append(ctxFor(null), {
            action: 'test.batched',
            targetType: 'test',
            targetId: `b${i}`,
            payload: { i },
          })
          .then(async (id) => {
            // Resolved means committed: the row is visible to any other connection right away.
            expect(await extraClients[0]?.auditEvent.count({ where: { id } })).toBe(1);
            return id;
          }),
      ),
    );
    pool.connect = connect;
    expect(new Set(ids).size).toBe(100);
    expect(transactions).toBeGreaterThan(0);
    expect(transactions).toBeLessThanOrEqual(3);
    expect((await verifyAuditChain(iso.db)).valid).toBe(true);
  });

  it('fails every caller of a batch that cannot commit, and answers none of them', async () => {
    const dead = createPrismaClient({ ...iso.endpoint, port: 1 }, { connectionTimeoutMs: 500 });
    try {
      const writer = new AuditGroupCommit(dead, { maxBatch: 10, maxDelayMs: 1 });
      const results = await Promise.allSettled(
        Array.from({ length: 5 }, (_, i) =>
          writer.append(ctxFor(null), {
            action: 'test.lost',
            targetType: 'test',
            targetId: `l${i}`,
            payload: null,
          }),
        ),
      );
      expect(results.every((r) => r.status === 'rejected')).toBe(true);
    } finally {
      await dead.$disconnect();
    }
    expect(await iso.db.auditEvent.count({ where: { action: 'test.lost' } })).toBe(0);
  });

  it('leaves no seq gap when a writer rolls back', async () => {
    const headBefore = (await verifyAuditChain(iso.db)) as { headSeq: number };
    await expect(
      iso.db.$transaction(async (tx) => {
        await recordAudit(tx, ctxFor(null), {
          action: 'test.rollback',
          targetType: 'test',
          targetId: 'r',
          payload: {},
        });
        throw new Error('the change failed after its audit row was written');
      }),
    ).rejects.toThrow(/change failed/);
    await iso.db.$transaction((tx) =>
      recordAudit(tx, ctxFor(null), { action: 'test.after', targetType: 'test', targetId: 'r', payload: {} }),
    );
    const after = await iso.db.auditEvent.findFirstOrThrow({ where: { action: 'test.after' } });
    expect(Number(after.seq)).toBe(headBefore.headSeq + 1);
    expect((await verifyAuditChain(iso.db)).valid).toBe(true);
  });

  it('stores what it hashed, even for text PostgreSQL cannot hold', async () => {
    await iso.db.$transaction((tx) =>
      recordAudit(tx, ctxFor(null), {
        action: 'test.unicode',
        targetType: 'test',
        targetId: 'nul\u0000',
        payload: {
          nul: 'a\u0000b',
          lone: '\ud800',
          ['k\udc00']: 1,
          emoji: '\ud83d\ude80',
          big: 1e21,
          tiny: 5e-324,
          date: new Date(0),
        },
      }),
    );
    expect((await verifyAuditChain(iso.db)).valid).toBe(true);
  });

  it('reads the chain in pages: the result does not depend on the page size', async () => {
    const whole = await verifyAuditChain(iso.db);
    for (const rows of [1, 7, 64]) expect(await verifyAuditChain(iso.db, { page: { rows } })).toEqual(whole);
    // A byte budget smaller than any event still advances one event per page.
    for (const bytes of [1, 2_000]) {
      expect(await verifyAuditChain(iso.db, { page: { rows: 50, bytes } })).toEqual(whole);
    }
  });

  describe('tampering', () => {
    let middle: number;
    let events: number;

    beforeAll(async () => {
      const state = (await verifyAuditChain(iso.db)) as { valid: true; events: number };
      expect(state.valid).toBe(true);
      events = state.events;
      middle = Math.floor(events / 2);
    });

    async function expectBrokenAt(seq: number, reason: RegExp): Promise<void> {
      const result = await verifyOverHttp();
      expect(result).toMatchObject({ valid: false, firstBrokenSeq: seq, events: seq - 1 });
      expect(result.reason).toMatch(reason);
      // Paging must not hide the break, wherever it falls.
      expect(await verifyAuditChain(iso.db, { page: { rows: 7 } })).toEqual(result);
    }

    async function expectIntact(): Promise<void> {
      expect(await verifyOverHttp()).toMatchObject({ valid: true, events });
    }

    it('detects a changed payload, actor, action, time or hash, at the right seq', async () => {
      const original = await iso.db.auditEvent.findFirstOrThrow({ where: { seq: middle } });
      const last = await iso.db.auditEvent.findFirstOrThrow({ where: { seq: events } });
      const edits: [string, string][] = [
        [
          `UPDATE audit_events SET record = replace(record, '"payload":', '"payload":{"tampered":true,"was":') || '}' WHERE seq = ${middle}`,
          `UPDATE audit_events SET record = replace(left(record, -1), '"payload":{"tampered":true,"was":', '"payload":') WHERE seq = ${middle}`,
        ],
        [
          `UPDATE audit_events SET request_id = 'boot' WHERE seq = ${middle}`,
          `UPDATE audit_events SET request_id = ${original.requestId === null ? 'NULL' : `'${original.requestId}'`} WHERE seq = ${middle}`,
        ],
        [
          `UPDATE audit_events SET caller_request_id = 'someone-else' WHERE seq = ${middle}`,
          `UPDATE audit_events SET caller_request_id = ${original.callerRequestId === null ? 'NULL' : `'${original.callerRequestId}'`} WHERE seq = ${middle}`,
        ],
        [
          `UPDATE audit_events SET actor_role = 'someone else' WHERE seq = ${middle}`,
          `UPDATE audit_events SET actor_role = ${original.actorRole === null ? 'NULL' : `'${original.actorRole}'`} WHERE seq = ${middle}`,
        ],
        [
          `UPDATE audit_events SET action = 'test.other' WHERE seq = ${middle}`,
          `UPDATE audit_events SET action = '${original.action}' WHERE seq = ${middle}`,
        ],
        [
          `UPDATE audit_events SET occurred_at = occurred_at + interval '1 millisecond' WHERE seq = ${middle}`,
          `UPDATE audit_events SET occurred_at = occurred_at - interval '1 millisecond' WHERE seq = ${middle}`,
        ],
      ];
      for (const [tamper, restore] of edits) {
        await sql(tamper);
        try {
          await expectBrokenAt(middle, /hash mismatch/);
        } finally {
          await sql(restore);
        }
        await expectIntact();
      }
      await sql(`UPDATE audit_events SET hash = repeat('f', 64) WHERE seq = ${events}`);
      try {
        await expectBrokenAt(events, /hash mismatch/);
      } finally {
        await sql(`UPDATE audit_events SET hash = '${last.hash}' WHERE seq = ${events}`);
      }
      await expectIntact();
    });

    it('detects a deleted event as a seq gap at the missing seq, first event included', async () => {
      for (const seq of [middle, 1]) {
        await sql(`CREATE TABLE audit_backup AS SELECT * FROM audit_events WHERE seq = ${seq}`);
        await sql(`DELETE FROM audit_events WHERE seq = ${seq}`);
        try {
          await expectBrokenAt(seq, /seq gap/);
        } finally {
          await sql('INSERT INTO audit_events SELECT * FROM audit_backup');
          await sql('DROP TABLE audit_backup');
        }
      }
      await expectIntact();
    });

    it('detects a deletion hidden by renumbering, as a broken link', async () => {
      await sql(`CREATE TABLE audit_backup AS SELECT * FROM audit_events WHERE seq = ${middle}`);
      await sql(`DELETE FROM audit_events WHERE seq = ${middle}`);
      await sql(`UPDATE audit_events SET seq = -seq WHERE seq > ${middle}`);
      await sql(`UPDATE audit_events SET seq = -seq - 1 WHERE seq < 0`);
      try {
        await expectBrokenAt(middle, /prevHash does not match/);
      } finally {
        await sql(`UPDATE audit_events SET seq = -(seq + 1) WHERE seq >= ${middle}`);
        await sql(`UPDATE audit_events SET seq = -seq WHERE seq < 0`);
        await sql('INSERT INTO audit_events SELECT * FROM audit_backup');
        await sql('DROP TABLE audit_backup');
      }
      await expectIntact();
    });

    it('detects a deletion hidden by renumbering and rewriting the successor’s prev_hash', async () => {
      // The forger deletes event `middle`, closes the seq gap and points the successor's prev_hash at the
      // event before the deleted one: every link and seq now looks right, and only a hash that covers
      // prev_hash can show that the successor was chained onto something else.
      const before = await iso.db.auditEvent.findFirstOrThrow({ where: { seq: middle - 1 } });
      const successor = await iso.db.auditEvent.findFirstOrThrow({ where: { seq: middle + 1 } });
      await sql(`CREATE TABLE audit_backup AS SELECT * FROM audit_events WHERE seq = ${middle}`);
      await sql(`DELETE FROM audit_events WHERE seq = ${middle}`);
      await sql(`UPDATE audit_events SET seq = -seq WHERE seq > ${middle}`);
      await sql(`UPDATE audit_events SET seq = -seq - 1 WHERE seq < 0`);
      await sql(`UPDATE audit_events SET prev_hash = '${before.hash}' WHERE id = '${successor.id}'`);
      try {
        await expectBrokenAt(middle, /hash mismatch/);
      } finally {
        await sql(`UPDATE audit_events SET prev_hash = '${successor.prevHash}' WHERE id = '${successor.id}'`);
        await sql(`UPDATE audit_events SET seq = -(seq + 1) WHERE seq >= ${middle}`);
        await sql(`UPDATE audit_events SET seq = -seq WHERE seq < 0`);
        await sql('INSERT INTO audit_events SELECT * FROM audit_backup');
        await sql('DROP TABLE audit_backup');
      }
      await expectIntact();
    });

    it('detects two events swapped', async () => {
      const swap = async () => {
        await sql(`UPDATE audit_events SET seq = -1 WHERE seq = ${middle}`);
        await sql(`UPDATE audit_events SET seq = ${middle} WHERE seq = ${middle + 1}`);
        await sql(`UPDATE audit_events SET seq = ${middle + 1} WHERE seq = -1`);
      };
      await swap();
      try {
        await expectBrokenAt(middle, /prevHash does not match/);
      } finally {
        await swap();
      }
      await expectIntact();
    });

    it('cannot see a cut at the very end by itself, but the head it reported earlier shows it', async () => {
      const earlier = await verifyOverHttp();
      await sql(`CREATE TABLE audit_backup AS SELECT * FROM audit_events WHERE seq = ${events}`);
      await sql(`DELETE FROM audit_events WHERE seq = ${events}`);
      try {
        const now = await verifyOverHttp();
        expect(now).toMatchObject({ valid: true, events: events - 1 });
        expect(now.headHash).not.toBe(earlier.headHash);
      } finally {
        await sql('INSERT INTO audit_events SELECT * FROM audit_backup');
        await sql('DROP TABLE audit_backup');
      }
      await expectIntact();
    });
  });
});
