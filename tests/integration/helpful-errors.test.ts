import { spawn, spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SOUTH_KOREA_CHECK } from '../../src/http/schemas/examples.ts';
import { bearer, createApiKey } from '../helpers/factories.ts';
import { createIsolatedDatabase } from '../helpers/isolated-db.ts';
import { createTestApp, type TestApp } from '../helpers/test-app.ts';

let t: TestApp;
let vendor: string;
let procurement: string;

beforeAll(async () => {
  t = await createTestApp();
  vendor = (await createApiKey(t.db, 'vendor')).key;
  procurement = (await createApiKey(t.db, 'procurement')).key;
});
afterAll(async () => t.close());

const check = (body: object) => request(t.app.server).post('/v1/checks').set(bearer(vendor)).send(body);

function expectProblem(res: request.Response, status: number, code: string) {
  expect(res.status, JSON.stringify(res.body)).toBe(status);
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  expect(res.body.code).toBe(code);
}

describe('country codes: did you mean', () => {
  it('UK is GB', async () => {
    const res = await check({ ...SOUTH_KOREA_CHECK, destination: 'UK' });
    expectProblem(res, 400, 'VALIDATION_FAILED');
    expect(res.body.errors).toEqual([
      { path: 'body.destination', message: 'unknown country code UK. Did you mean GB (United Kingdom)?' },
    ]);
  });

  it('an alpha-3 code (KOR) is its alpha-2 code', async () => {
    const res = await check({ ...SOUTH_KOREA_CHECK, destination: 'KOR' });
    expectProblem(res, 400, 'VALIDATION_FAILED');
    expect(res.body.errors[0]).toMatchObject({ path: 'body.destination' });
    expect(res.body.errors[0].message).toMatch(/alpha-2 code.*Did you mean KR \(South Korea\)\?/);
  });

  it('an English name (Korea) suggests KR first, for the end user’s headquarters too', async () => {
    const res = await check({
      ...SOUTH_KOREA_CHECK,
      endUser: { ...SOUTH_KOREA_CHECK.endUser, headquarters: 'Korea' },
    });
    expectProblem(res, 400, 'VALIDATION_FAILED');
    expect(res.body.errors[0].path).toBe('body.endUser.headquarters');
    expect(res.body.errors[0].message).toMatch(/Did you mean KR \(South Korea\) or KP \(North Korea\)\?/);
  });

  it('a country URL with UK answers 404 naming GB', async () => {
    const res = await request(t.app.server).get('/v1/countries/UK').set(bearer(vendor));
    expectProblem(res, 404, 'COUNTRY_NOT_FOUND');
    expect(res.body.detail).toContain('Did you mean GB (United Kingdom)?');
  });

  it('says nothing it does not know: no suggestion for a code nobody uses', async () => {
    const res = await check({ ...SOUTH_KOREA_CHECK, destination: 'XZ' });
    expect(res.body.errors[0].message).toBe('unknown country code XZ.');
  });
});

describe('Idempotency-Key: 1 to 255 visible characters', () => {
  const reserve = (key: string) =>
    request(t.app.server)
      .post('/v1/shipments')
      .set(bearer(procurement))
      .set('idempotency-key', key)
      .send({
        ...SOUTH_KOREA_CHECK,
        endUser: { ...SOUTH_KOREA_CHECK.endUser, name: `Buyer ${randomUUID()}` },
      });

  it('takes an order number like po-1001, one character, and 255 visible characters', async () => {
    const suffix = randomUUID().slice(0, 8);
    for (const key of [
      `po-1001/${suffix}`,
      `#${suffix}`.slice(0, 1) + suffix,
      `${'~'.repeat(247)}${suffix}`,
    ]) {
      const res = await reserve(key);
      expect(res.status, `${key}: ${JSON.stringify(res.body)}`).toBe(201);
    }
    // A single character is a key too (unique per API key, so this one gets its own key).
    const own = (await createApiKey(t.db, 'procurement')).key;
    const single = await request(t.app.server)
      .post('/v1/shipments')
      .set(bearer(own))
      .set('idempotency-key', 'x')
      .send(SOUTH_KOREA_CHECK);
    expect(single.status).toBe(201);
  });

  it('refuses 256 characters and spaces, saying what a key may be', async () => {
    const long = await reserve('k'.repeat(256));
    expectProblem(long, 400, 'VALIDATION_FAILED');
    expect(long.body.detail).toMatch(/256 characters long.*1 to 255 visible ASCII characters/);
    const spaced = await reserve('po 1001');
    expectProblem(spaced, 400, 'VALIDATION_FAILED');
    expect(spaced.body.errors).toEqual([
      { path: 'headers.idempotency-key', message: 'must be 1-255 visible ASCII characters' },
    ]);
  });
});

describe('415 says what to send', () => {
  it('names application/json', async () => {
    const res = await request(t.app.server)
      .post('/v1/checks')
      .set(bearer(vendor))
      .set('content-type', 'application/xml')
      .send('<check/>');
    expectProblem(res, 415, 'UNSUPPORTED_MEDIA_TYPE');
    expect(res.body.detail).toBe(
      'Content-Type "application/xml" is not accepted: send the body as JSON with "Content-Type: application/json".',
    );
  });
});

describe('command lines: --help', () => {
  it('npm run apikey -- --help prints its usage and exits 0', () => {
    const run = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/apikey.ts', '--help'], {
      encoding: 'utf8',
    });
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toContain('usage: npm run apikey -- create --role <role> --name <label>');
    expect(run.stdout).toContain('roles: vendor, procurement, officer, auditor');
  });

  it('the database commands print their usage and exit 0', () => {
    const run = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/db.ts', '--help'], {
      encoding: 'utf8',
    });
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toContain('db:migrate -- --name <name>');
  });
});

/** Starts the service on its own database, returns its log up to "ready" and stops it. */
async function bootLog(databaseUrl: string): Promise<string> {
  const { BOOTSTRAP_OFFICER_KEY: _none, ...env } = process.env;
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
    env: { ...env, DATABASE_URL: databaseUrl, PORT: '0', LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`service did not start:\n${log}`)), 60_000);
      const read = (chunk: Buffer) => {
        log += chunk.toString();
        // The advice, when there is any, follows the ready line in the same tick.
        if (log.includes('"msg":"ready')) setImmediate(() => (clearTimeout(timer), resolve()));
      };
      child.stdout.on('data', read);
      child.stderr.on('data', read);
      child.on('exit', (code) => reject(new Error(`service exited with ${code}:\n${log}`)));
    });
    await new Promise((resolve) => setTimeout(resolve, 200));
  } finally {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
  }
  return log;
}

describe('first start with no key', () => {
  it('logs the two ways to get one, and stops saying it once an officer key exists', async () => {
    const isolated = await createIsolatedDatabase('first_start');
    try {
      const first = await bootLog(isolated.url);
      expect(first).toContain('No API key exists yet');
      expect(first).toContain('BOOTSTRAP_OFFICER_KEY');
      expect(first).toContain('npm run apikey -- create --role officer');
      await createApiKey(isolated.db, 'officer');
      const second = await bootLog(isolated.url);
      expect(second).toContain('"msg":"ready');
      expect(second).not.toContain('No API key exists yet');
    } finally {
      await isolated.drop();
    }
  });
});
