import { resolve } from 'node:path';
import type { Logger } from 'pino';
import {
  findLivePostmaster,
  startEmbeddedPostgres,
  stopLivePostmaster,
  type EmbeddedPostgresHandle,
  type PostgresExit,
} from '../db/embedded.ts';
import type { DatabaseEndpoint } from '../db/endpoint.ts';
import { assertNoOtherLauncher, writeLauncherLock, type LauncherLock } from './launcher-lock.ts';

const RESTART_DELAYS_MS = [250, 500, 1_000, 2_000, 5_000];

export interface SupervisedPostgres {
  /** The owner role's endpoint (migrations). */
  owner: DatabaseEndpoint;
  /** The service's role's endpoint. */
  app: DatabaseEndpoint;
  /** The postmaster's current pid (it changes on every restart). */
  pid(): number;
  /** Stops supervising, then stops PostgreSQL. */
  stop(): Promise<void>;
}

/**
 * Runs the embedded PostgreSQL on dataDir and keeps it running: a postmaster that exits without being asked to
 * is logged with its exit status and last log lines, and started again on the same port (so the service's pool
 * reconnects by itself), with a growing delay while it keeps failing. A postmaster left by a launcher that was
 * killed (kill -9 leaves it running in its own process group) is stopped cleanly first.
 */
export async function superviseEmbeddedPostgres(options: {
  dataDir: string;
  port: number;
  log: Logger;
}): Promise<SupervisedPostgres> {
  const { dataDir, port, log } = options;
  await assertNoOtherLauncher(dataDir);
  const dbLog = {
    info: (message: string) => log.info(message),
    warn: (message: string) => log.warn(message),
    error: (message: string) => log.error(message),
    debug: (message: string) => log.debug(message),
  };
  const orphan = await findLivePostmaster(resolve(dataDir));
  if (orphan) {
    log.warn(
      { postgresPid: orphan.pid, port: orphan.port },
      'stopping the PostgreSQL a previous launcher left running on this data folder',
    );
    await stopLivePostmaster(resolve(dataDir), orphan);
  }
  let current = await startEmbeddedPostgres({ dataDir, port, logger: dbLog });
  let lock: LauncherLock;
  try {
    lock = await writeLauncherLock(dataDir);
  } catch (error) {
    await current.stop();
    throw error;
  }

  let stopped = false;
  let restarting: Promise<void> | null = null;

  const restart = async (exit: PostgresExit): Promise<void> => {
    log.error(
      { code: exit.code, signal: exit.signal, lastLog: exit.logTail.slice(-8) },
      `embedded PostgreSQL (pid ${current.pid}) exited unexpectedly (${exit.signal ? `signal ${exit.signal}` : `exit code ${exit.code}`}); restarting it`,
    );
    for (let attempt = 0; !stopped; attempt++) {
      try {
        const next = await startEmbeddedPostgres({ dataDir: lock.dataDir, port, logger: dbLog });
        if (stopped) {
          await next.stop();
          return;
        }
        current = next;
        log.info({ postgresPid: next.pid, attempts: attempt + 1 }, 'embedded PostgreSQL restarted');
        watch(next);
        return;
      } catch (error) {
        const wait = RESTART_DELAYS_MS[Math.min(attempt, RESTART_DELAYS_MS.length - 1)] as number;
        // Backends of a killed postmaster keep its shared memory until they notice and exit: retry.
        log.warn({ err: error, retryInMs: wait }, 'embedded PostgreSQL did not start again yet');
        await new Promise((resolve) => setTimeout(resolve, wait));
      }
    }
  };

  const watch = (handle: EmbeddedPostgresHandle): void => {
    void handle.exited.then((exit) => {
      if (stopped || exit.requested) return;
      restarting = restart(exit).finally(() => (restarting = null));
    });
  };
  watch(current);

  return {
    owner: current.endpoint,
    app: current.appEndpoint,
    pid: () => current.pid,
    stop: async () => {
      stopped = true;
      await restarting;
      try {
        await current.stop();
      } finally {
        await lock.release();
      }
    },
  };
}
