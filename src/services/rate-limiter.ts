import type { PrismaClient } from '../repositories/db.ts';
import { deleteCountersBefore, incrementCounters } from '../repositories/rate-limit-repository.ts';

export interface RateLimiterStats {
  /** Hits counted by this process. */
  hits: number;
  /** Statements sent to PostgreSQL for counting (flushes and window clean-ups). */
  statements: number;
  /** Flushes that failed (the database was unreachable): those hits were counted in this process only. */
  failedFlushes: number;
}

interface Waiter {
  /** This hit's place among the subject's increments in the flush. */
  offset: number;
  resolve: (count: number) => void;
}

interface Pending {
  subject: string;
  window: number;
  by: number;
  waiters: Waiter[];
}

export interface RateLimiterOptions {
  windowMs?: number;
  now?: () => number;
  /** A flush failed; the limiter goes on counting locally. */
  onError?: (error: unknown) => void;
  /** While this says the database is down, nothing is sent and counting stays local. */
  databaseUnavailable?: () => boolean;
}

/**
 * Fixed-window counters shared by every replica through PostgreSQL. A hit is added to a pending increment for
 * its subject; while one flush is in flight the next gathers, so however many requests arrive, a process sends
 * at most one statement at a time (one INSERT ... ON CONFLICT ... RETURNING for all subjects), and under load
 * far fewer than one per request. Each hit learns the subject's global count including itself, so the limit
 * holds across replicas exactly, not N times over. When the database cannot be reached the limiter counts
 * locally (each process then enforces the limit on its own) rather than blocking or failing requests.
 */
export class SharedRateLimiter {
  readonly windowMs: number;
  private readonly now: () => number;
  private pending = new Map<string, Pending>();
  /** The batch being flushed: counted by peek() until its totals come back. */
  private inFlight = new Map<string, Pending>();
  /** Last global count learned per subject, with its window. */
  private readonly known = new Map<string, { window: number; count: number }>();
  private flushing = false;
  private scheduled = false;
  private lastCleanupWindow = 0;
  private closed = false;
  private readonly counters: RateLimiterStats = { hits: 0, statements: 0, failedFlushes: 0 };

  constructor(
    private readonly db: PrismaClient,
    private readonly options: RateLimiterOptions = {},
  ) {
    this.windowMs = options.windowMs ?? 60_000;
    this.now = options.now ?? Date.now;
  }

  stats(): RateLimiterStats {
    return { ...this.counters };
  }

  /** The current window's start (ms) and the seconds until it ends. */
  window(): { start: number; resetSeconds: number } {
    const now = this.now();
    const start = Math.floor(now / this.windowMs) * this.windowMs;
    return { start, resetSeconds: Math.max(1, Math.ceil((start + this.windowMs - now) / 1000)) };
  }

  /** Counts one hit and resolves with the subject's count in this window including it, across all replicas. */
  hit(subject: string): Promise<number> {
    this.counters.hits += 1;
    const { start } = this.window();
    const id = `${subject}@${start}`;
    let entry = this.pending.get(id);
    if (!entry) {
      entry = { subject, window: start, by: 0, waiters: [] };
      this.pending.set(id, entry);
    }
    const target = entry;
    target.by += 1;
    const offset = target.by;
    const promise = new Promise<number>((resolve) => target.waiters.push({ offset, resolve }));
    this.schedule();
    return promise;
  }

  /** The subject's count in this window as last learned, plus what this process has not flushed yet. No I/O. */
  peek(subject: string): number {
    const { start } = this.window();
    const known = this.known.get(subject);
    const id = `${subject}@${start}`;
    const unconfirmed = (this.pending.get(id)?.by ?? 0) + (this.inFlight.get(id)?.by ?? 0);
    return (known?.window === start ? known.count : 0) + unconfirmed;
  }

  close(): void {
    this.closed = true;
  }

  private schedule(): void {
    if (this.flushing || this.scheduled) return;
    this.scheduled = true;
    // Let the hits of this turn of the event loop join the statement.
    setImmediate(() => {
      this.scheduled = false;
      void this.flush();
    });
  }

  private async flush(): Promise<void> {
    if (this.flushing || this.pending.size === 0) return;
    this.flushing = true;
    const batch = this.pending;
    this.pending = new Map();
    this.inFlight = batch;
    const entries = [...batch.values()];
    try {
      let totals: Map<string, number> | null = null;
      if (!this.closed && !(this.options.databaseUnavailable?.() ?? false)) {
        try {
          this.counters.statements += 1;
          totals = await incrementCounters(
            this.db,
            entries.map((entry) => ({
              subject: entry.subject,
              windowStart: new Date(entry.window),
              by: entry.by,
            })),
          );
        } catch (error) {
          this.counters.failedFlushes += 1;
          this.options.onError?.(error);
        }
      }
      for (const entry of entries) {
        const { subject } = entry;
        const known = this.known.get(subject);
        const local = (known?.window === entry.window ? known.count : 0) + entry.by;
        const total = totals?.get(`${subject}@${entry.window}`) ?? local;
        if (!known || known.window <= entry.window)
          this.known.set(subject, { window: entry.window, count: total });
        const base = total - entry.by;
        for (const waiter of entry.waiters) waiter.resolve(base + waiter.offset);
      }
      this.pruneKnown();
      void this.cleanup();
    } finally {
      this.inFlight = new Map();
      this.flushing = false;
      if (this.pending.size > 0) this.schedule();
    }
  }

  /** Forgets counts of past windows, and once a window deletes old rows (any replica may; it is idempotent). */
  private pruneKnown(): void {
    const { start } = this.window();
    if (this.known.size > 50_000) {
      for (const [subject, known] of this.known) if (known.window < start) this.known.delete(subject);
    }
  }

  private async cleanup(): Promise<void> {
    const { start } = this.window();
    if (this.lastCleanupWindow === start || this.closed) return;
    this.lastCleanupWindow = start;
    if (this.options.databaseUnavailable?.() ?? false) return;
    try {
      this.counters.statements += 1;
      await deleteCountersBefore(this.db, new Date(start - this.windowMs));
    } catch (error) {
      this.options.onError?.(error);
    }
  }
}
