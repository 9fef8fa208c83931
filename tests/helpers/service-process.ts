import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface Service {
  child: ChildProcess;
  port: number;
  /** Every JSON log line the service has written so far. */
  logs: Record<string, unknown>[];
}

/**
 * Starts the real server (`src/server.ts`) on port 0 and takes its port from its own "Server listening at" log
 * line; it is ready when it logs "ready:". No port is guessed, polled or reused, and nothing sleeps.
 */
export async function startService(env: Record<string, string>): Promise<Service> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
    cwd: ROOT,
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', DB_POOL_SIZE: '8', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const logs: Record<string, unknown>[] = [];
  return new Promise<Service>((resolve, reject) => {
    let port: number | null = null;
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`service did not become ready in 90 s: ${stderr}`));
    }, 90_000);
    const onExit = (code: number | null) => {
      clearTimeout(timer);
      reject(new Error(`service exited with ${code} before it was ready: ${stderr}`));
    };
    child.once('exit', onExit);
    // The stream is read to its end so that the child never blocks on a full pipe.
    createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (line) => {
      let entry: Record<string, unknown>;
      try {
        entry = JSON.parse(line) as Record<string, unknown>;
      } catch {
        return;
      }
      logs.push(entry);
      const msg = typeof entry.msg === 'string' ? entry.msg : '';
      const listening = /Server listening at http:\/\/127\.0\.0\.1:(\d+)/.exec(msg);
      if (listening) port = Number(listening[1]);
      if (port !== null && msg.startsWith('ready:')) {
        clearTimeout(timer);
        child.off('exit', onExit);
        resolve({ child, port, logs });
      }
    });
  });
}

/** SIGTERM, then wait for the process to exit (it drains and closes its pool). */
export async function stopService(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

/** Runs the server expecting it to refuse to start; resolves with its exit code and stderr. */
export async function runServiceToExit(
  env: Record<string, string>,
): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
    cwd: ROOT,
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  return { code, stderr };
}
