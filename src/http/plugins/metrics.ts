import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { poolState } from '../../db/client.ts';
import { observeGroupCommits } from '../../services/group-commit-observer.ts';
import { readOperationalGauges, type OperationalGauges } from '../../services/operational-gauges.ts';
import type { ThrottleScope } from './throttle.ts';

/** Seconds; fine steps below 10 ms so that millisecond latencies are resolved, coarse ones up to 10 s. */
export const LATENCY_BUCKETS = [
  0.0005, 0.001, 0.002, 0.003, 0.004, 0.005, 0.0075, 0.01, 0.015, 0.02, 0.03, 0.05, 0.075, 0.1, 0.15, 0.25,
  0.5, 1, 2.5, 5, 10,
];

export interface DecisionLabels {
  outcome: string;
  authorization: string;
  ruleset: string;
}

interface DecisionLike {
  outcome?: unknown;
  allowed?: unknown;
  licenseRequired?: unknown;
  authorization?: unknown;
  ruleset?: { id?: unknown } | null;
}

/**
 * The labels a decision is counted under: the one place to change when decisions carry their own `outcome`
 * (it is used as soon as it is present; until then it is derived from allowed / licenseRequired).
 */
export function decisionLabels(decision: DecisionLike): DecisionLabels {
  const outcome =
    typeof decision.outcome === 'string'
      ? decision.outcome
      : decision.allowed === true
        ? 'ALLOWED'
        : decision.licenseRequired === true
          ? 'LICENSE_REQUIRED'
          : 'NOT_ALLOWED';
  return {
    outcome,
    authorization: typeof decision.authorization === 'string' ? decision.authorization : 'none',
    ruleset: typeof decision.ruleset?.id === 'string' ? decision.ruleset.id : 'unknown',
  };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

/** The decisions in a successful answer of a route that decides, with how they were asked for. */
function decisionsIn(
  route: string,
  method: string,
  payload: unknown,
): { via: string; decision: DecisionLike }[] {
  if (method !== 'POST' || !isObject(payload)) return [];
  if (route === '/v1/checks') return [{ via: 'check', decision: payload }];
  if (route === '/v1/shipments' && isObject(payload.decision)) {
    return [{ via: 'shipment', decision: payload.decision }];
  }
  if (route === '/v1/checks/batch' && Array.isArray(payload.data)) {
    return payload.data
      .filter((entry): entry is { decision: DecisionLike } => isObject(entry) && isObject(entry.decision))
      .map((entry) => ({ via: 'batch', decision: entry.decision }));
  }
  return [];
}

declare module 'fastify' {
  interface FastifyInstance {
    metrics: ServiceMetrics;
  }
}

/** The service's series, on a registry of its own (one per app, so that tests' apps do not share counts). */
export class ServiceMetrics {
  readonly registry = new Registry();
  readonly requests = new Counter({
    name: 'http_requests_total',
    help: 'HTTP requests answered, by method, route pattern and status code',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [this.registry],
  });
  readonly latency = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'Time from receiving a request to sending its answer, by method, route pattern and status code',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });
  readonly decisions = new Counter({
    name: 'compliance_decisions_total',
    help: 'Decisions answered, by outcome, authorization, rule pack and how they were asked for (check, shipment, batch)',
    labelNames: ['outcome', 'authorization', 'ruleset', 'via'] as const,
    registers: [this.registry],
  });
  readonly reservations = new Counter({
    name: 'compliance_reservations_total',
    help: 'POST /v1/shipments answers by result: the new shipment status, REPLAYED, or the problem code',
    labelNames: ['result'] as const,
    registers: [this.registry],
  });
  readonly groupCommitBatch = new Histogram({
    name: 'group_commit_batch_size',
    help: 'Members per group commit: audit events per audit transaction, reservations per ledger transaction',
    labelNames: ['kind'] as const,
    buckets: [1, 2, 5, 10, 20, 50, 100, 200, 500],
    registers: [this.registry],
  });
  readonly rateLimited = new Counter({
    name: 'rate_limit_refusals_total',
    help: 'Requests refused with 429, by the limit that refused them (key, organisation, address)',
    labelNames: ['scope'] as const,
    registers: [this.registry],
  });
  readonly securityEvents = new Counter({
    name: 'security_events_total',
    help: '401 and 403 answers, by reason',
    labelNames: ['reason'] as const,
    registers: [this.registry],
  });

  refused(scope: ThrottleScope): void {
    this.rateLimited.inc({ scope });
  }

  /**
   * The exposition text. prom-client writes a NaN sample (the event-loop lag gauges between two close scrapes)
   * as "Nan"; the format's spelling is "NaN", which strict parsers require.
   */
  async scrape(): Promise<string> {
    return (await this.registry.metrics()).replace(/ Nan$/gm, ' NaN');
  }
}

