import { randomBytes } from 'node:crypto';
import { chmod, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ensureTestDataRoot } from '../helpers/test-data-root.ts';
import {
  freePort,
  isAlive,
  logMessage,
  logRecord,
  spawnWatched,
  until,
  type WatchedProcess,
} from '../helpers/processes.ts';

/**
 * `npm start` as a person runs it, in real processes: the launcher, its embedded PostgreSQL in a process group
 * of its own, and the faults of issue 10 reproduced (kill -9 of node, kill -9 of PostgreSQL under load, Ctrl-C
 * under load). Each test has its own data folder and free ports.
 */
const OFFICER_KEY = `gec_boot_${randomBytes(24).toString('hex')}`;

const CHECK = {
  destination: 'KR',
  items: [{ productId: 'nvidia-h100-sxm', quantity: 10 }],
  endUser: { name: 'Launcher Test Co', headquarters: 'KR', verifiedEndUser: null },
  consignee: 'Launcher Test Co',
  shipDate: '2025-06-01',
  ruleset: 'ai-diffusion-2025',
};

interface Launch {
  proc: WatchedProcess;
  port: number;
  base: string;
  /** The launcher's node process (npm and sh sit above it). */
  nodePid: number;
}

let dataRoot: string;
const launched: WatchedProcess[] = [];

beforeAll(async () => {
  dataRoot = await mkdtemp(join(await ensureTestDataRoot(), 'launcher-'));
  // As root, PostgreSQL runs as the postgres user, which must be able to enter the folders above its data.
  await chmod(dataRoot, 0o755);
});

afterEach(async () => {
  // Whatever a failed test left running: the launcher's group, then any postmaster on the test's folders.
  for (const proc of launched.splice(0)) {
    if (proc.child.exitCode === null && proc.child.pid) {
      try {
        process.kill(-proc.child.pid, 'SIGKILL');
      } catch {
        // gone
      }
    }
  }
});

afterAll(async () => {
  await rm(dataRoot, { recursive: true, force: true });
});

async function newDataDir(): Promise<string> {
  return mkdtemp(join(dataRoot, 'data-'));
}

async function launch(dataDir: string, pgPort: number): Promise<Launch> {
  const port = await freePort();
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DATA_DIR: dataDir,
    PORT: String(port),
    HOST: '127.0.0.1',
    EMBEDDED_PG_PORT: String(pgPort),
    LOG_LEVEL: 'info',
    BOOTSTRAP_OFFICER_KEY: OFFICER_KEY,
    RATE_LIMIT_PER_MINUTE: '100000000',
    // The load here is the point of the tests, not something for admission control to shed.
    ADMISSION_MAX_LINES: '1000000',
    ADMISSION_MAX_LINES_PER_KEY: '1000000',
  };
  delete env.DATABASE_URL;
  delete env.MIGRATION_DATABASE_URL;
  // detached: npm, its shell and node form one process group, like a command typed at a terminal.
  const proc = spawnWatched('npm', ['start', '--silent'], { env, detached: true });
  launched.push(proc);
  const ready = await proc.waitForLine((line) => logMessage(line).startsWith('ready:'), 120_000);
  const nodePid = Number(logRecord(ready)?.pid);
  expect(nodePid).toBeGreaterThan(0);
  return { proc, port, base: `http://127.0.0.1:${port}`, nodePid };
}

async function postmasterPid(dataDir: string): Promise<number> {
  return Number((await readFile(join(dataDir, 'postmaster.pid'), 'utf8')).split('\n')[0]);
}

async function ownerQuery<T extends pg.QueryResultRow>(
  dataDir: string,
  pgPort: number,
  sql: string,
  values: unknown[] = [],
): Promise<T[]> {
  const credentials = JSON.parse(await readFile(join(dataDir, 'credentials.json'), 'utf8')) as {
    owner: { user: string; password: string };
  };
  const client = new pg.Client({
    host: '127.0.0.1',
    port: pgPort,
    database: 'compliance',
    ...credentials.owner,
  });
  await client.connect();
  try {
    return (await client.query<T>(sql, values)).rows;
  } finally {
    await client.end();
  }
}

