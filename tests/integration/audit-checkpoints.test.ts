import { createPublicKey, generateKeyPairSync, randomBytes, randomUUID, sign, verify } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.ts';
import { auditHash, GENESIS_HASH, recordAudit, recordHash } from '../../src/services/audit.ts';
import { checkpointMessage, describePublicKey } from '../../src/crypto/audit-signing.ts';
import { verifyAuditChain } from '../../src/services/verify-audit-chain.ts';
import { bearer, createApiKey } from '../helpers/factories.ts';
import { createIsolatedDatabase, type IsolatedDatabase } from '../helpers/isolated-db.ts';
import { testConfig } from '../helpers/test-app.ts';

const SEED = randomBytes(32).toString('hex');

/**
 * Signed checkpoints on a database of its own: the tests rewrite history the way a database writer would
 * (change an event, recompute every later hash) and show that only the signature, made with a key the
 * database never sees, catches it.
 */
describe('audit checkpoints (isolated database)', () => {
  let iso: IsolatedDatabase;
  let app: FastifyInstance;
  let auditorKey: string;
  const sql = (query: string, ...values: unknown[]) => iso.db.$executeRawUnsafe(query, ...values);

  async function append(count: number, label: string): Promise<void> {
    for (let i = 0; i < count; i += 1) {
      await iso.db.$transaction((tx) =>
        recordAudit(
          tx,
          { actor: null, requestId: `checkpoint-test-${randomUUID()}`, now: () => new Date() },
          { action: 'test.append', targetType: 'test', targetId: `${label}${i}`, payload: { i, label } },
        ),
      );
    }
  }

  async function http(url: string) {
    const res = await app.inject({ method: 'GET', url, headers: bearer(auditorKey) });
    return { status: res.statusCode, body: res.json() };
  }

  async function rows() {
    return iso.db.auditEvent.findMany({ orderBy: { seq: 'asc' } });
  }

  beforeAll(async () => {
    iso = await createIsolatedDatabase('audit_checkpoints');
    // A format 1 event first, as a database written before format 2 holds it: it must stay verifiable.
    const legacy = {
      id: randomUUID(),
      occurredAt: '2025-01-01T00:00:00.000Z',
      actorKeyId: null,
      actorRole: null,
      action: 'legacy.event',
      targetType: 'test',
      targetId: 'legacy',
      requestId: 'boot',
      payload: { z: 1, a: ['x', { b: null }] },
    };
    await sql(
      `INSERT INTO audit_events (seq, id, occurred_at, action, target_type, target_id, request_id, format, payload, prev_hash, hash)
       VALUES (1, $1::uuid, $2::timestamptz, $3, $4, $5, $6, 1, $7::jsonb, $8, $9)`,
      legacy.id,
      legacy.occurredAt,
      legacy.action,
      legacy.targetType,
      legacy.targetId,
      legacy.requestId,
      JSON.stringify(legacy.payload),
      GENESIS_HASH,
      auditHash(GENESIS_HASH, legacy),
    );
    app = await buildApp({
      config: testConfig({
        AUDIT_SIGNING_KEY: SEED,
        AUDIT_CHECKPOINT_EVERY: '0',
        AUDIT_CHECKPOINT_INTERVAL_SECONDS: '0',
      }),
      db: iso.db,
      logger: false,
    });
    await app.ready();
    auditorKey = (await createApiKey(iso.db, 'auditor')).key;
    await append(19, 'a');
  });
  afterAll(async () => {
    await app?.close();
    await iso?.drop();
  });

  it('verifies a chain that starts with format 1 events and continues in format 2', async () => {
    const all = await rows();
    expect(all.map((r) => r.format)).toEqual([1, ...Array.from({ length: 19 }, () => 2)]);
    expect(all[1]?.prevHash).toBe(all[0]?.hash);
    expect(all[1]?.payload).toBeNull();
    expect(all[1]?.hash).toBe(recordHash(all[0]?.hash as string, all[1]?.record as string));
    expect((await http('/v1/audit/verify')).body).toMatchObject({ valid: true, events: 20, headSeq: 20 });
    await sql(`UPDATE audit_events SET payload = '{"z": 2, "a": ["x", {"b": null}]}' WHERE seq = 1`);
    try {
      expect((await http('/v1/audit/verify')).body).toMatchObject({ valid: false, firstBrokenSeq: 1 });
    } finally {
      await sql(`UPDATE audit_events SET payload = '{"z": 1, "a": ["x", {"b": null}]}' WHERE seq = 1`);
    }
    const listed = (await http('/v1/audit?action=legacy.event')).body.data;
    expect(listed[0]).toMatchObject({
      format: 1,
      payload: { z: 1 },
      requestId: 'boot',
      callerRequestId: null,
    });
  });

  it('publishes the signing key, and each checkpoint verifies offline with it', async () => {
    const checkpoint = await app.deps.checkpoints.checkpointNow();
    expect(checkpoint).toMatchObject({ seq: 20 });
    // Nothing new to sign: no second checkpoint of the same head.
    expect(await app.deps.checkpoints.checkpointNow()).toBeNull();
    await append(10, 'b');

    const { status, body } = await http('/v1/audit/checkpoints');
    expect(status).toBe(200);
    expect(body.signingKey).toMatchObject({ algorithm: 'Ed25519', ephemeral: false });
    expect(body.trustedKeys.map((k: { keyId: string }) => k.keyId)).toEqual([body.signingKey.keyId]);
    expect(body.data).toHaveLength(1);
    const [published] = body.data;
    const head20 = (await rows())[19];
    expect(published).toMatchObject({ seq: 20, hash: head20?.hash, keyId: body.signingKey.keyId });
    // What an outside party does: the PEM and the documented message, nothing from the service's code.
    const message = `gec-audit-checkpoint/1\n${published.seq}\n${published.hash}\n${published.signedAt}`;
    const key = createPublicKey(body.signingKey.pem);
    expect(verify(null, Buffer.from(message), key, Buffer.from(published.signature, 'base64'))).toBe(true);
    expect(
      verify(
        null,
        Buffer.from(message.replace('\n20\n', '\n21\n')),
        key,
        Buffer.from(published.signature, 'base64'),
      ),
    ).toBe(false);

    expect((await http('/v1/audit/verify')).body).toMatchObject({
      valid: true,
      events: 30,
      checkpoints: { verified: 1, untrusted: 0, lastVerifiedSeq: 20 },
    });
  });

  it('resumes from a seq, linked to the stored hash before it, and refuses a start past the head', async () => {
    const all = await rows();
    const whole = (await http('/v1/audit/verify')).body;
    const tail = (await http('/v1/audit/verify?fromSeq=21')).body;
    expect(tail).toMatchObject({ valid: true, events: 10, fromSeq: 21, headHash: whole.headHash });
    const first = (await http('/v1/audit/verify?toSeq=20')).body;
    expect(first).toMatchObject({ valid: true, events: 20, headSeq: 20, headHash: all[19]?.hash });
    expect((await http('/v1/audit/verify?fromSeq=31')).status).toBe(400);
    expect((await http('/v1/audit/verify?fromSeq=9&toSeq=3')).status).toBe(400);
  });

  it('detects a rewritten and re-hashed history by the signed checkpoint, and only by it', async () => {
    const original = await rows();
    await sql('CREATE TABLE checkpoint_backup AS SELECT * FROM audit_checkpoints');
    // The forger rewrites event 5 and recomputes every later hash, exactly as the service would.
    const victim = original[4];
    if (!victim?.record) throw new Error('event 5 should be a format 2 record');
    const forged = victim.record.replace('"label":"a"', '"label":"forged"');
    expect(forged).not.toBe(victim.record);
    let prevHash = original[3]?.hash as string;
    const rewritten: { seq: bigint; prevHash: string; hash: string; record: string }[] = [];
    for (const row of original.slice(4)) {
      const record = row.seq === victim.seq ? forged : (row.record as string);
      const hash = recordHash(prevHash, record);
      rewritten.push({ seq: row.seq, prevHash, hash, record });
      prevHash = hash;
    }
    const apply = async (list: typeof rewritten) => {
      // Unique hashes: move them out of the way first, as a forger would.
      await sql(`UPDATE audit_events SET hash = 'x' || hash WHERE seq >= 5`);
      for (const row of list) {
        await sql(
          'UPDATE audit_events SET record = $1, prev_hash = $2, hash = $3 WHERE seq = $4',
          row.record,
          row.prevHash,
          row.hash,
          row.seq,
        );
      }
    };
    await apply(rewritten);
    try {
      // Without the signing key's say, the forged chain is perfectly consistent...
      expect(await verifyAuditChain(iso.db)).toMatchObject({ valid: true, events: 30 });
      // ...but the checkpoint signed at seq 20 does not match it.
      const caught = (await http('/v1/audit/verify')).body;
      expect(caught).toMatchObject({ valid: false, firstBrokenSeq: 20, events: 19 });
      expect(caught.reason).toMatch(/rewritten and re-hashed/);

      // Moving the checkpoint's hash along breaks its signature.
      const newHash20 = rewritten.find((r) => r.seq === 20n)?.hash as string;
      await sql('UPDATE audit_checkpoints SET hash = $1 WHERE seq = 20', newHash20);
      const resigned = (await http('/v1/audit/verify')).body;
      expect(resigned).toMatchObject({ valid: false, firstBrokenSeq: 20 });
      expect(resigned.reason).toMatch(/signature does not verify/);

      // A checkpoint signed with the forger's own key is not trusted, so it vouches for nothing.
      const forger = generateKeyPairSync('ed25519');
      const forgerKey = describePublicKey(forger.publicKey);
      const signedAt = new Date().toISOString();
      await sql(
        `INSERT INTO audit_checkpoints (seq, hash, signed_at, key_id, public_key, signature)
         VALUES (20, $1, $2::timestamptz, $3, $4, $5)`,
        newHash20,
        signedAt,
        forgerKey.keyId,
        forgerKey.publicKey,
        sign(null, checkpointMessage(20, newHash20, signedAt), forger.privateKey).toString('base64'),
      );
      expect((await http('/v1/audit/verify')).body).toMatchObject({ valid: false, firstBrokenSeq: 20 });

      // The limit, as the README says: a writer who also deletes the trusted checkpoint is caught only by
      // a copy of it kept outside the database (GET /v1/audit/checkpoints), not by verify alone.
      await sql(
        'DELETE FROM audit_checkpoints WHERE key_id = $1',
        app.deps.checkpoints.signer.publicKey.keyId,
      );
      expect((await http('/v1/audit/verify')).body).toMatchObject({
        valid: true,
        checkpoints: { verified: 0, untrusted: 1 },
      });
    } finally {
      await apply(
        original
          .slice(4)
          .map((r) => ({ seq: r.seq, prevHash: r.prevHash, hash: r.hash, record: r.record as string })),
      );
      await sql('DELETE FROM audit_checkpoints');
      await sql('INSERT INTO audit_checkpoints SELECT * FROM checkpoint_backup');
      await sql('DROP TABLE checkpoint_backup');
    }
    expect((await http('/v1/audit/verify')).body).toMatchObject({
      valid: true,
      events: 30,
      checkpoints: { verified: 1, untrusted: 0 },
    });
  });

  it('detects events cut from the end once a checkpoint covers them', async () => {
    await app.deps.checkpoints.checkpointNow();
    await sql('CREATE TABLE audit_tail AS SELECT * FROM audit_events WHERE seq >= 29');
    await sql('DELETE FROM audit_events WHERE seq >= 29');
    try {
      const cut = (await http('/v1/audit/verify')).body;
      expect(cut).toMatchObject({ valid: false, firstBrokenSeq: 29 });
      expect(cut.reason).toMatch(/events 29 to 30 are missing/);
    } finally {
      await sql('INSERT INTO audit_events SELECT * FROM audit_tail');
      await sql('DROP TABLE audit_tail');
    }
    expect((await http('/v1/audit/verify')).body).toMatchObject({
      valid: true,
      checkpoints: { verified: 2, lastVerifiedSeq: 30 },
    });
  });

  it('signs on its own after AUDIT_CHECKPOINT_EVERY events', async () => {
    const counting = await buildApp({
      config: testConfig({
        AUDIT_SIGNING_KEY: randomBytes(32).toString('base64'),
        AUDIT_CHECKPOINT_EVERY: '5',
        AUDIT_CHECKPOINT_INTERVAL_SECONDS: '0',
      }),
      db: iso.db,
      logger: false,
    });
    await counting.ready();
    try {
      const keyId = counting.deps.checkpoints.signer.publicKey.keyId;
      await append(5, 'c');
      await expect
        .poll(() => iso.db.auditCheckpoint.count({ where: { keyId } }), { timeout: 10_000 })
        .toBe(1);
      // The other app trusts only its own key: this one's checkpoints are tallied as untrusted there.
      expect((await http('/v1/audit/verify')).body).toMatchObject({
        valid: true,
        checkpoints: { untrusted: 1 },
      });
    } finally {
      await counting.close();
    }
  });

  it('trusts earlier keys named in AUDIT_TRUSTED_PUBLIC_KEYS', async () => {
    const current = await buildApp({
      config: testConfig({
        AUDIT_SIGNING_KEY: randomBytes(32).toString('hex'),
        AUDIT_TRUSTED_PUBLIC_KEYS: ` ${app.deps.checkpoints.signer.publicKey.publicKey} `,
        AUDIT_CHECKPOINT_EVERY: '0',
        AUDIT_CHECKPOINT_INTERVAL_SECONDS: '0',
      }),
      db: iso.db,
      logger: false,
    });
    await current.ready();
    try {
      const result = await verifyAuditChain(iso.db, { trustedKeys: current.deps.trustedKeys });
      expect(result).toMatchObject({ valid: true, checkpoints: { verified: 2 } });
    } finally {
      await current.close();
    }
  });
});
