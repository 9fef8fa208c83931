import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPrismaClient } from '../../src/db/client.ts';
import { parseDatabaseUrl } from '../../src/db/embedded.ts';
import type { PrismaClient } from '../../src/repositories/db.ts';
import { hashApiKey, registerBootstrapKey } from '../../src/services/api-keys.ts';
import { payloadOf } from '../../src/services/audit.ts';
import { runServiceToExit, startService, stopService, type Service } from '../helpers/service-process.ts';
import { testDatabaseUrl } from '../helpers/test-app.ts';

/**
 * BOOTSTRAP_OFFICER_KEY (API.md): the real server registers it, hashed and idempotently, as an officer key
 * at boot, so a fresh install can be administered. Each test uses a key of its own on the shared database.
 */
let db: PrismaClient;
let service: Service | undefined;
const key = randomBytes(32).toString('hex');

beforeAll(async () => {
  db = createPrismaClient(parseDatabaseUrl(testDatabaseUrl()), { poolSize: 2 });
  service = await startService({ DATABASE_URL: testDatabaseUrl(), BOOTSTRAP_OFFICER_KEY: key });
}, 120_000);
afterAll(async () => {
  if (service) await stopService(service.child);
  await db.$disconnect();
});

describe('BOOTSTRAP_OFFICER_KEY', () => {
  it('is registered at boot as an officer key that works at once, stored only as its hash', async () => {
    const url = `http://127.0.0.1:${service?.port}`;
    const res = await fetch(`${url}/v1/api-keys`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ role: 'auditor', name: 'issued by the bootstrap officer' }),
    });
    expect(res.status).toBe(201);

    const rows = await db.apiKey.findMany({ where: { keyHash: hashApiKey(key) } });
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ role: 'officer', name: 'bootstrap officer', revokedAt: null });
    expect(JSON.stringify(rows[0])).not.toContain(key);

    const audit = await db.auditEvent.findMany({
      where: { action: 'api-key.create', targetId: rows[0]?.id },
    });
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ requestId: 'boot', actorKeyId: null });
    const payload = audit[0] ? payloadOf(audit[0]) : null;
    expect(payload).toMatchObject({ via: 'BOOTSTRAP_OFFICER_KEY', after: { role: 'officer' } });
    expect(audit[0]?.record ?? JSON.stringify(payload)).not.toContain(key);

    const ready = service?.logs.find((l) => String(l.msg).startsWith('ready:'));
    expect(ready).toMatchObject({ bootstrapKey: 'registered' });
    expect(JSON.stringify(service?.logs)).not.toContain(key);
  });

  it('is idempotent: registering it again creates no second key and no second audit event', async () => {
    const again = await registerBootstrapKey(db, key);
    expect(again.created).toBe(false);
    const rows = await db.apiKey.findMany({ where: { keyHash: hashApiKey(key) } });
    expect(rows).toHaveLength(1);
    expect(again.record.id).toBe(rows[0]?.id);
    expect(await db.auditEvent.count({ where: { action: 'api-key.create', targetId: rows[0]?.id } })).toBe(1);
  });

  it('refuses to start with a short key, saying why (exit 78)', async () => {
    const refused = await runServiceToExit({
      DATABASE_URL: testDatabaseUrl(),
      BOOTSTRAP_OFFICER_KEY: 'short',
    });
    expect(refused.code).toBe(78);
    expect(refused.stderr).toMatch(/BOOTSTRAP_OFFICER_KEY: must be at least 32 random bytes/);
  });
});
