import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { syntheticCsl } from '../../bench/lib/synthetic-csl.ts';
import { MAX_ITEMS } from '../../src/http/schemas/shipment-request.ts';
import { seedReferenceData } from '../../src/services/seed-reference-data.ts';
import { createApiKey, createTier2Country } from '../helpers/factories.ts';
import { createIsolatedDatabase, type IsolatedDatabase } from '../helpers/isolated-db.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** The heap bound `npm start` runs with: the point is that the service survives within it. */
const SERVICE_NODE_FLAGS = (
  JSON.parse(readFileSync(`${ROOT}package.json`, 'utf8')) as { config: { serviceNodeFlags: string } }
).config.serviceNodeFlags
  .split(' ')
  .filter(Boolean);

/**
 * The security review's hostile load, against the service as `npm start` runs it (a child process with the
 * same heap flags) on a database of its own: twenty concurrent maximum-size checks from one key, then about
 * 150 large events, then a verification and a 500-event listing. The service must stay up and ready, and
 * the chain valid.
 */
describe('hostile load on a heap-bounded service', () => {
  let iso: IsolatedDatabase;
  let child: ChildProcess;
  let base: string;
  let vendor: string;
  let auditor: string;
  let destination: string;
  const exited = { code: null as number | null, signal: null as string | null, done: false };
  const stderr: string[] = [];

  beforeAll(async () => {
    iso = await createIsolatedDatabase('hostile_load');
    // Seeded here (the service's own seed then finds everything in place), so that the child's start-up
    // transaction stays short on a machine busy with parallel test files.
    await seedReferenceData(iso.db);
    vendor = (await createApiKey(iso.db, 'vendor', 'hostile vendor')).key;
    auditor = (await createApiKey(iso.db, 'auditor', 'hostile auditor')).key;
    child = spawn(process.execPath, [...SERVICE_NODE_FLAGS, '--import', 'tsx', 'src/server.ts'], {
      cwd: ROOT,
      env: {
        ...process.env,
        DATABASE_URL: iso.url,
        PORT: '0',
        HOST: '127.0.0.1',
        LOG_LEVEL: 'info',
        RATE_LIMIT_PER_MINUTE: '1000000',
        AUDIT_SIGNING_KEY: randomBytes(32).toString('hex'),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.once('exit', (code, signal) => Object.assign(exited, { code, signal, done: true }));
    child.stderr?.on('data', (chunk: Buffer) => stderr.push(chunk.toString()));
    // Fastify logs the address it bound (port 0: the kernel's choice).
    base = await new Promise<string>((resolve, reject) => {
      const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
      lines.on('line', (line) => {
        const match = /Server listening at (http:\/\/127\.0\.0\.1:\d+)/.exec(line);
        if (match?.[1]) resolve(match[1]);
      });
      child.once('exit', () => reject(new Error(`service exited during start-up: ${stderr.join('')}`)));
    });
    // A Tier 2 country of this test's own with room for everything.
    destination = await createTier2Country(iso.db, { allocationTpp: 1e15 });
  });

  afterAll(async () => {
    if (child && !exited.done) {
      const gone = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await gone;
    }
    await iso?.drop();
  });

  /** 500 custom lines whose descriptions are 200 three-byte characters: about 330 KB, the most a check takes. */
  function maximumCheck(n: number): string {
    const items = Array.from({ length: MAX_ITEMS }, (_, i) => ({
      description: `${n}-${i} ${'語'.repeat(190)}`.slice(0, 200),
      tpp: 5200 + (i % 7),
      performanceDensity: 7.1,
      datacenter: true,
      quantity: 1 + (i % 3),
    }));
    return JSON.stringify({
      destination,
      items,
      endUser: { name: `Hostile ${n}`, headquarters: destination, verifiedEndUser: null },
      shipDate: '2025-06-01',
    });
  }

  const call = async (path: string, init: RequestInit = {}, key = vendor) => {
    const res = await fetch(`${base}${path}`, {
      ...init,
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', ...init.headers },
    });
    const text = await res.text();
    return { status: res.status, headers: res.headers, text };
  };

  it('stays up, ready and verifiable', async () => {
    const body = maximumCheck(0);
    expect(Buffer.byteLength(body)).toBeGreaterThan(300_000);

    // Twenty concurrent maximum-size checks from one key: some answered, the rest refused with Retry-After.
    const burst = await Promise.all(
      Array.from({ length: 20 }, (_, n) => call('/v1/checks', { method: 'POST', body: maximumCheck(n) })),
    );
    const statuses = burst.map((r) => r.status);
    expect(
      statuses.every((s) => s === 200 || s === 429 || s === 503),
      statuses.join(','),
    ).toBe(true);
    expect(statuses.filter((s) => s === 200).length).toBeGreaterThan(0);
    const refused = burst.filter((r) => r.status !== 200);
    expect(refused.length).toBeGreaterThan(0);
    for (const r of refused) {
      expect(r.headers.get('retry-after')).toBe('1');
      expect(r.headers.get('content-type')).toContain('application/problem+json');
    }

    // About 150 large events, sent as fast as the key's share allows (three orders at a time).
    const answered = statuses.filter((s) => s === 200).length;
    let next = 20;
    const worker = async () => {
      while (next < 20 + 150 - answered) {
        const n = next;
        next += 1;
        const res = await call('/v1/checks', { method: 'POST', body: maximumCheck(n) });
        expect(res.status, res.text.slice(0, 300)).toBe(200);
      }
    };
    await Promise.all([worker(), worker(), worker()]);

    const verify = await call('/v1/audit/verify', {}, auditor);
    expect(verify.status, verify.text.slice(0, 300)).toBe(200);
    const verification = JSON.parse(verify.text);
    expect(verification).toMatchObject({ valid: true });
    expect(verification.events).toBeGreaterThanOrEqual(150);

    const listing = await call('/v1/audit?limit=500', {}, auditor);
    expect(listing.status).toBe(200);
    const page = JSON.parse(listing.text);
    expect(page.data.length).toBeGreaterThan(0);
    // Bounded by bytes: a page of such events is shorter than 500 and says where to continue.
    expect(page.data.length).toBeLessThan(500);
    expect(page.nextCursor).not.toBeNull();
    const second = await call(`/v1/audit?limit=500&cursor=${page.nextCursor}`, {}, auditor);
    expect(second.status).toBe(200);
    expect(JSON.parse(second.text).data[0].seq).toBeLessThan(page.data.at(-1).seq);

    const ready = await fetch(`${base}/readyz`);
    expect(ready.status).toBe(200);
    expect(exited.done, stderr.join('')).toBe(false);

    const status = await readFile(`/proc/${child.pid}/status`, 'utf8');
    const peakKb = Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1]);
    const records = await iso.db.$queryRaw<{ max: number; total: bigint }[]>`
        SELECT max(octet_length(record))::int AS max, sum(octet_length(record))::bigint AS total FROM audit_events`;
    console.log(
      `hostile load: burst ${statuses.filter((s) => s === 200).length} answered / ${refused.length} refused; ` +
        `${verification.events} events verified; first page ${page.data.length} events (${Math.round(Buffer.byteLength(listing.text) / 1024)} KiB); ` +
        `largest record ${Math.round((records[0]?.max ?? 0) / 1024)} KiB, total ${Math.round(Number(records[0]?.total ?? 0) / 1048576)} MiB; ` +
        `service peak RSS ${Math.round(peakKb / 1024)} MB`,
    );
    // What this bounds: the V8 heap is capped at 160 MB (the crash above is the heap's check); the rest of the
    // resident set is code (tsx-transpiled sources here), the young generation (8 MB semi-spaces) and buffers
    // outside the heap, which admission (4 MB of bodies in flight) and byte-bounded audit pages (4 MB) keep
    // small. Measured 280-316 MB on this machine. An audit page that ignored its byte bound would read 500 such
    // events (about 165 MB of text) at once, and break this bound or the heap. The 300 MB memory target of
    // issue 17 is a benchmark figure (`npm run bench`, the service at load), not this test's bound.
    expect(peakKb / 1024).toBeLessThan(400);
  }, 240_000);

  it('imports a 48 MB screening list through the API within the heap bound', async () => {
    // 100,000 synthetic entries, as `npm run bench` imports: parsed whole, this body ran the 160 MB heap out
    // of memory (the process aborted); the import route parses entries as they arrive.
    const body = JSON.stringify(syntheticCsl(100_000, 20_261_202));
    expect(Buffer.byteLength(body)).toBeGreaterThan(45_000_000);
    const officer = (await createApiKey(iso.db, 'officer', 'hostile officer')).key;
    const res = await call('/v1/screening-lists', { method: 'POST', body }, officer);
    expect(res.status, res.text.slice(0, 300)).toBe(201);
    expect(JSON.parse(res.text)).toMatchObject({ entries: 100_000, malformedCount: 0 });
    expect(exited.done, stderr.join('')).toBe(false);
    const screened = await call('/v1/screenings', {
      method: 'POST',
      body: JSON.stringify({ name: 'Hostile Clean Name', country: destination }),
    });
    expect(screened.status).toBe(200);
    expect(JSON.parse(screened.text).listId).toBe(JSON.parse(res.text).id);
  }, 240_000);
});
