import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseDatabaseUrl, type DatabaseEndpoint } from '../../src/db/endpoint.ts';
import { testDatabaseUrl, testOwnerDatabaseUrl } from '../helpers/test-app.ts';

/**
 * Issue 19, least privilege, against the real PostgreSQL: the service's role is no superuser, owns nothing and
 * cannot change the append-only tables, whatever code runs in the service.
 */
let app: pg.Client;
let appEndpoint: DatabaseEndpoint;

async function refusal(sql: string): Promise<string | undefined> {
  try {
    await app.query(sql);
    return undefined;
  } catch (error) {
    return (error as { code?: string }).code;
  }
}

beforeAll(async () => {
  appEndpoint = parseDatabaseUrl(testDatabaseUrl());
  app = new pg.Client(appEndpoint);
  await app.connect();
});

afterAll(async () => {
  await app.end();
});

describe("the service's database role", () => {
  it('is compliance_app: no superuser, no role or database creation, and owns nothing', async () => {
    const { rows } = await app.query<{
      current_user: string;
      rolsuper: boolean;
      rolcreaterole: boolean;
      rolcreatedb: boolean;
      owned: string;
    }>(
      `SELECT current_user, r.rolsuper, r.rolcreaterole, r.rolcreatedb,
              (SELECT count(*) FROM pg_class c WHERE c.relowner = r.oid) AS owned
       FROM pg_roles r WHERE r.rolname = current_user`,
    );
    expect(rows[0]).toEqual({
      current_user: 'compliance_app',
      rolsuper: false,
      rolcreaterole: false,
      rolcreatedb: false,
      owned: '0',
    });
    // 42501: insufficient_privilege.
    expect(await refusal('CREATE TABLE intruder (id int)')).toBe('42501');
    expect(await refusal("COPY (SELECT 1) TO PROGRAM 'true'")).toBe('42501');
  });

  it('may read and append to the audit trail, its checkpoints and the ledger, never update, delete or truncate them', async () => {
    for (const [table, column] of [
      ['audit_events', 'action'],
      ['ledger_entries', 'note'],
    ] as const) {
      await app.query(`SELECT count(*) FROM ${table}`);
      expect(await refusal(`UPDATE ${table} SET ${column} = ${column} WHERE false`), table).toBe('42501');
      expect(await refusal(`DELETE FROM ${table} WHERE false`), table).toBe('42501');
      expect(await refusal(`TRUNCATE ${table}`), table).toBe('42501');
    }
    expect(await refusal('UPDATE audit_events SET payload = payload WHERE false')).toBe('42501');
    // Signed checkpoints too: removing one would let a rewrite of the history it covered pass.
    await app.query('SELECT count(*) FROM audit_checkpoints');
    expect(await refusal('UPDATE audit_checkpoints SET seq = seq WHERE false')).toBe('42501');
    expect(await refusal('DELETE FROM audit_checkpoints WHERE false')).toBe('42501');
    expect(await refusal('TRUNCATE audit_checkpoints')).toBe('42501');
  });

  it.skipIf(process.env.TEST_DATABASE_URL !== undefined)(
    'the embedded server refuses postgres/postgres: its superuser has a generated password',
    async () => {
      const owner = parseDatabaseUrl(testOwnerDatabaseUrl());
      expect(owner.password).not.toBe('postgres');
      const guess = new pg.Client({ ...owner, user: 'postgres', password: 'postgres' });
      await expect(guess.connect()).rejects.toMatchObject({ code: '28P01' });
      await guess.end().catch(() => undefined);
    },
  );
});
