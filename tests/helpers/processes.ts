import { readFileSync } from 'node:fs';
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { createServer } from 'node:net';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** A child process whose output lines are kept and can be awaited (pino JSON lines parsed when they are). */
export interface WatchedProcess {
  child: ChildProcess;
  lines: string[];
  /** Resolves with the first line (past or future) that matches; rejects if the process exits first or on timeout. */
  waitForLine(match: (line: string) => boolean, timeoutMs?: number): Promise<string>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  output(): string;
}

export function spawnWatched(command: string, args: string[], options: SpawnOptions): WatchedProcess {
  const child = spawn(command, args, { cwd: ROOT, ...options, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  const waiters = new Set<() => void>();
  for (const stream of [child.stdout, child.stderr]) {
    if (!stream) continue;
    createInterface({ input: stream }).on('line', (line) => {
      lines.push(line);
      for (const wake of waiters) wake();
    });
  }
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => {
      resolve({ code, signal });
      for (const wake of waiters) wake();
    }),
  );
  const waitForLine = (match: (line: string) => boolean, timeoutMs = 60_000): Promise<string> =>
    new Promise((resolve, reject) => {
      let seen = 0;
      const check = (): void => {
        for (; seen < lines.length; seen++) {
          const line = lines[seen] as string;
          if (match(line)) return finish(() => resolve(line));
        }
        if (child.exitCode !== null || child.signalCode !== null)
          finish(() => reject(new Error(`process exited before the line came:\n${lines.join('\n')}`)));
      };
      const timer = setTimeout(
        () => finish(() => reject(new Error(`no such line within ${timeoutMs} ms:\n${lines.join('\n')}`))),
        timeoutMs,
      );
      const finish = (settle: () => void): void => {
        clearTimeout(timer);
        waiters.delete(check);
        settle();
      };
      waiters.add(check);
      check();
    });
  return { child, lines, waitForLine, exited, output: () => lines.join('\n') };
}

/** A pino JSON line's fields, or null for other output. */
export function logRecord(line: string): Record<string, unknown> | null {
  try {
    const parsed: unknown = JSON.parse(line);
    return typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

export function logMessage(line: string): string {
  const msg = logRecord(line)?.msg;
  return typeof msg === 'string' ? msg : '';
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
  // A process that has exited but was not yet reaped (a zombie) still answers signal 0. An orphaned postmaster is
  // reaped by whichever ancestor adopted it, which need not be prompt: read its state (Linux /proc) instead.
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

/** Polls a condition the system offers no event for (a foreign process's exit), up to a deadline. */
export async function until(condition: () => boolean | Promise<boolean>, timeoutMs: number, what: string) {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
