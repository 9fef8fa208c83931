import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { assertNoOtherLauncher } from '../../../src/launcher/launcher-lock.ts';

/** Field `index` (1-based, as in proc(5)) of /proc/<pid>/stat. */
async function statField(pid: number, index: number): Promise<string> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[index - 3] as string;
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

/**
 * A zombie: `sleep 0` started in the background by a shell that then becomes `sleep 5` (exec), a process that
 * never waits for children, so the exited `sleep 0` stays unreaped while its parent lives. Returns both pids.
 */
async function zombieAndParent(): Promise<{ zombie: number; parent: number }> {
  const child = spawn('sh', ['-c', 'sleep 0 & echo $!; exec sleep 5'], {
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  cleanups.push(async () => {
    child.kill('SIGKILL');
  });
  const zombie = await new Promise<number>((resolve) =>
    child.stdout.once('data', (chunk: Buffer) => resolve(Number(chunk.toString().trim()))),
  );
  await expect.poll(() => statField(zombie, 3), { timeout: 3_000 }).toBe('Z');
  return { zombie, parent: child.pid as number };
}

async function dataDirWithLock(pid: number): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'launcher-lock-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  await writeFile(join(dir, 'launcher.pid'), `${pid} ${await statField(pid, 22)}\n`);
  return dir;
}

describe('the launcher lock', () => {
  it('refuses a data folder that a live launcher serves', async () => {
    const { parent } = await zombieAndParent();
    await expect(assertNoOtherLauncher(await dataDirWithLock(parent))).rejects.toThrow(
      `another launcher (pid ${parent}) is serving`,
    );
  });

  it('ignores a launcher that was killed but not yet reaped (a zombie keeps its pid and start time)', async () => {
    const { zombie } = await zombieAndParent();
    await expect(assertNoOtherLauncher(await dataDirWithLock(zombie))).resolves.toBeUndefined();
  });
});
