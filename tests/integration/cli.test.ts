import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CSV_BATCH_EXAMPLE } from '../../src/http/schemas/examples.ts';
import { createApiKey } from '../helpers/factories.ts';
import { createTestApp, type TestApp } from '../helpers/test-app.ts';

let t: TestApp;
let url: string;
let key: string;
let dir: string;

beforeAll(async () => {
  t = await createTestApp();
  await t.app.listen({ port: 0, host: '127.0.0.1' });
  url = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
  key = (await createApiKey(t.db, 'vendor')).key;
  dir = await mkdtemp(join(tmpdir(), 'gpu-cli-'));
});
afterAll(async () => {
  await t.close();
  await rm(dir, { recursive: true, force: true });
});

/** Runs the package's bin as a vendor would, against the test server; never blocks this process's event loop. */
function cli(args: string[], env: Record<string, string | undefined> = {}) {
  return new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(
      process.execPath,
      ['bin/gpu-compliance.js', ...args],
      { env: { ...process.env, GPU_COMPLIANCE_URL: url, GPU_COMPLIANCE_KEY: key, ...env }, timeout: 60_000 },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 99) : 0, stdout, stderr }),
    );
  });
}

describe('gpu-compliance check', () => {
  it('exits 0 with a readable answer when the shipment is allowed (the issue’s example)', async () => {
    const run = await cli([
      'check',
      '--to',
      'KR',
      '--item',
      'nvidia-h100-sxm:10000',
      '--ship-date',
      '2026-12-10',
    ]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('ALLOWED under AIA');
    expect(run.stdout).toContain('South Korea (KR, TIER_1): 10,000 x nvidia-h100-sxm');
    expect(run.stdout).toContain('TIER1_AIA (15 CFR 740.27)');
  });

  it('exits 1 when it is not, and --json prints the service’s answer', async () => {
    const run = await cli([
      'check',
      '--to',
      'cn',
      '--item',
      'nvidia-h100-sxm:1',
      '--ship-date',
      '2026-12-10',
      '--json',
    ]);
    expect(run.code, run.stderr).toBe(1);
    const decision = JSON.parse(run.stdout);
    expect(decision).toMatchObject({ allowed: false, reviewPolicy: 'PRESUMPTION_OF_DENIAL' });
    const events = await t.db.auditEvent.count({ where: { targetId: decision.checkId } });
    expect(events).toBe(1);
  });

  it('exits 2 on a refused request, with the service’s field errors and hint', async () => {
    const run = await cli(['check', '--to', 'UK', '--hq', 'GB', '--item', 'nvidia-h100-sxm:1']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(
      'body.destination: unknown country code UK. Did you mean GB (United Kingdom)?',
    );
  });

  it('exits 2 on bad arguments, a missing key or no service', async () => {
    expect((await cli(['check', '--to', 'KR', '--item', 'h100'])).stderr).toContain('<productId>:<quantity>');
    const noKey = await cli(['check', '--to', 'KR', '--item', 'nvidia-h100-sxm:1'], {
      GPU_COMPLIANCE_KEY: '',
    });
    expect(noKey.code).toBe(2);
    expect(noKey.stderr).toContain('GPU_COMPLIANCE_KEY');
    const badKey = await cli(['check', '--to', 'KR', '--item', 'nvidia-h100-sxm:1'], {
      GPU_COMPLIANCE_KEY: 'nope',
    });
    expect(badKey.code).toBe(2);
    expect(badKey.stderr).toContain('401 UNAUTHENTICATED');
    const down = await cli(['check', '--to', 'KR', '--item', 'nvidia-h100-sxm:1'], {
      GPU_COMPLIANCE_URL: 'http://127.0.0.1:9',
    });
    expect(down.code).toBe(2);
    expect(down.stderr).toContain('cannot reach the service');
  });

  it('--help on the command and on each subcommand exits 0', async () => {
    for (const args of [['--help'], ['check', '--help'], ['batch', '--help']]) {
      const run = await cli(args);
      expect(run.code, args.join(' ')).toBe(0);
      expect(run.stdout).toContain('gpu-compliance check --to <country>');
      expect(run.stdout).toContain('GPU_COMPLIANCE_KEY');
    }
  });
});

describe('gpu-compliance batch, plan and record', () => {
  it('batch orders.csv: one summary per order, exit 1 when any order needs a licence', async () => {
    const file = join(dir, 'orders.csv');
    await writeFile(file, CSV_BATCH_EXAMPLE);
    const run = await cli(['batch', file]);
    expect(run.code, run.stderr).toBe(1);
    expect(run.stdout).toContain('order PO-1001: ALLOWED under AIA');
    expect(run.stdout).toContain('order PO-1002: LICENCE REQUIRED');
    expect(run.stdout).toContain('2 orders: 1 allowed, 1 not allowed, 0 refused');
    const csv = await cli(['batch', file, '--csv']);
    expect(csv.code).toBe(1);
    expect(csv.stdout.split('\n')[0]).toMatch(/^index,order,checkId,allowed/);
  });

  it('batch exits 0 when every order is allowed and 2 when one is refused', async () => {
    const ok = join(dir, 'ok.csv');
    await writeFile(
      ok,
      'order,destination,endUserName,endUserHeadquarters,productId,quantity\nA,KR,X,KR,nvidia-h100-sxm,5\n',
    );
    expect((await cli(['batch', ok])).code).toBe(0);
    const bad = join(dir, 'bad.csv');
    await writeFile(
      bad,
      'order,destination,endUserName,endUserHeadquarters,productId,quantity\nA,KR,X,KR,nvidia-h100-sxm,5\nB,KOR,X,KR,nvidia-h100-sxm,5\n',
    );
    const run = await cli(['batch', bad]);
    expect(run.code).toBe(2);
    expect(run.stdout).toContain('order B: REFUSED 400 VALIDATION_FAILED');
    expect(run.stdout).toContain('Did you mean KR (South Korea)?');
  });

  it('plan prints what fits; record saves the printable page', async () => {
    const plan = await cli([
      'plan',
      '--to',
      'AE',
      '--product',
      'nvidia-b200',
      '--ship-date',
      '2026-06-01',
      '--end-user',
      `CLI ${Date.now()}`,
    ]);
    expect(plan.code, plan.stderr).toBe(0);
    expect(plan.stdout).toMatch(
      /nvidia-b200: without a licence 747 \(LPP\); with a licence inside the allocation [\d,]+/,
    );

    const checked = await cli(['check', '--to', 'KR', '--item', 'nvidia-h100-sxm:3', '--json']);
    const { checkId } = JSON.parse(checked.stdout);
    const out = join(dir, 'record.html');
    const record = await cli(['record', checkId, '--out', out]);
    expect(record.code, record.stderr).toBe(0);
    const html = await readFile(out, 'utf8');
    expect(html).toContain(`Export check ${checkId}`);
    expect((await cli(['record', '00000000-0000-4000-8000-000000000000'])).stderr).toContain(
      '404 CHECK_NOT_FOUND',
    );
  });
});
