import type { PrismaClient } from '../repositories/db.ts';
import { expireHolds } from './expire-holds.ts';

/** How often the server releases expired holds (README: within a minute of their expiry). */
export const HOLD_SWEEP_INTERVAL_MS = 60_000;

export type SweepOutcome = { expired: number } | { error: unknown };

export interface HoldSweeperOptions {
  db: PrismaClient;
  log: { info: (obj: object, msg: string) => void; error: (obj: object, msg: string) => void };
  intervalMs?: number;
  now?: () => Date;
  /** Called after every sweep, so callers (and tests) can await a sweep instead of waiting for time to pass. */
  onSweep?: (outcome: SweepOutcome) => void;
}

export interface HoldSweeper {
  stop: () => Promise<void>;
}

/**
 * Releases expired holds periodically. Sweeps never overlap: the next one is scheduled when the previous
 * one ends, so a slow database cannot pile sweeps up. stop() waits for a sweep in progress.
 */
export function startHoldSweeper(options: HoldSweeperOptions): HoldSweeper {
  const { db, log } = options;
  const intervalMs = options.intervalMs ?? HOLD_SWEEP_INTERVAL_MS;
  const now = options.now ?? (() => new Date());
  let stopped = false;
  let running: Promise<void> = Promise.resolve();
  let timer: NodeJS.Timeout | null = null;

  const sweep = async (): Promise<void> => {
    let outcome: SweepOutcome;
    try {
      const expired = await expireHolds({ db, actor: null, requestId: 'hold-expiry-sweeper', now });
      if (expired > 0) log.info({ expired }, 'released expired holds');
      outcome = { expired };
    } catch (error) {
      log.error({ err: error }, 'hold expiry sweep failed');
      outcome = { error };
    }
    options.onSweep?.(outcome);
  };
  const schedule = (): void => {
    if (stopped) return;
    timer = setTimeout(() => {
      timer = null;
      running = sweep().finally(schedule);
    }, intervalMs);
    timer.unref();
  };
  schedule();
  return {
    stop: async () => {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running;
    },
  };
}
