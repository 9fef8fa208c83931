import type { FastifyBaseLogger } from 'fastify';
import { pingDatabase, type PrismaClient } from '../repositories/db.ts';

export interface OutageState {
  /** When the current outage was first seen; null while the database answers. */
  since: Date | null;
  /** Outages seen since the process started. */
  outages: number;
}

function causeOf(error: unknown): { message: string; code?: string } {
  let current: unknown = error;
  let innermost: { message: string; code?: string } = { message: String(error) };
  const seen = new Set<unknown>();
  while (typeof current === 'object' && current !== null && !seen.has(current)) {
    seen.add(current);
    const { message, code } = current as { message?: unknown; code?: unknown };
    if (typeof message === 'string' && message.length > 0) {
      innermost = typeof code === 'string' ? { message, code } : { message };
    }
    current = (current as { cause?: unknown }).cause;
  }
  return innermost;
}

/**
 * Tracks database outages for one process. The first request that finds the database unreachable opens an
 * outage and logs it once, with its cause; from then on API calls are answered 503 at once instead of each
 * waiting for a connection attempt, and a probe pings the database every `probeIntervalMs` until it answers,
 * which closes the outage (logged once, with its duration). Nothing needs restarting.
 */
export class DatabaseOutageMonitor {
  private since: Date | null = null;
  private outages = 0;
  private probe: NodeJS.Timeout | null = null;
  private probing = false;
  private closed = false;

  constructor(
    private readonly db: PrismaClient,
    private readonly log: FastifyBaseLogger,
    readonly probeIntervalMs = 500,
  ) {}

  get unavailable(): boolean {
    return this.since !== null;
  }

  state(): OutageState {
    return { since: this.since, outages: this.outages };
  }

  /** Seconds a client should wait before retrying: the probe's period, rounded up, at least one. */
  get retryAfterSeconds(): number {
    return Math.max(1, Math.ceil(this.probeIntervalMs / 1000));
  }

  /** A database call failed because the database is unreachable. */
  failed(error: unknown): void {
    if (this.closed) return;
    if (this.since !== null) {
      this.log.debug({ cause: causeOf(error) }, 'database still unavailable');
      return;
    }
    this.since = new Date();
    this.outages += 1;
    this.log.error({ cause: causeOf(error), outage: this.outages }, 'database unavailable: answering 503');
    this.scheduleProbe();
  }

  /** A database call succeeded: ends an outage if one is open. */
  succeeded(): void {
    if (this.since === null) return;
    const downMs = Date.now() - this.since.getTime();
    this.since = null;
    if (this.probe) clearTimeout(this.probe);
    this.probe = null;
    this.log.warn({ downMs, outage: this.outages }, 'database available again');
  }

  close(): void {
    this.closed = true;
    if (this.probe) clearTimeout(this.probe);
    this.probe = null;
  }

  private scheduleProbe(): void {
    if (this.closed || this.probe !== null || this.since === null) return;
    this.probe = setTimeout(() => {
      this.probe = null;
      void this.runProbe();
    }, this.probeIntervalMs);
    this.probe.unref();
  }

  private async runProbe(): Promise<void> {
    if (this.probing || this.closed) return;
    this.probing = true;
    try {
      await pingDatabase(this.db);
      this.succeeded();
    } catch (error) {
      this.log.debug({ cause: causeOf(error) }, 'database probe failed');
      this.scheduleProbe();
    } finally {
      this.probing = false;
    }
  }
}
