import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { AppError } from '../../errors.ts';
import { CsvUpload } from '../routes/checks/csv.ts';

export interface AdmissionOptions {
  /** Request body bytes in flight across all requests. */
  maxBytes: number;
  /** Order lines in evaluation across all callers. */
  maxLines: number;
  /** Order lines in evaluation for one API key. */
  maxLinesPerKey: number;
  /** Largest body a request may have; a chunked body without Content-Length is counted as this. */
  bodyLimit: number;
  /** An order (or batch) of more lines than this is heavy: it waits for the heavy lane. */
  heavyLines: number;
  /** Heavy orders evaluated at once in this process; the others wait their turn in arrival order. */
  heavyConcurrency: number;
}

/** Seconds a refused caller should wait: work in flight here finishes in well under that. */
const RETRY_AFTER_SECONDS = '1';

/**
 * A counter of work in flight. A request larger than the whole budget is still admitted when nothing else is
 * in flight, so a legal request can always run eventually.
 */
class Budget {
  private used = 0;
  constructor(readonly capacity: number) {}

  tryTake(amount: number): boolean {
    if (amount === 0) return true;
    if (this.used > 0 && this.used + amount > this.capacity) return false;
    this.used += amount;
    return true;
  }

  release(amount: number): void {
    this.used -= amount;
  }

  get inFlight(): number {
    return this.used;
  }
}

/**
 * A first-come, first-served semaphore. What waits here was already admitted (its lines are counted in the
 * budgets above), so the queue is bounded by those budgets, not by this class.
 */
class Lane {
  private running = 0;
  private readonly waiting: (() => void)[] = [];
  constructor(readonly slots: number) {}

  async enter(): Promise<() => void> {
    if (this.running < this.slots) this.running += 1;
    else await new Promise<void>((resolve) => this.waiting.push(resolve));
    let left = false;
    return () => {
      if (left) return;
      left = true;
      const next = this.waiting.shift();
      // The slot passes straight to the next in line, so a newcomer cannot overtake it.
      if (next) next();
      else this.running -= 1;
    };
  }

  get queued(): number {
    return this.waiting.length;
  }
}

/** Lines of work in a body: the items of one order, or of each order in a batch (JSON or CSV rows). */
export function orderLines(body: unknown): number {
  if (body instanceof CsvUpload) return body.rows.length;
  if (body === null || typeof body !== 'object') return 0;
  const { items, checks } = body as { items?: unknown; checks?: unknown };
  let lines = Array.isArray(items) ? items.length : 0;
  if (Array.isArray(checks)) for (const check of checks) lines += orderLines(check);
  return lines;
}

function declaredBodyBytes(request: FastifyRequest, bodyLimit: number): number {
  const length = request.headers['content-length'];
  if (typeof length === 'string' && /^\d+$/.test(length)) return Math.min(Number(length), bodyLimit);
  return request.headers['transfer-encoding'] !== undefined ? bodyLimit : 0;
}

const releases = new WeakMap<FastifyRequest, (() => void)[]>();
const progress = new WeakMap<FastifyRequest, { closed: boolean; answered: boolean }>();

function onDone(request: FastifyRequest, release: () => void): void {
  const list = releases.get(request) ?? [];
  list.push(release);
  releases.set(request, list);
}

function releaseAll(request: FastifyRequest): void {
  const list = releases.get(request);
  releases.delete(request);
  for (const release of list ?? []) release();
}

/**
 * Admission by cost instead of a bigger heap: memory in use grows with the body bytes being read and parsed
 * and with the order lines being evaluated, so both are budgeted. Over the shared budget the answer is 503,
 * over one key's share of lines 429, both with Retry-After, and nothing beyond the budgets is buffered or queued.
 * Admitted heavy orders wait for the heavy lane (see the preHandler below).
 */
async function admissionPlugin(app: FastifyInstance, options: AdmissionOptions): Promise<void> {
  const bytes = new Budget(options.maxBytes);
  const lines = new Budget(options.maxLines);
  const linesByKey = new Map<string, Budget>();
  const heavyLane = new Lane(options.heavyConcurrency);

  app.decorate('admission', {
    inFlight: () => ({ bytes: bytes.inFlight, lines: lines.inFlight, heavyQueued: heavyLane.queued }),
  });

  // Before the body is read, so that a refused body is never buffered.
  app.addHook('onRequest', async (request) => {
    const size = declaredBodyBytes(request, options.bodyLimit);
    if (size === 0) return;
    if (!bytes.tryTake(size)) {
      throw new AppError(
        'OVERLOADED',
        'The service is reading as many request bodies as it admits at once; retry shortly.',
        { headers: { 'retry-after': RETRY_AFTER_SECONDS } },
      );
    }
    onDone(request, () => bytes.release(size));
  });

  app.addHook('preHandler', async (request) => {
    const count = orderLines(request.body);
    if (count === 0) return;
    const key = request.actor?.keyId ?? `ip:${request.ip}`;
    let own = linesByKey.get(key);
    if (!own) {
      own = new Budget(options.maxLinesPerKey);
      linesByKey.set(key, own);
    }
    if (!own.tryTake(count)) {
      throw new AppError(
        'TOO_MUCH_IN_FLIGHT',
        `This API key already has ${own.inFlight} order lines in evaluation (its share is ${options.maxLinesPerKey}); retry when some have been answered.`,
        { headers: { 'retry-after': RETRY_AFTER_SECONDS } },
      );
    }
    if (!lines.tryTake(count)) {
      own.release(count);
      throw new AppError(
        'OVERLOADED',
        'The service is evaluating as many order lines as it admits at once; retry shortly.',
        { headers: { 'retry-after': RETRY_AFTER_SECONDS } },
      );
    }
    const budget = own;
    onDone(request, () => {
      lines.release(count);
      budget.release(count);
      if (budget.inFlight === 0) linesByKey.delete(key);
    });
    // Fairness: a heavy order's evaluation, audit record and answer are long synchronous stretches of the
    // one event loop. Let only a few run at once, so that eight callers of 500-line orders take a bounded
    // share of the CPU and ordinary checks keep their latency; the heavy callers are served in turn.
    if (count > options.heavyLines) onDone(request, await heavyLane.enter());
  });

  // Released once the answer has been written (onResponse), or, when the client went away first (no
  // 'finish' will come, so no onResponse), once the handler has produced its answer anyway: until then its
  // memory is still in use, so a client that disconnects cannot free budget for work still running.
  app.addHook('onRequest', async (request, reply) => {
    reply.raw.once('close', () => {
      const state = progress.get(request) ?? { closed: false, answered: false };
      state.closed = true;
      progress.set(request, state);
      if (state.answered || reply.raw.writableFinished) releaseAll(request);
    });
  });
  app.addHook('onSend', async (request) => {
    const state = progress.get(request) ?? { closed: false, answered: false };
    state.answered = true;
    progress.set(request, state);
    if (state.closed) releaseAll(request);
  });
  app.addHook('onResponse', async (request) => releaseAll(request));
}

declare module 'fastify' {
  interface FastifyInstance {
    admission: { inFlight: () => { bytes: number; lines: number; heavyQueued: number } };
  }
}

export const admission = fp(admissionPlugin, { name: 'admission', dependencies: ['error-handler'] });
