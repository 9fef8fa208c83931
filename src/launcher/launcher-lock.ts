import { readFile, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';

/** In the data folder: which launcher process serves it. Its start time tells a reused pid apart. */
const LOCK_FILE = 'launcher.pid';

export interface LauncherLock {
  dataDir: string;
  release(): Promise<void>;
}

/**
 * Refuses when another live launcher serves dataDir. A launcher that was killed leaves its file behind; its pid
 * is then gone, a zombie not yet reaped, or belongs to a process that started at another time (Linux: fields 3
 * and 22 of /proc/<pid>/stat), and the file is ignored.
 */
export async function assertNoOtherLauncher(dataDir: string): Promise<void> {
  const other = await readLock(resolve(dataDir));
  if (other && other.pid !== process.pid && (await processStartTime(other.pid)) === other.startTime) {
    throw new Error(
      `another launcher (pid ${other.pid}) is serving ${resolve(dataDir)}; stop it first, or use another DATA_DIR`,
    );
  }
}

/** Records this process as dataDir's launcher (the folder must exist: PostgreSQL is initialised by then). */
export async function writeLauncherLock(dataDir: string): Promise<LauncherLock> {
  const dir = resolve(dataDir);
  const path = join(dir, LOCK_FILE);
  await writeFile(path, `${process.pid} ${(await processStartTime(process.pid)) ?? ''}\n`, { mode: 0o600 });
  return {
    dataDir: dir,
    release: async () => {
      const current = await readLock(dir);
      if (current?.pid === process.pid) await rm(path, { force: true });
    },
  };
}

async function readLock(dataDir: string): Promise<{ pid: number; startTime: string | null } | null> {
  try {
    const [pid, startTime] = (await readFile(join(dataDir, LOCK_FILE), 'utf8')).trim().split(' ');
    const parsed = Number(pid);
    return Number.isInteger(parsed) && parsed > 0 ? { pid: parsed, startTime: startTime || null } : null;
  } catch {
    return null;
  }
}

/** The process's start time in clock ticks since boot, or null when it is gone (or the system does not say). */
async function processStartTime(pid: number): Promise<string | null> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) is in parentheses and may contain spaces: count fields after its ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // A launcher killed with SIGKILL stays a zombie (state Z) until its parent, or init, reaps it: it serves
    // nothing, though its pid and start time are still there.
    if (fields[0] === 'Z' || fields[0] === 'X') return null;
    return fields[19] ?? null;
  } catch {
    try {
      process.kill(pid, 0);
      return ''; // alive, start time unknown: matches a lock written without one
    } catch {
      return null;
    }
  }
}