async function check(
  base: string,
  body: unknown = CHECK,
): Promise<{ status: number; headers: Headers; json: { checkId?: string; code?: string } }> {
  const res = await fetch(`${base}/v1/checks`, {
    method: 'POST',
    headers: { authorization: `Bearer ${OFFICER_KEY}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return {
    status: res.status,
    headers: res.headers,
    json: (await res.json()) as { checkId?: string; code?: string },
  };
}

async function stopLaunch(launch: Launch): Promise<void> {
  if (launch.proc.child.exitCode !== null) return;
  process.kill(-(launch.proc.child.pid as number), 'SIGINT');
  await launch.proc.exited;
}

// Each launch initialises a cluster, migrates and seeds it: tens of seconds on a busy 2-core machine.
describe('npm start (the launcher)', { timeout: 240_000 }, () => {
  it('keeps the embedded server private: a random password in a 0600 file, never printed; postgres/postgres refused', async () => {
    const dataDir = await newDataDir();
    const pgPort = await freePort();
    const run = await launch(dataDir, pgPort);
    try {
      const file = join(dataDir, 'credentials.json');
      expect((await stat(file)).mode & 0o777).toBe(0o600);
      const credentials = JSON.parse(await readFile(file, 'utf8')) as Record<
        string,
        { user: string; password: string }
      >;
      expect(credentials.owner?.password).toMatch(/^[A-Za-z0-9_-]{40,}$/);
      expect(credentials.app).toMatchObject({ user: 'compliance_app' });
      for (const { password } of Object.values(credentials))
        expect(run.proc.output()).not.toContain(password);

      const legacy = new pg.Client({
        host: '127.0.0.1',
        port: pgPort,
        user: 'postgres',
        password: 'postgres',
        database: 'postgres',
      });
      await expect(legacy.connect()).rejects.toMatchObject({ code: '28P01' });
      await legacy.end().catch(() => undefined);

      // A second launcher on the folder a live one serves refuses, and leaves the first one's PostgreSQL alone.
      const postmaster = await postmasterPid(dataDir);
      const env: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: dataDir, PORT: '0' };
      env.EMBEDDED_PG_PORT = String(await freePort());
      delete env.DATABASE_URL;
      const second = spawnWatched(process.execPath, ['--import', 'tsx', 'src/launcher/index.ts'], { env });
      launched.push(second);
      expect((await second.exited).code).toBe(1);
      expect(second.output()).toMatch(/another launcher \(pid \d+\) is serving/);
      expect(isAlive(postmaster)).toBe(true);
      expect((await fetch(`${run.base}/readyz`)).status).toBe(200);
    } finally {
      await stopLaunch(run);
    }
  });

  it('starts again after its node process was killed with SIGKILL, stopping the orphaned PostgreSQL cleanly', async () => {
    const dataDir = await newDataDir();
    const pgPort = await freePort();
    const first = await launch(dataDir, pgPort);
    const created = await check(first.base);
    expect(created.status).toBe(200);
    const orphan = await postmasterPid(dataDir);

    process.kill(first.nodePid, 'SIGKILL');
    await until(() => !isAlive(first.nodePid), 10_000, 'the killed launcher to be gone');
    // PostgreSQL has its own process group: it survives its launcher, as it did in the reported fault.
    expect(isAlive(orphan)).toBe(true);
    if (first.proc.child.exitCode === null) process.kill(-(first.proc.child.pid as number), 'SIGKILL');

    const second = await launch(dataDir, pgPort);
    try {
      expect(
        second.proc.lines.some((line) => logMessage(line).includes('previous launcher left running')),
      ).toBe(true);
      expect(isAlive(orphan)).toBe(false);
      expect(await postmasterPid(dataDir)).not.toBe(orphan);
      const ready = await fetch(`${second.base}/readyz`);
      expect(ready.status).toBe(200);
      // The data survived: the first run's audited check is still there.
      const rows = await ownerQuery(dataDir, pgPort, 'SELECT 1 FROM audit_events WHERE target_id = $1', [
        created.json.checkId,
      ]);
      expect(rows).toHaveLength(1);
    } finally {
      await stopLaunch(second);
    }
  });

  it('ignores a stale postmaster.pid whose pid now belongs to another process named postgres', async () => {
    const dataDir = await newDataDir();
    const pgPort = await freePort();
    const first = await launch(dataDir, pgPort);
    await stopLaunch(first);

    // A live process that is not a postmaster for this folder, with "postgres" in its command line.
    const impostor = spawnWatched(
      process.execPath,
      ['-e', 'setInterval(() => {}, 1000)', 'postgres', '-D', dataDir],
      {
        detached: true,
      },
    );
    launched.push(impostor);
    const pidFile = `${impostor.child.pid}\n${dataDir}\n0\n${pgPort}\n\n127.0.0.1\n0 0\nready   \n`;
    await writeFile(join(dataDir, 'postmaster.pid'), pidFile);

    const second = await launch(dataDir, pgPort);
    try {
      expect(isAlive(impostor.child.pid as number)).toBe(true);
      expect(await postmasterPid(dataDir)).not.toBe(impostor.child.pid);
      expect((await fetch(`${second.base}/readyz`)).status).toBe(200);
    } finally {
      await stopLaunch(second);
      impostor.child.kill('SIGKILL');
    }
  });

  it('answers 503 with Retry-After while PostgreSQL is killed under load, restarts it, and loses nothing', async () => {
    const dataDir = await newDataDir();
    const pgPort = await freePort();
    const run = await launch(dataDir, pgPort);
    try {
      const results: {
        status: number;
        retryAfter: string | null;
        code?: string;
        checkId?: string;
        at: number;
      }[] = [];
      let killedAt = 0;
      let recoveredAt = 0;
      let stop = false;
      const worker = async (): Promise<void> => {
        while (!stop) {
          const res = await check(run.base);
          const at = Date.now();
          results.push({
            status: res.status,
            retryAfter: res.headers.get('retry-after'),
            code: res.json.code,
            checkId: res.json.checkId,
            at,
          });
          if (killedAt && res.status === 200 && results.some((r) => r.status === 503) && !recoveredAt)
            recoveredAt = at;
          if (recoveredAt && at - recoveredAt > 500) stop = true;
          if (killedAt && Date.now() - killedAt > 45_000) stop = true;
        }
      };
      const workers = Array.from({ length: 6 }, () => worker());
      await until(() => results.filter((r) => r.status === 200).length >= 30, 30_000, 'load to be running');
      const victim = await postmasterPid(dataDir);
      process.kill(victim, 'SIGKILL');
      killedAt = Date.now();
      await Promise.all(workers);

      const statuses = new Set(results.map((r) => r.status));
      const unhandled = run.proc.lines.filter((line) => logMessage(line) === 'unhandled error');
      expect(unhandled.length, unhandled.slice(0, 2).join('\n')).toBe(0);
      expect([...statuses].sort()).toEqual([200, 503]);
      for (const r of results.filter((x) => x.status === 503)) {
        expect(r.code).toBe('DATABASE_UNAVAILABLE');
        expect(Number(r.retryAfter)).toBeGreaterThan(0);
      }
      expect(recoveredAt).toBeGreaterThan(0);
      expect(recoveredAt - killedAt).toBeLessThan(30_000);
      await run.proc.waitForLine((line) => logMessage(line).includes('exited unexpectedly'), 1_000);
      await run.proc.waitForLine((line) => logMessage(line) === 'embedded PostgreSQL restarted', 1_000);

      // Every check answered 200 was recorded, and the audit chain is intact.
      const answered = results.filter((r) => r.status === 200).map((r) => r.checkId as string);
      const rows = await ownerQuery<{ n: string }>(
        dataDir,
        pgPort,
        "SELECT count(*) AS n FROM audit_events WHERE action = 'check.create' AND target_id = ANY($1)",
        [answered],
      );
      expect(Number(rows[0]?.n)).toBe(answered.length);
      const verify = await fetch(`${run.base}/v1/audit/verify`, {
        headers: { authorization: `Bearer ${OFFICER_KEY}` },
      });
      expect(await verify.json()).toMatchObject({ valid: true });
    } finally {
      await stopLaunch(run);
    }
  });

  it('on Ctrl-C under load, finishes every request in flight, then stops PostgreSQL', async () => {
    const dataDir = await newDataDir();
    const pgPort = await freePort();
    const run = await launch(dataDir, pgPort);
    const postmaster = await postmasterPid(dataDir);
    const heavy = {
      ...CHECK,
      // The largest order the contract takes, so that requests are still being worked on when the signal comes.
      items: Array.from({ length: 500 }, (_, i) => ({ productId: 'nvidia-h100-sxm', quantity: i + 1 })),
    };
    const seenBefore = run.proc.lines.length;
    const requests = 40;
    const answers = Array.from({ length: requests }, () => check(run.base, heavy));
    // Every request has reached the service before the signal: each is in flight, none is new.
    let arrived = 0;
    await run.proc.waitForLine((line) => {
      if (run.proc.lines.indexOf(line) >= seenBefore && logMessage(line) === 'incoming request') arrived += 1;
      return arrived >= requests;
    }, 30_000);
    process.kill(-(run.proc.child.pid as number), 'SIGINT');

    const settled = await Promise.allSettled(answers);
    const statuses = settled.map((s) => (s.status === 'fulfilled' ? s.value.status : String(s.reason)));
    expect(statuses).toEqual(Array.from({ length: requests }, () => 200));
    await run.proc.exited;
    const lines = run.proc.lines.map(logMessage);
    const stoppingAt = lines.indexOf('stopping: draining requests, then PostgreSQL');
    expect(stoppingAt).toBeGreaterThan(-1);
    // The signal came while requests were still being worked on: some finished after it.
    expect(lines.slice(stoppingAt).filter((m) => m === 'request completed').length).toBeGreaterThan(0);
    const pgStoppedAt = lines.findIndex((m) => /embedded PostgreSQL on port \d+ stopped/.test(m));
    expect(pgStoppedAt).toBeGreaterThan(lines.lastIndexOf('request completed'));
    expect(isAlive(postmaster)).toBe(false);
  });
});