async function metricsPlugin(app: FastifyInstance): Promise<void> {
  const metrics = new ServiceMetrics();
  const { registry } = metrics;
  app.decorate('metrics', metrics);
  collectDefaultMetrics({ register: registry });

  const stopObserving = observeGroupCommits((kind, size) => metrics.groupCommitBatch.observe({ kind }, size));
  app.addHook('onClose', async () => stopObserving());

  const { db, outage, limiter } = app.deps;
  new Gauge({
    name: 'db_pool_connections',
    help: 'PostgreSQL connections of this process by state (total, idle, waiting = queries queued for one, max)',
    labelNames: ['state'] as const,
    registers: [registry],
    collect() {
      const state = poolState(db);
      if (!state) return;
      this.set({ state: 'total' }, state.total);
      this.set({ state: 'idle' }, state.idle);
      this.set({ state: 'waiting' }, state.waiting);
      this.set({ state: 'max' }, state.max);
    },
  });
  new Gauge({
    name: 'db_unavailable',
    help: '1 while this process finds the database unreachable (API calls answer 503), else 0',
    registers: [registry],
    collect() {
      this.set(outage.unavailable ? 1 : 0);
    },
  });
  new Gauge({
    name: 'db_outages',
    help: 'Database outages this process has seen since it started',
    registers: [registry],
    collect() {
      this.set(outage.state().outages);
    },
  });
  new Gauge({
    name: 'rate_limit_hits',
    help: 'Requests counted by the shared rate limiter in this process since it started',
    registers: [registry],
    collect() {
      this.set(limiter.stats().hits);
    },
  });
  new Gauge({
    name: 'rate_limit_statements',
    help: 'Statements the rate limiter sent to PostgreSQL (batched increments and clean-ups) since start',
    registers: [registry],
    collect() {
      this.set(limiter.stats().statements);
    },
  });

  // One read from the database per scrape, shared by the gauges below and by scrapes that overlap it, so that
  // a crowd of scrapers (the route is open when METRICS_TOKEN is unset) costs one read at a time. Skipped
  // during an outage.
  let inFlight: Promise<OperationalGauges | null> | null = null;
  const readGauges = (): Promise<OperationalGauges | null> => {
    inFlight ??= (outage.unavailable ? Promise.resolve(null) : readOperationalGauges(db))
      .catch((error: unknown) => {
        app.log.debug({ err: error }, 'metrics: database gauges unavailable');
        return null;
      })
      .finally(() => {
        // Released on the next turn, once every collector of this scrape has had the result.
        setImmediate(() => {
          inFlight = null;
        });
      });
    return inFlight;
  };
  new Gauge({
    name: 'audit_chain_length',
    help: 'Events in the audit hash chain (the head seq)',
    registers: [registry],
    async collect() {
      const read = await readGauges();
      if (read) this.set(read.auditChainLength);
    },
  });
  new Gauge({
    name: 'quota_allocation_tpp',
    help: 'Country allocation pools in TPP, by country and state (cap, reserved, shipped, remaining)',
    labelNames: ['country', 'state'] as const,
    registers: [registry],
    async collect() {
      this.reset();
      const read = await readGauges();
      for (const pool of read?.allocations ?? []) {
        this.set({ country: pool.country, state: 'cap' }, pool.capTpp);
        this.set({ country: pool.country, state: 'reserved' }, pool.reservedTpp);
        this.set({ country: pool.country, state: 'shipped' }, pool.shippedTpp);
        this.set(
          { country: pool.country, state: 'remaining' },
          pool.capTpp - pool.reservedTpp - pool.shippedTpp,
        );
      }
    },
  });
  new Gauge({
    name: 'quota_lpp_tpp',
    help: "Consignees' LPP pools summed per calendar year in TPP, by state (cap, reserved, shipped)",
    labelNames: ['year', 'state'] as const,
    registers: [registry],
    async collect() {
      this.reset();
      const read = await readGauges();
      for (const pool of read?.lpp ?? []) {
        const year = String(pool.year);
        this.set({ year, state: 'cap' }, pool.capTpp);
        this.set({ year, state: 'reserved' }, pool.reservedTpp);
        this.set({ year, state: 'shipped' }, pool.shippedTpp);
      }
    },
  });
  new Gauge({
    name: 'quota_lpp_pools',
    help: 'Consignee LPP pools per calendar year',
    labelNames: ['year'] as const,
    registers: [registry],
    async collect() {
      this.reset();
      const read = await readGauges();
      for (const pool of read?.lpp ?? []) this.set({ year: String(pool.year) }, pool.pools);
    },
  });

  app.addHook('preSerialization', async (request: FastifyRequest, reply: FastifyReply, payload: unknown) => {
    const route = request.routeOptions.url;
    if (route === undefined) return payload;
    if (reply.statusCode < 300) {
      for (const { via, decision } of decisionsIn(route, request.method, payload)) {
        if (via === 'shipment' && reply.getHeader('idempotent-replayed') === 'true') continue;
        metrics.decisions.inc({ ...decisionLabels(decision), via });
      }
    }
    if (route === '/v1/shipments' && request.method === 'POST' && isObject(payload)) {
      const result =
        reply.getHeader('idempotent-replayed') === 'true'
          ? 'REPLAYED'
          : typeof payload.status === 'string' && reply.statusCode < 300
            ? payload.status
            : typeof payload.code === 'string'
              ? payload.code
              : `HTTP_${reply.statusCode}`;
      metrics.reservations.inc({ result });
    }
    return payload;
  });

  app.addHook('onResponse', async (request, reply) => {
    // Route patterns only: a raw URL would make a series per shipment id.
    const labels = {
      method: request.method,
      route: request.routeOptions.url ?? 'unmatched',
      status: String(reply.statusCode),
    };
    metrics.requests.inc(labels);
    metrics.latency.observe(labels, reply.elapsedTime / 1000);
  });
}

export const metricsProvider = fp(metricsPlugin, {
  name: 'metrics',
  dependencies: ['service-context', 'error-handler'],
});
