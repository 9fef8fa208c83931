import type { Role } from '../domain/actor.ts';
import type { PrismaClient } from '../repositories/db.ts';
import { recordStandaloneAudit } from './audit.ts';

export const AUTH_DENIED_ACTION = 'auth.denied';

export interface SecurityEvent {
  at: Date;
  address: string;
  reason: string;
  status: number;
  method: string;
  route: string;
  keyId: string | null;
  role: Role | null;
  requestId: string;
}

interface Aggregate {
  first: SecurityEvent;
  last: SecurityEvent;
  count: number;
  /** Events after the first, not yet written. */
  unwritten: number;
  routes: Map<string, number>;
}

export interface SecurityEventOptions {
  windowMs?: number;
  /** Distinct (address, reason, key) groups tracked per window; beyond it, events fold into one overflow group. */
  maxGroups?: number;
  now?: () => Date;
  onError?: (error: unknown) => void;
}

const MAX_ROUTES = 20;

/**
 * Writes 401/403 security events to the audit trail without letting an attacker flood the chain: per window
 * (a minute) and per client address, reason and key, the first event is written at once and the rest are
 * counted and written as one summary event when the window ends (count, first and last time, routes). The
 * number of groups per window is bounded too, so even many addresses cost a bounded number of chain events.
 */
export class SecurityEventRecorder {
  private readonly windowMs: number;
  private readonly maxGroups: number;
  private readonly now: () => Date;
  private groups = new Map<string, Aggregate>();
  private windowStart: number;
  private timer: NodeJS.Timeout | null = null;
  private readonly writes = new Set<Promise<unknown>>();

  constructor(
    private readonly db: PrismaClient,
    private readonly options: SecurityEventOptions = {},
  ) {
    this.windowMs = options.windowMs ?? 60_000;
    this.maxGroups = options.maxGroups ?? 1_000;
    this.now = options.now ?? (() => new Date());
    this.windowStart = this.currentWindow();
  }

  private currentWindow(): number {
    return Math.floor(this.now().getTime() / this.windowMs) * this.windowMs;
  }

  record(event: SecurityEvent): void {
    if (this.currentWindow() !== this.windowStart) this.rollWindow();
    const overflow = this.groups.size >= this.maxGroups;
    const groupKey = overflow ? '*' : `${event.address}|${event.reason}|${event.keyId ?? ''}`;
    const group = this.groups.get(groupKey);
    if (group) {
      group.count += 1;
      group.unwritten += 1;
      group.last = event;
      if (group.routes.size < MAX_ROUTES || group.routes.has(event.route)) {
        group.routes.set(event.route, (group.routes.get(event.route) ?? 0) + 1);
      }
    } else {
      this.groups.set(groupKey, {
        first: event,
        last: event,
        count: 1,
        unwritten: 0,
        routes: new Map([[event.route, 1]]),
      });
      this.write(event, { count: 1, overflow });
    }
    this.timer ??= setTimeout(
      () => {
        this.timer = null;
        this.rollWindow();
      },
      this.windowStart + this.windowMs - this.now().getTime() + 10,
    );
    this.timer.unref();
  }

  /** Writes the summaries of the window that ended (or of the current one, on close). */
  rollWindow(): void {
    const groups = this.groups;
    this.groups = new Map();
    this.windowStart = this.currentWindow();
    for (const [key, group] of groups) {
      if (group.unwritten === 0) continue;
      this.write(group.last, {
        count: group.unwritten,
        overflow: key === '*',
        summary: {
          firstAt: group.first.at.toISOString(),
          lastAt: group.last.at.toISOString(),
          routes: Object.fromEntries(group.routes),
          totalInWindow: group.count,
        },
      });
    }
  }

  /** Writes what is pending and waits for the writes in flight. */
  async close(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.rollWindow();
    await Promise.allSettled([...this.writes]);
  }

  private write(
    event: SecurityEvent,
    extra: { count: number; overflow: boolean; summary?: Record<string, unknown> },
  ): void {
    const actor =
      event.keyId !== null && event.role !== null
        ? { keyId: event.keyId, role: event.role, name: '', organisationId: null }
        : null;
    const promise = recordStandaloneAudit(
      { db: this.db, actor, requestId: event.requestId, now: () => event.at },
      {
        action: AUTH_DENIED_ACTION,
        targetType: 'client-address',
        targetId: extra.overflow ? '*' : event.address,
        payload: {
          reason: event.reason,
          status: event.status,
          address: event.address,
          method: event.method,
          route: event.route,
          keyId: event.keyId,
          count: extra.count,
          ...(extra.overflow ? { overflow: true } : {}),
          ...(extra.summary ? { summary: extra.summary } : {}),
        },
      },
    ).catch((error: unknown) => this.options.onError?.(error));
    this.writes.add(promise);
    void promise.finally(() => this.writes.delete(promise));
  }
}
