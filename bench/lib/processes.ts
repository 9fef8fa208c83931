import { spawn, type ChildProcess } from 'node:child_process';
import { openSync, closeSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

export const LOOPBACK = '127.0.0.1';

/**
 * The environment of a service the benchmarks start with `npm start`'s launcher: its own embedded PostgreSQL in
 * `dataDir`, a bootstrap officer key, and the limits that would otherwise shed the load being measured lifted
 * (the per-key and per-organisation rate limits; the byte budget, for the 100,000-entry screening import).
 */
export function benchServiceEnv(options: {
  dataDir: string;
  port: number;
  pgPort: number;
  officerKey: string;
}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DATA_DIR: options.dataDir,
    EMBEDDED_PG_PORT: String(options.pgPort),
    PORT: String(options.port),
    HOST: LOOPBACK,
    LOG_LEVEL: 'warn',
    BOOTSTRAP_OFFICER_KEY: options.officerKey,
    RATE_LIMIT_PER_MINUTE: '1000000000',
    RATE_LIMIT_PER_ORGANISATION_PER_MINUTE: '1000000000',
    ADMISSION_MAX_BYTES: '268435456',
  };
  delete env.DATABASE_URL;
  return env;
}

export interface NodeChild {
  name: string;
  child: ChildProcess;
  pid: number;
  logFile: string;
  /** Resolves with the exit code (or signal) once the process has exited. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** A port the kernel has just handed out on loopback; it may be taken again before use, so callers retry. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.unref();
    probe.once('error', reject);
    probe.listen(0, LOOPBACK, () => {
      const address = probe.address();
      probe.close(() =>
        address && typeof address === 'object' ? resolve(address.port) : reject(new Error('no free port')),
      );
    });
  });
}

/**
 * Starts `node --import tsx <script>` with its output appended to logFile. Node is the direct child (no npm or
 * shell in between), so its pid is the service's and signals reach it.
 */
export function spawnNode(
  name: string,
  script: string,
  options: { cwd: string; env: NodeJS.ProcessEnv; logFile: string; nodeArgs?: string[] },
): NodeChild {
  const fd = openSync(options.logFile, 'a');
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), '--import', 'tsx', script], {
    cwd: options.cwd,
    env: options.env,
    stdio: ['ignore', fd, fd],
  });
  closeSync(fd);
  if (child.pid === undefined) throw new Error(`could not start ${name}`);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
  });
  return { name, child, pid: child.pid, logFile: options.logFile, exited };
}

export function isRunning(proc: NodeChild): boolean {
  return proc.child.exitCode === null && proc.child.signalCode === null;
}

/** Polls url until it answers 200; fails if the process exits first or the deadline passes. */
export async function waitForOk(url: string, proc: NodeChild, timeoutMs: number): Promise<number> {
  const started = performance.now();
  for (;;) {
    if (!isRunning(proc)) throw new Error(`${proc.name} exited before ${url} answered`);
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(1_000) });
      await response.arrayBuffer();
      if (response.status === 200) return performance.now() - started;
    } catch {
      // not listening yet
    }
    if (performance.now() - started > timeoutMs)
      throw new Error(`${url} did not answer 200 within ${timeoutMs} ms`);
    await sleep(50);
  }
}

/** SIGTERM, then SIGKILL after graceMs. Resolves once the process has exited. */
export async function stopProcess(
  proc: NodeChild,
  graceMs: number,
): Promise<{ code: number | null; signal: NodeJS.Signals | null; killed: boolean }> {
  if (!isRunning(proc)) return { ...(await proc.exited), killed: false };
  proc.child.kill('SIGTERM');
  const timer = sleep(graceMs).then(() => null);
  const first = await Promise.race([proc.exited, timer]);
  if (first) return { ...first, killed: false };
  proc.child.kill('SIGKILL');
  return { ...(await proc.exited), killed: true };
}

/** Every live descendant of pid (children, grandchildren, …), from /proc. Linux only; elsewhere empty. */
export async function descendants(pid: number): Promise<number[]> {
  let entries: string[];
  try {
    entries = await readdir('/proc');
  } catch {
    return [];
  }
  const children = new Map<number, number[]>();
  await Promise.all(
    entries
      .filter((e) => /^\d+$/.test(e))
      .map(async (e) => {
        try {
          const stat = await readFile(`/proc/${e}/stat`, 'utf8');
          // "pid (comm) state ppid …": comm may hold spaces and parentheses, so split after the last ')'.
          const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
          const list = children.get(ppid) ?? [];
          list.push(Number(e));
          children.set(ppid, list);
        } catch {
          // the process ended while we looked
        }
      }),
  );
  const found: number[] = [];
  const queue = [pid];
  while (queue.length > 0) {
    const next = queue.pop() as number;
    for (const c of children.get(next) ?? []) {
      found.push(c);
      queue.push(c);
    }
  }
  return found;
}

/** Last lines of a log file, for error messages. */
export async function tail(file: string, lines = 30): Promise<string> {
  try {
    return (await readFile(file, 'utf8')).trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}
