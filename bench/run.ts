/**
 * The benchmark harness (issue 7): `npm run bench`.
 *
 * Starts the service as a child process on its embedded PostgreSQL in a fresh folder under .bench-data/, and a
 * bare Fastify server (the ceiling) in another, then drives both with autocannon from this process: the ceiling,
 * Tier 1 checks, Tier 2 checks and contended reservations against one country's allocation. Afterwards it
 * verifies that nothing was over-allocated and that every pool balance equals the sum of its ledger entries,
 * prints a table with PASS/MISS against the issue's targets and writes bench/results/latest.json (and a
 * timestamped copy). Everything is stopped and the folder removed at the end, also on failure or Ctrl-C.
 *
 * Environment: BENCH_DURATION seconds per phase (10), BENCH_CONNECTIONS (50), BENCH_WARMUP seconds per workload
 * (3), BENCH_PROFILE=1 to also profile checks and reservations with --cpu-prof (slower; separate service
 * runs, so profiling does not distort the figures), BENCH_KEEP_PROFILES=1 to keep the raw .cpuprofile files,
 * BENCH_SERVICE_NODE_ARGS for extra node flags for the service. See bench/README.md.
 */
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { copyFile, mkdir, readdir, rm, rmdir, writeFile } from 'node:fs/promises';
import { cpus, loadavg, release, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type autocannon from 'autocannon';
import { createPrismaClient } from '../src/db/client.ts';
import { reconcilePools } from '../src/repositories/ledger-repository.ts';
import { verifyAuditChain, type ChainVerification } from '../src/services/verify-audit-chain.ts';
import {
  RESERVATION_ALLOCATION_TPP,
  RESERVATION_CONSIGNEES,
  RESERVATION_COUNTRY,
  HEAVY_LINES,
  heavyOrder,
  reservationBody,
  TIER1_CHECK,
  TIER2_CHECK,
} from './lib/fixtures.ts';
import { runLoad, type LoadResult, type LoadSpec } from './lib/load.ts';
import { syntheticCsl } from './lib/synthetic-csl.ts';
import { ResourceSampler, type CpuUse, type MemoryPeak } from './lib/memory.ts';
import { formatProfile, summariseProfile, type ProfileSummary } from './lib/profile.ts';
import {
  benchServiceEnv,
  freePort,
  LOOPBACK,
  spawnNode,
  stopProcess,
  tail,
  waitForOk,
  type NodeChild,
} from './lib/processes.ts';

const ROOT = resolve(import.meta.dirname, '..');
const RESULTS_DIR = join(ROOT, 'bench', 'results');

function envNumber(name: string, fallback: number, min: number, max: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < min || value > max) {
    throw new Error(`${name} must be a number from ${min} to ${max}, not "${raw}"`);
  }
  return value;
}

const DURATION_S = envNumber('BENCH_DURATION', 10, 1, 600);
const CONNECTIONS = envNumber('BENCH_CONNECTIONS', 50, 1, 1_000);
const WARMUP_S = envNumber('BENCH_WARMUP', 3, 0, 60);
const PROFILE = process.env.BENCH_PROFILE === '1' || process.argv.includes('--profile');
const KEEP_PROFILES = process.env.BENCH_KEEP_PROFILES === '1';
/** Extra node flags for the service only, e.g. "--max-old-space-size=192" to see how a heap limit changes RSS. */
/** The service runs with the node flags `npm start` uses (package.json config.serviceNodeFlags), plus any extra. */
const PACKAGE = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
  config?: { serviceNodeFlags?: string };
};
const SERVICE_NODE_ARGS =
  `${PACKAGE.config?.serviceNodeFlags ?? ''} ${process.env.BENCH_SERVICE_NODE_ARGS ?? ''}`
    .split(/\s+/)
    .filter(Boolean);

/** The embedded server's owner login, from the 0600 file the launcher keeps in the data folder. */
function embeddedLogin(dataDir: string): { user: string; password: string; database: string } {
  const credentials = JSON.parse(readFileSync(join(dataDir, 'credentials.json'), 'utf8')) as {
    owner: { user: string; password: string };
  };
  return { ...credentials.owner, database: 'compliance' };
}

const READY_TIMEOUT_MS = 120_000;
const STOP_GRACE_MS = 30_000;
const SETTLE_MS = 1_500;
/** Cores used by processes outside the benchmark above which a phase's figures are flagged as disturbed. */
const FOREIGN_CPU_WARNING = 0.2;
/** Screening phase: synthetic list size, its seed, and sequential checks timed before and after the import. */
const SCREENING_ENTRIES = envNumber('BENCH_SCREENING_ENTRIES', 100_000, 1, 1_000_000);
const SCREENING_SEED = envNumber('BENCH_SCREENING_SEED', 20_261_202, 0, 2 ** 31);
const SCREENING_SAMPLES = 300;

/** Issue 17's goal table: every throughput and tail target is a ratio to the ceiling measured in the same run. */
const TARGETS = {
  checkRatioOfCeiling: 0.3,
  /** Check p99 at BENCH_CONNECTIONS, as a multiple of the ceiling's p99 at the same connections. */
  checkP99OfCeilingP99: 3,
  /** One client, one check at a time. */
  singleClientP50Ms: 1.5,
  reservationRatioOfCeiling: 0.15,
  /** p50 of ordinary checks while eight clients send 500-line orders, as a multiple of their p50 without. */
  heavyOrderP50Increase: 3,
  nodeRssMb: 300,
  coldStartMs: 10_000,
};

/** The heavy-order phase: this many clients (each its own API key) send orders of HEAVY_LINES lines. */
const HEAVY_CLIENTS = 8;
/** Connections of ordinary Tier 1 checks measured with and without the heavy orders. */
const ORDINARY_CONNECTIONS = envNumber('BENCH_ORDINARY_CONNECTIONS', 10, 1, 1_000);

interface Phase {
  name: string;
  load: LoadResult;
  memory: MemoryPeak;
  cpu: CpuUse;
}

// ---------------------------------------------------------------------------------------------------------------
// Cleanup that runs once, whether main() finishes, throws or the harness is interrupted.

const cleanups: (() => Promise<void>)[] = [];
let cleaning: Promise<void> | null = null;

function runCleanups(): Promise<void> {
  cleaning ??= (async () => {
    for (const fn of cleanups.reverse()) {
      try {
        await fn();
      } catch (error) {
        console.error(`cleanup failed: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
  })();
  return cleaning;
}

// Ctrl-C reaches this process twice (directly and relayed by the tsx CLI), and a second default SIGINT would
// kill it mid-cleanup: repeats are ignored; the cleanup is bounded by STOP_GRACE_MS per process.
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (cleaning) return;
    console.error(`\n${signal}: stopping the service and removing the data folder…`);
    void runCleanups().finally(() => process.exit(130));
  });
}

// ---------------------------------------------------------------------------------------------------------------
// Processes

interface Service {
  proc: NodeChild;
  port: number;
  pgPort: number;
  dataDir: string;
  readyMs: number;
  /** performance.now() just before the spawn: profiles count their time from about then. */
  spawnedAt: number;
  base: string;
}

async function startService(
  runDir: string,
  dataDir: string,
  officerKey: string,
  label: string,
  nodeArgs: string[] = [],
): Promise<Service> {
  for (let attempt = 1; ; attempt++) {
    // After an interrupt the cleanup has already run: a service started now would outlive the harness.
    if (cleaning) throw new Error('interrupted');
    const [port, pgPort] = [await freePort(), await freePort()];
    const env = benchServiceEnv({ dataDir, port, pgPort, officerKey });
    const spawnedAt = performance.now();
    const proc = spawnNode(`service (${label})`, 'src/launcher/index.ts', {
      cwd: ROOT,
      env,
      logFile: join(runDir, 'service.log'),
      nodeArgs: [...SERVICE_NODE_ARGS, ...nodeArgs],
    });
    const stop = async (): Promise<void> => {
      await stopProcess(proc, STOP_GRACE_MS);
    };
    cleanups.push(stop);
    try {
      await waitForOk(`http://${LOOPBACK}:${port}/readyz`, proc, READY_TIMEOUT_MS);
      const readyMs = performance.now() - spawnedAt;
      return { proc, port, pgPort, dataDir, readyMs, spawnedAt, base: `http://${LOOPBACK}:${port}` };
    } catch (error) {
      await stop();
      const log = await tail(proc.logFile);
      // Another process can take a port between freePort() and the bind: try fresh ports once more.
      if (attempt < 3 && /EADDRINUSE|could not bind/.test(log)) continue;
      throw new Error(
        `${error instanceof Error ? error.message : String(error)}\n--- service log ---\n${log}`,
      );
    }
  }
}

async function stopService(service: Service): Promise<{ ms: number; code: number | null; killed: boolean }> {
  const started = performance.now();
  const result = await stopProcess(service.proc, STOP_GRACE_MS);
  return { ms: Math.round(performance.now() - started), code: result.code, killed: result.killed };
}

// ---------------------------------------------------------------------------------------------------------------
// HTTP helpers

async function call(
  base: string,
  key: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; json: unknown }> {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${key}`,
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    signal: AbortSignal.timeout(30_000),
  });
  const text = await response.text();
  let json: unknown = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    json = text;
  }
  return { status: response.status, json };
}

function field(value: unknown, ...path: string[]): unknown {
  let cur = value;
  for (const key of path)
    cur = cur !== null && typeof cur === 'object' ? (cur as Record<string, unknown>)[key] : undefined;
  return cur;
}

/** A key for the role through POST /v1/api-keys when the route exists; otherwise the officer key (officers may call everything). */
async function keyFor(
  base: string,
  officerKey: string,
  role: 'vendor' | 'procurement',
): Promise<{ key: string; source: string }> {
  const exporter = await call(base, officerKey, 'POST', '/v1/organisations', {
    name: `bench exporter ${role}`,
    country: 'US',
  });
  const organisationId = field(exporter.json, 'id');
  const created = await call(base, officerKey, 'POST', '/v1/api-keys', {
    role,
    name: `bench ${role}`,
    ...(typeof organisationId === 'string' ? { organisationId } : {}),
  });
  const key = field(created.json, 'key');
  if ((created.status === 200 || created.status === 201) && typeof key === 'string')
    return { key, source: `POST /v1/api-keys (${role})` };
  if (created.status === 404)
    return { key: officerKey, source: 'bootstrap officer key (no POST /v1/api-keys)' };
  throw new Error(`POST /v1/api-keys answered ${created.status}: ${JSON.stringify(created.json)}`);
}

function expect(condition: boolean, message: string): void {
  if (!condition) throw new Error(`fixture check failed: ${message}`);
}

// ---------------------------------------------------------------------------------------------------------------
// Loads

function checkSpec(base: string, key: string, body: unknown, durationS: number): LoadSpec {
  return {
    url: `${base}/v1/checks`,
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
    connections: CONNECTIONS,
    durationS,
  };
}

/**
 * The shared rate limiter's own phase: GET /v1/rulesets touches the database for nothing but the limiter (the
 * key is cached, the rule packs are code), so the statements the limiter reports over the phase, divided by
 * the requests it counted, is its cost per request.
 */
function limiterSpec(base: string, key: string, durationS: number): LoadSpec {
  return {
    url: `${base}/v1/rulesets?date=2025-06-01`,
    method: 'GET',
    headers: { authorization: `Bearer ${key}` },
    connections: CONNECTIONS,
    durationS,
  };
}

/** The limiter's counters from GET /metrics (open in the benchmark: no METRICS_TOKEN). */
async function limiterCounters(base: string): Promise<{ statements: number; hits: number }> {
  const text = await (await fetch(`${base}/metrics`, { signal: AbortSignal.timeout(30_000) })).text();
  const value = (name: string): number => {
    const line = text.split('\n').find((l) => l.startsWith(`${name} `));
    expect(line !== undefined, `GET /metrics has no ${name}`);
    return Number(line?.split(' ')[1]);
  };
  return { statements: value('rate_limit_statements'), hits: value('rate_limit_hits') };
}

/** Counts what the reservations answered, across warm-up and measured runs, to compare with the database. */
const reservationTally = { pendingLicense: 0, created: 0, runs: 0, other: new Map<string, number>() };

function reservationSpec(base: string, key: string, runId: string, durationS: number): LoadSpec {
  const bodies = Array.from({ length: RESERVATION_CONSIGNEES }, (_, i) => reservationBody(i));
  let n = 0;
  return {
    url: `${base}/v1/shipments`,
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    connections: CONNECTIONS,
    durationS,
    onStart: () => {
      reservationTally.runs += 1;
    },
    setupRequest: (request: autocannon.Request) => {
      n += 1;
      return {
        ...request,
        headers: { ...request.headers, 'idempotency-key': `bench-${runId}-${n}` },
        body: bodies[n % bodies.length],
      };
    },
    onResponse: (status, body) => {
      if (status === 201) {
        reservationTally.created += 1;
        if (body.includes('"status":"PENDING_LICENSE"')) reservationTally.pendingLicense += 1;
        else
          reservationTally.other.set(
            '201 other status',
            (reservationTally.other.get('201 other status') ?? 0) + 1,
          );
      } else {
        reservationTally.other.set(String(status), (reservationTally.other.get(String(status)) ?? 0) + 1);
      }
    },
  };
}

async function measure(name: string, pid: number, spec: LoadSpec): Promise<Phase> {
  process.stderr.write(`  ${name}: ${spec.durationS} s at ${spec.connections} connections… `);
  const sampler = new ResourceSampler(pid);
  await sampler.start();
  let load: LoadResult;
  try {
    load = await runLoad(spec);
  } catch (error) {
    await sampler.stop();
    throw error;
  }
  const resources = await sampler.stop();
  process.stderr.write(`${load.rps}/s, p99 ${load.latencyMs.p99} ms\n`);
  return { name, load, ...resources };
}

async function warmUp(spec: LoadSpec): Promise<void> {
  if (WARMUP_S > 0) await runLoad({ ...spec, durationS: WARMUP_S });
}

/** Requests autocannon abandoned at the end of a run are still being served: give them time to finish. */
async function settle(): Promise<void> {
  await sleep(SETTLE_MS);
}

interface HeavyOrders {
  clients: number;
  lines: number;
  /** Heavy orders answered 200, per second of the phase. */
  ok: number;
  /** Answered 429 or 503 by admission control. */
  refused: number;
  other: number;
  p50Ms: number;
}

/**
 * Ordinary checks measured while HEAVY_CLIENTS other callers, each with its own key and one connection, send
 * 500-line orders back to back: the ordinary p50 here against the same load without them shows how fair the
 * service stays when some callers send the largest orders it accepts.
 */
async function measureWithHeavyOrders(
  pid: number,
  ordinary: LoadSpec,
  heavy: LoadSpec[],
): Promise<{ phase: Phase; heavy: HeavyOrders }> {
  const name = 'ordinary checks + heavy orders';
  process.stderr.write(
    `  ${name}: ${ordinary.durationS} s, ${ordinary.connections} connections + ${heavy.length} heavy clients… `,
  );
  const sampler = new ResourceSampler(pid);
  await sampler.start();
  let results: LoadResult[];
  try {
    results = await Promise.all([runLoad(ordinary), ...heavy.map((spec) => runLoad(spec))]);
  } catch (error) {
    await sampler.stop();
    throw error;
  }
  const resources = await sampler.stop();
  const [load, ...heavyLoads] = results as [LoadResult, ...LoadResult[]];
  let ok = 0;
  let refused = 0;
  let other = 0;
  for (const h of heavyLoads) {
    for (const [code, n] of Object.entries(h.statusCodes)) {
      if (code === '200') ok += n;
      else if (code === '429' || code === '503') refused += n;
      else other += n;
    }
    other += h.errors;
  }
  const heavyLatencies = heavyLoads.map((h) => h.latencyMs.p50).sort((a, b) => a - b);
  const summary: HeavyOrders = {
    clients: heavy.length,
    lines: HEAVY_LINES,
    ok: Math.round((ok / load.durationS) * 10) / 10,
    refused,
    other,
    p50Ms: heavyLatencies[Math.floor(heavyLatencies.length / 2)] ?? Number.NaN,
  };
  process.stderr.write(
    `${load.rps}/s, p50 ${load.latencyMs.p50} ms; heavy ${summary.ok}/s, p50 ${summary.p50Ms} ms\n`,
  );
  return { phase: { name, load, ...resources }, heavy: summary };
}

// ---------------------------------------------------------------------------------------------------------------
// Verification of the reservations

interface Verification {
  ok: boolean;
  failures: string[];
  pool: { capTpp: number; reservedTpp: number; shippedTpp: number } | null;
  perShipmentTpp: number;
  shipmentsByStatus: Record<string, number>;
  holdingShipments: number;
  heldTppSum: number;
  observedPendingLicense201s: number;
  apiReservedTpp: number | null;
  poolsReconciled: number;
  poolsMismatched: number;
  /** Every check and reservation wrote an audit event: a faster writer that breaks the chain is no improvement. */
  auditChain: ChainVerification;
}

async function verifyReservations(
  service: Service,
  key: string,
  perShipmentTpp: number,
): Promise<Verification> {
  const failures: string[] = [];
  const db = createPrismaClient(
    { host: LOOPBACK, port: service.pgPort, ...embeddedLogin(service.dataDir) },
    { poolSize: 2 },
  );
  try {
    // Requests still in flight when autocannon stopped may commit a moment later: wait for the pool to settle.
    let previous = '';
    for (let i = 0; i < 50; i++) {
      const rows = await db.$queryRaw<{ reserved: string; n: bigint }[]>`
        SELECT (SELECT COALESCE(SUM(reserved_tpp), 0)::text FROM quota_pools) AS reserved, (SELECT count(*) FROM shipments) AS n`;
      const now = JSON.stringify(rows[0], (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
      if (now === previous) break;
      previous = now;
      await sleep(200);
    }
    const pools = await db.$queryRaw<{ cap: string; reserved: string; shipped: string }[]>`
      SELECT cap_tpp::text AS cap, reserved_tpp::text AS reserved, shipped_tpp::text AS shipped
      FROM quota_pools WHERE kind = 'COUNTRY_ALLOCATION' AND subject = ${RESERVATION_COUNTRY} AND year = 0`;
    const poolRow = pools[0];
    const pool = poolRow
      ? {
          capTpp: Number(poolRow.cap),
          reservedTpp: Number(poolRow.reserved),
          shippedTpp: Number(poolRow.shipped),
        }
      : null;
    const statuses = await db.$queryRaw<{ status: string; n: number; held: string; off: number }[]>`
      SELECT status::text AS status, count(*)::int AS n, COALESCE(SUM(country_hold_tpp), 0)::text AS held,
             count(*) FILTER (WHERE country_hold_tpp <> ${perShipmentTpp})::int AS off
      FROM shipments WHERE destination = ${RESERVATION_COUNTRY} GROUP BY status`;
    const shipmentsByStatus = Object.fromEntries(statuses.map((s) => [s.status, s.n]));
    const holding = statuses.filter((s) => s.status === 'PENDING_LICENSE' || s.status === 'RESERVED');
    const holdingShipments = holding.reduce((a, s) => a + s.n, 0);
    const heldTppSum = holding.reduce((a, s) => a + Number(s.held), 0);

    if (!pool) failures.push(`no allocation pool for ${RESERVATION_COUNTRY}`);
    else {
      if (pool.reservedTpp + pool.shippedTpp > pool.capTpp)
        failures.push(
          `over-allocated: reserved+shipped ${pool.reservedTpp + pool.shippedTpp} > cap ${pool.capTpp}`,
        );
      if (pool.reservedTpp !== holdingShipments * perShipmentTpp) {
        failures.push(
          `reservedTpp ${pool.reservedTpp} != ${holdingShipments} holding shipments x ${perShipmentTpp} TPP`,
        );
      }
      if (pool.reservedTpp !== heldTppSum)
        failures.push(`reservedTpp ${pool.reservedTpp} != sum of shipments' holds ${heldTppSum}`);
    }
    const offSize = holding.reduce((a, s) => a + s.off, 0);
    if (offSize > 0)
      failures.push(`${offSize} holding shipments hold something other than ${perShipmentTpp} TPP`);
    const unexpected = statuses.filter((s) => s.status !== 'PENDING_LICENSE');
    if (unexpected.length > 0)
      failures.push(`shipments in unexpected states: ${JSON.stringify(shipmentsByStatus)}`);
    // Every 201 seen was committed. When a run ends autocannon drops the requests in flight (up to one per
    // connection), which the service still commits: those are in the database but were never observed.
    const observed = reservationTally.pendingLicense;
    const inFlightAtStops = reservationTally.runs * CONNECTIONS;
    if (holdingShipments < observed || holdingShipments > observed + inFlightAtStops) {
      failures.push(
        `${observed} PENDING_LICENSE 201s observed but ${holdingShipments} holding shipments in the database`,
      );
    }

    const reconciliation = await reconcilePools(db);
    const mismatched = reconciliation.filter(
      (r) =>
        r.capTpp !== r.entriesCapTpp ||
        r.reservedTpp !== r.entriesReservedTpp ||
        r.shippedTpp !== r.entriesShippedTpp,
    );
    for (const r of mismatched.slice(0, 5))
      failures.push(`pool ${r.poolId} does not reconcile with its ledger entries: ${JSON.stringify(r)}`);

    const auditChain = await verifyAuditChain(db);
    if (!auditChain.valid)
      failures.push(`audit chain broken at event ${auditChain.firstBrokenSeq}: ${auditChain.reason}`);

    const api = await call(service.base, key, 'GET', `/v1/quotas/${RESERVATION_COUNTRY}`);
    const apiReserved = field(api.json, 'reservedTpp');
    const apiReservedTpp = typeof apiReserved === 'number' ? apiReserved : null;
    if (pool && apiReservedTpp !== pool.reservedTpp)
      failures.push(
        `GET /v1/quotas/${RESERVATION_COUNTRY} reservedTpp ${String(apiReserved)} != ${pool.reservedTpp}`,
      );
    const apiCap = field(api.json, 'capTpp');
    if (typeof apiReserved === 'number' && typeof apiCap === 'number' && apiReserved > apiCap)
      failures.push(`GET /v1/quotas: reservedTpp > capTpp`);

    return {
      ok: failures.length === 0,
      failures,
      pool,
      perShipmentTpp,
      shipmentsByStatus,
      holdingShipments,
      heldTppSum,
      observedPendingLicense201s: observed,
      apiReservedTpp,
      poolsReconciled: reconciliation.length - mismatched.length,
      poolsMismatched: mismatched.length,
      auditChain,
    };
  } finally {
    await db.$disconnect();
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Profiling: separate service runs under --cpu-prof, one per workload.

async function profileWorkload(
  name: string,
  ctx: { runDir: string; dataDir: string; officerKey: string },
  makeSpec: (service: Service) => LoadSpec,
): Promise<{ summary: ProfileSummary; file: string } | null> {
  const dir = join(ctx.runDir, 'profiles', name);
  await mkdir(dir, { recursive: true });
  // The profile covers the whole process; only the measured load is summarised, not startup or warm-up.
  const service = await startService(ctx.runDir, ctx.dataDir, ctx.officerKey, `profile ${name}`, [
    `--cpu-prof`,
    `--cpu-prof-dir=${dir}`,
  ]);
  const spec = makeSpec(service);
  await warmUp(spec);
  process.stderr.write(`  profiling ${name}: ${DURATION_S} s… `);
  const fromMs = performance.now() - service.spawnedAt;
  const load = await runLoad(spec);
  const toMs = performance.now() - service.spawnedAt;
  process.stderr.write(`${load.rps}/s under the profiler\n`);
  await stopService(service);
  // One profile per thread (tsx's loader runs in a worker): the main thread is thread 0.
  const files = (await readdir(dir)).filter((f) => f.endsWith('.cpuprofile'));
  const main = files.find((f) => f.split('.')[4] === '0') ?? files[0];
  if (!main) return null;
  const summary = await summariseProfile(join(dir, main), ROOT, 25, { fromMs, toMs });
  return { summary, file: join(dir, main) };
}

// ---------------------------------------------------------------------------------------------------------------
// Report

function machineInfo() {
  const cpuList = cpus();
  let commit: string | null = null;
  let dirty: boolean | null = null;
  let srcChanges: string | null = null;
  try {
    commit = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim();
    dirty = execFileSync('git', ['status', '--porcelain'], { cwd: ROOT, encoding: 'utf8' }).trim() !== '';
    // Uncommitted changes to the service: two runs with the same commit and digest measured the same code.
    const diff = execFileSync('git', ['diff', 'HEAD', '--', 'src', 'prisma'], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    const untracked = execFileSync(
      'git',
      ['ls-files', '--others', '--exclude-standard', '--', 'src', 'prisma'],
      {
        cwd: ROOT,
        encoding: 'utf8',
      },
    );
    const hash = createHash('sha256').update(diff).update(untracked);
    for (const file of untracked.split('\n').filter(Boolean)) hash.update(readFileSync(join(ROOT, file)));
    srcChanges = diff === '' && untracked === '' ? null : hash.digest('hex').slice(0, 12);
  } catch {
    // not a git checkout
  }
  return {
    date: new Date().toISOString(),
    cores: cpuList.length,
    cpuModel: cpuList[0]?.model ?? null,
    memoryMb: Math.round(totalmem() / 1024 / 1024),
    loadAverageAtStart: loadavg().map((v) => Math.round(v * 100) / 100),
    platform: `${process.platform} ${release()}`,
    node: process.version,
    commit,
    dirty,
    uncommittedSrcDigest: srcChanges,
    loadGenerator: `autocannon in the harness process (same machine, ${cpuList.length} cores shared by the load generator, the service, PostgreSQL and the ceiling server)`,
  };
}

function fmt(value: number | null, digits = 0): string {
  return value === null || Number.isNaN(value) ? '-' : value.toFixed(digits);
}

function table(phases: Phase[], ceilingRps: number): string {
  const header = [
    'phase',
    'req/s',
    'x ceiling',
    'p50 ms',
    'p99 ms',
    'non-2xx',
    'errors',
    'node RSS MB',
    'pg PSS MB',
    'CPU cores: server/pg/loadgen/foreign/machine',
  ];
  const rows = phases.map((p) => [
    p.name,
    fmt(p.load.rps),
    fmt(p.load.rps / ceilingRps, 2),
    fmt(p.load.latencyMs.p50, 2),
    fmt(p.load.latencyMs.p99, 2),
    String(p.load.non2xx),
    String(p.load.errors),
    fmt(p.memory.nodeRssMb),
    fmt(p.memory.postgresPssMb),
    [p.cpu.node, p.cpu.postgres, p.cpu.harness, p.cpu.foreign, p.cpu.machineBusy]
      .map((v) => fmt(v, 2))
      .join('/'),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] as string).length)));
  const line = (cells: string[]): string =>
    cells
      .map((c, i) => (i === 0 ? c.padEnd(widths[i] as number) : c.padStart(widths[i] as number)))
      .join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

interface TargetResult {
  target: string;
  measured: string;
  pass: boolean;
}

function evaluateTargets(
  phases: Record<string, Phase>,
  ceiling: Phase,
  verification: Verification,
  coldStartMs: number,
  heavy: HeavyOrders,
): TargetResult[] {
  const results: TargetResult[] = [];
  const ceilingRps = ceiling.load.rps;
  const ceilingP99 = ceiling.load.latencyMs.p99;
  for (const name of ['checks tier 1', 'checks tier 2'] as const) {
    const p = phases[name] as Phase;
    const ratio = p.load.rps / ceilingRps;
    const p99Ratio = p.load.latencyMs.p99 / ceilingP99;
    const errors = p.load.non2xx + p.load.errors;
    results.push({
      target: `${name}: >= ${TARGETS.checkRatioOfCeiling} x ceiling, no errors`,
      measured: `${ratio.toFixed(3)} x ceiling (${p.load.rps}/s of ${ceilingRps}/s), ${errors} errors`,
      pass: ratio >= TARGETS.checkRatioOfCeiling && errors === 0,
    });
    results.push({
      target: `${name}: p99 <= ${TARGETS.checkP99OfCeilingP99} x the ceiling's p99 at ${CONNECTIONS} connections`,
      measured: `p99 ${p.load.latencyMs.p99} ms = ${p99Ratio.toFixed(1)} x the ceiling's ${ceilingP99} ms`,
      pass: p99Ratio <= TARGETS.checkP99OfCeilingP99,
    });
  }
  const single = phases['one client'] as Phase;
  results.push({
    target: `one client, one check at a time: p50 <= ${TARGETS.singleClientP50Ms} ms`,
    measured: `p50 ${single.load.latencyMs.p50} ms, p99 ${single.load.latencyMs.p99} ms (${single.load.rps}/s)`,
    pass:
      single.load.latencyMs.p50 <= TARGETS.singleClientP50Ms &&
      single.load.non2xx === 0 &&
      single.load.errors === 0,
  });
  const r = phases.reservations as Phase;
  const created = r.load.ok2xx / r.load.durationS;
  const resRatio = created / ceilingRps;
  results.push({
    target: `contended reservations on one allocation: >= ${TARGETS.reservationRatioOfCeiling} x ceiling created, nothing over-allocated, ledger reconciles`,
    measured: `${resRatio.toFixed(3)} x ceiling (${Math.round(created)}/s created), p99 ${r.load.latencyMs.p99} ms, ${r.load.non2xx + r.load.errors} errors, verification ${verification.ok ? 'ok' : `FAILED (${verification.failures.length})`}`,
    pass:
      resRatio >= TARGETS.reservationRatioOfCeiling &&
      verification.ok &&
      r.load.non2xx === 0 &&
      r.load.errors === 0,
  });
  const without = phases['ordinary checks'] as Phase;
  const withHeavy = phases['ordinary checks + heavy orders'] as Phase;
  const increase = withHeavy.load.latencyMs.p50 / without.load.latencyMs.p50;
  results.push({
    target: `heavy orders: ${HEAVY_CLIENTS} clients sending ${HEAVY_LINES}-line orders raise the p50 of ordinary checks (${ORDINARY_CONNECTIONS} connections) by <= ${TARGETS.heavyOrderP50Increase}x`,
    measured:
      `p50 ${without.load.latencyMs.p50} ms -> ${withHeavy.load.latencyMs.p50} ms (${increase.toFixed(2)}x; p99 ${without.load.latencyMs.p99} -> ${withHeavy.load.latencyMs.p99} ms); ` +
      `heavy orders ${heavy.ok}/s answered 200, ${heavy.refused} refused (429/503), ${heavy.other} other`,
    pass:
      increase <= TARGETS.heavyOrderP50Increase &&
      withHeavy.load.non2xx === 0 &&
      withHeavy.load.errors === 0 &&
      heavy.ok > 0 &&
      heavy.other === 0,
  });
  const services = Object.entries(phases).filter(([n]) => n !== 'ceiling');
  const rss = Math.max(...services.map(([, p]) => p.memory.nodeRssMb ?? Number.NaN));
  results.push({
    target: `node RSS < ${TARGETS.nodeRssMb} MB under load`,
    measured: `peak ${fmt(rss)} MB`,
    pass: rss < TARGETS.nodeRssMb,
  });
  results.push({
    target: `cold start < ${TARGETS.coldStartMs / 1000} s`,
    measured: `${(coldStartMs / 1000).toFixed(2)} s (spawn to /readyz 200, fresh data folder)`,
    pass: coldStartMs < TARGETS.coldStartMs,
  });
  return results;
}

// ---------------------------------------------------------------------------------------------------------------

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

async function sequentialCheckMedian(base: string, key: string): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < SCREENING_SAMPLES; i++) {
    const started = performance.now();
    const res = await call(base, key, 'POST', '/v1/checks', TIER1_CHECK);
    times.push(performance.now() - started);
    expect(res.status === 200, `check during the screening phase answered ${res.status}`);
  }
  return median(times);
}

interface ScreeningFigures {
  entries: number;
  importMs: number;
  medianBeforeMs: number;
  medianAfterMs: number;
}

async function screeningPhase(
  base: string,
  officerKey: string,
  vendorKey: string,
): Promise<ScreeningFigures> {
  console.error(`  screening: timing ${SCREENING_SAMPLES} sequential checks without a list…`);
  const medianBeforeMs = await sequentialCheckMedian(base, vendorKey);
  const body = JSON.stringify(syntheticCsl(SCREENING_ENTRIES, SCREENING_SEED));
  console.error(
    `  screening: importing ${SCREENING_ENTRIES} synthetic entries (${(body.length / 1e6).toFixed(1)} MB)…`,
  );
  const started = performance.now();
  const response = await fetch(`${base}/v1/screening-lists`, {
    method: 'POST',
    headers: { authorization: `Bearer ${officerKey}`, 'content-type': 'application/json' },
    body,
    signal: AbortSignal.timeout(600_000),
  });
  const importMs = performance.now() - started;
  const summary = (await response.json()) as { entries?: number };
  expect(response.status === 201, `screening import answered ${response.status}: ${JSON.stringify(summary)}`);
  const probe = await call(base, vendorKey, 'POST', '/v1/checks', TIER1_CHECK);
  expect(
    field(probe.json, 'screening', 'listId') !== null,
    `a check after the import should name the list: ${JSON.stringify(probe.json)}`,
  );
  console.error(`  screening: timing ${SCREENING_SAMPLES} sequential checks against the list…`);
  const medianAfterMs = await sequentialCheckMedian(base, vendorKey);
  return { entries: summary.entries ?? 0, importMs, medianBeforeMs, medianAfterMs };
}

async function main(): Promise<number> {
  const runId = `${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`;
  const benchRoot = join(ROOT, '.bench-data');
  const runDir = join(benchRoot, runId);
  // Under the repository, 0755: PostgreSQL runs as its own user when we are root and must traverse the parents.
  await mkdir(runDir, { recursive: true, mode: 0o755 });
  cleanups.push(async () => {
    await rm(runDir, { recursive: true, force: true });
    await rmdir(benchRoot).catch(() => undefined);
  });
  const dataDir = join(runDir, 'pg');
  const officerKey = randomBytes(32).toString('hex');
  const machine = machineInfo();
  console.error(
    `bench ${runId}: ${DURATION_S} s per phase, ${CONNECTIONS} connections, ${WARMUP_S} s warm-up, ${String(machine.cores)} cores, node ${process.version}, ` +
      `commit ${String(machine.commit).slice(0, 8)}${machine.uncommittedSrcDigest ? ` + uncommitted src ${machine.uncommittedSrcDigest}` : ''}`,
  );

  // 1. The ceiling, alone on the machine.
  const ceilingPort = await freePort();
  const ceilingProc = spawnNode('ceiling server', 'bench/ceiling-server.ts', {
    cwd: ROOT,
    env: { ...process.env, PORT: String(ceilingPort) },
    logFile: join(runDir, 'ceiling.log'),
  });
  cleanups.push(async () => {
    await stopProcess(ceilingProc, 5_000);
  });
  await waitForOk(`http://${LOOPBACK}:${ceilingPort}/healthz`, ceilingProc, 30_000);
  const ceilingSpec = checkSpec(`http://${LOOPBACK}:${ceilingPort}`, 'none', TIER1_CHECK, DURATION_S);
  await warmUp(ceilingSpec);
  const phases: Record<string, Phase> = {};
  phases.ceiling = await measure('ceiling', ceilingProc.pid, ceilingSpec);
  await stopProcess(ceilingProc, 5_000);
  const ceilingRps = phases.ceiling.load.rps;

  // 2. The service, cold, on a fresh data folder.
  console.error('  starting the service on a fresh embedded PostgreSQL…');
  const service = await startService(runDir, dataDir, officerKey, 'bench');
  const coldStartMs = Math.round(service.readyMs);
  console.error(`  cold start ${coldStartMs} ms`);

  const vendor = await keyFor(service.base, officerKey, 'vendor');
  const procurement = await keyFor(service.base, officerKey, 'procurement');
  const heavyKeys: string[] = [];
  for (let i = 0; i < HEAVY_CLIENTS; i++)
    heavyKeys.push((await keyFor(service.base, officerKey, 'vendor')).key);
  const patch = await call(service.base, officerKey, 'PATCH', `/v1/countries/${RESERVATION_COUNTRY}`, {
    allocationTpp: RESERVATION_ALLOCATION_TPP,
  });
  expect(
    patch.status === 200,
    `PATCH /v1/countries/${RESERVATION_COUNTRY} answered ${patch.status}: ${JSON.stringify(patch.json)}`,
  );

  // The fixtures must take the code paths they are named after, or the figures would describe something else.
  const t1 = await call(service.base, vendor.key, 'POST', '/v1/checks', TIER1_CHECK);
  expect(
    t1.status === 200 &&
      field(t1.json, 'destination', 'tier') === 'TIER_1' &&
      field(t1.json, 'licenseRequired') === false,
    `tier 1 check: ${t1.status} ${JSON.stringify(t1.json)}`,
  );
  const t2 = await call(service.base, vendor.key, 'POST', '/v1/checks', TIER2_CHECK);
  expect(
    t2.status === 200 &&
      field(t2.json, 'destination', 'tier') === 'TIER_2' &&
      field(t2.json, 'quota', 'countryAllocation', 'applies') === true,
    `tier 2 check should draw on the allocation: ${t2.status} ${JSON.stringify(t2.json)}`,
  );
  const probe = await fetch(`${service.base}/v1/shipments`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${procurement.key}`,
      'content-type': 'application/json',
      'idempotency-key': `bench-${runId}-probe`,
    },
    body: reservationBody(0),
  });
  const probeJson = await probe.json();
  expect(
    probe.status === 201 && field(probeJson, 'status') === 'PENDING_LICENSE',
    `reservation probe should be PENDING_LICENSE: ${probe.status} ${JSON.stringify(probeJson)}`,
  );
  reservationTally.created += 1;
  reservationTally.pendingLicense += 1;
  const perShipmentTpp = Number(field(probeJson, 'holds', 'countryTpp'));
  expect(perShipmentTpp > 0, 'reservation probe holds nothing on the allocation');

  // 3. Warm up, then measure each workload.
  const t1Spec = checkSpec(service.base, vendor.key, TIER1_CHECK, DURATION_S);
  const t2Spec = checkSpec(service.base, vendor.key, TIER2_CHECK, DURATION_S);
  const resSpec = reservationSpec(service.base, procurement.key, runId, DURATION_S);
  const idle = new ResourceSampler(service.proc.pid);
  await idle.start();
  const idleMemory = (await idle.stop()).memory;
  // Each workload is warmed up just before it is measured, and the service gets a moment to finish what the
  // load generator dropped in flight, so one phase's tail does not land in the next one's figures.
  const singleSpec: LoadSpec = { ...t1Spec, connections: 1 };
  const ordinarySpec: LoadSpec = { ...t1Spec, connections: ORDINARY_CONNECTIONS };
  const limiterCost = { statements: 0, hits: 0, perRequest: 0 };
  for (const [name, spec] of [
    ['checks tier 1', t1Spec],
    ['checks tier 2', t2Spec],
    ['one client', singleSpec],
    ['reservations', resSpec],
    ['ordinary checks', ordinarySpec],
    ['rate limiter', limiterSpec(service.base, vendor.key, DURATION_S)],
  ] as const) {
    await warmUp(spec);
    await settle();
    const before = name === 'rate limiter' ? await limiterCounters(service.base) : null;
    phases[name] = await measure(name, service.proc.pid, spec);
    await settle();
    if (before) {
      const after = await limiterCounters(service.base);
      limiterCost.statements = after.statements - before.statements;
      limiterCost.hits = after.hits - before.hits;
      limiterCost.perRequest =
        Math.round((limiterCost.statements / Math.max(1, limiterCost.hits)) * 10_000) / 10_000;
    }
  }
  const heavySpecs = heavyKeys.map((key) => ({
    ...checkSpec(service.base, key, heavyOrder(), DURATION_S),
    connections: 1,
  }));
  const heavyProbe = await call(service.base, heavyKeys[0] as string, 'POST', '/v1/checks', heavyOrder());
  expect(
    heavyProbe.status === 200 && (field(heavyProbe.json, 'items') as unknown[]).length === HEAVY_LINES,
    `heavy order: ${heavyProbe.status} ${JSON.stringify(heavyProbe.json).slice(0, 500)}`,
  );
  if (WARMUP_S > 0) await Promise.all(heavySpecs.map((spec) => warmUp(spec)));
  await settle();
  const heavyRun = await measureWithHeavyOrders(service.proc.pid, ordinarySpec, heavySpecs);
  phases[heavyRun.phase.name] = heavyRun.phase;
  await settle();

  // 4. Screening (issue 13), its own phase: import a synthetic list of SCREENING_ENTRIES entries through the API,
  // then compare the median of sequential Tier 1 checks before and after, and load-test checks against the list.
  const screening = await screeningPhase(service.base, officerKey, vendor.key);
  const screenedSpec = checkSpec(service.base, vendor.key, TIER1_CHECK, DURATION_S);
  await warmUp(screenedSpec);
  await settle();
  phases['checks tier 1, screened'] = await measure(
    'checks tier 1, screened',
    service.proc.pid,
    screenedSpec,
  );
  await settle();

  console.error('  verifying the allocation and the ledger…');
  const verification = await verifyReservations(service, procurement.key, perShipmentTpp);
  const reservationResponses = { ...reservationTally, other: Object.fromEntries(reservationTally.other) };
  const stopped = await stopService(service);
  console.error(
    `  service stopped in ${stopped.ms} ms (exit ${String(stopped.code)}${stopped.killed ? ', killed' : ''})`,
  );

  // 4. Optional profiles, on the same data folder (a warm start), so they do not distort the figures above.
  const profiles: Record<string, unknown> = {};
  if (PROFILE) {
    const ctx = { runDir, dataDir, officerKey };
    const checks = await profileWorkload('checks', ctx, (s) => ({
      ...checkSpec(s.base, vendor.key, TIER2_CHECK, DURATION_S),
    }));
    const reservations = await profileWorkload('reservations', ctx, (s) =>
      reservationSpec(s.base, procurement.key, `${runId}p`, DURATION_S),
    );
    for (const [name, result] of Object.entries({ 'checks (tier 2)': checks, reservations })) {
      if (!result) continue;
      profiles[name] = result.summary;
      console.log(`\n${formatProfile(`profile: ${name}`, result.summary)}`);
      if (KEEP_PROFILES) {
        await mkdir(RESULTS_DIR, { recursive: true });
        const kept = join(RESULTS_DIR, `${runId}-${name.split(' ')[0] as string}.cpuprofile`);
        await copyFile(result.file, kept);
        console.log(`  kept ${kept}`);
      }
    }
  }

  // 5. Report.
  const order = [
    'ceiling',
    'checks tier 1',
    'checks tier 2',
    'one client',
    'reservations',
    'ordinary checks',
    'ordinary checks + heavy orders',
    'rate limiter',
    'checks tier 1, screened',
  ];
  const phaseList = order.map((n) => phases[n] as Phase);
  const targets = evaluateTargets(phases, phases.ceiling, verification, coldStartMs, heavyRun.heavy);
  console.log(`\n${table(phaseList, ceilingRps)}`);
  console.log(
    `\nidle after start: node RSS ${fmt(idleMemory.nodeRssMb)} MB, pg PSS ${fmt(idleMemory.postgresPssMb)} MB`,
  );
  console.log(
    `cold start ${(coldStartMs / 1000).toFixed(2)} s; shutdown ${(stopped.ms / 1000).toFixed(2)} s; keys: ${vendor.source}, ${procurement.source}`,
  );
  console.log(
    `reservations: ${verification.holdingShipments} holding shipments x ${perShipmentTpp} TPP = ${verification.pool?.reservedTpp ?? '-'} reserved of ${verification.pool?.capTpp ?? '-'} cap; ` +
      `${verification.poolsReconciled} pools reconcile with their ledger${verification.poolsMismatched ? `, ${verification.poolsMismatched} do NOT` : ''}`,
  );
  console.log(
    verification.auditChain.valid
      ? `audit chain intact: ${verification.auditChain.events} events`
      : `audit chain BROKEN at event ${verification.auditChain.firstBrokenSeq}`,
  );
  console.log(
    `rate limiter (GET /v1/rulesets phase): ${limiterCost.statements} statements for ${limiterCost.hits} counted requests = ${limiterCost.perRequest} per request`,
  );
  for (const failure of verification.failures) console.log(`  VERIFICATION FAILED: ${failure}`);
  const busy = phaseList.filter((p) => (p.cpu.foreign ?? 0) > FOREIGN_CPU_WARNING);
  if (busy.length > 0) {
    console.log(
      `\nWARNING: other processes used CPU during ${busy.map((p) => `${p.name} (${String(p.cpu.foreign)} cores)`).join(', ')}: ` +
        'those figures are low; rerun on a quiet machine.',
    );
  }
  console.log(
    `screening: ${screening.entries} synthetic entries (seed ${SCREENING_SEED}) imported through the API in ${(screening.importMs / 1000).toFixed(1)} s; ` +
      `sequential Tier 1 check median ${screening.medianBeforeMs.toFixed(2)} ms before, ${screening.medianAfterMs.toFixed(2)} ms after: ` +
      `screening adds ${(screening.medianAfterMs - screening.medianBeforeMs).toFixed(2)} ms (${SCREENING_SAMPLES} checks each)`,
  );
  console.log('\ntargets:');
  for (const t of targets) console.log(`  ${t.pass ? 'PASS' : 'MISS'}  ${t.target}: ${t.measured}`);

  const result = {
    runId,
    machine,
    settings: {
      durationS: DURATION_S,
      connections: CONNECTIONS,
      warmupS: WARMUP_S,
      profiled: PROFILE,
      serviceNodeArgs: SERVICE_NODE_ARGS,
    },
    fixtures: {
      tier1Check: TIER1_CHECK,
      tier2Check: TIER2_CHECK,
      reservation: JSON.parse(reservationBody(0)) as unknown,
      reservationAllocationTpp: RESERVATION_ALLOCATION_TPP,
      heavyOrderLines: HEAVY_LINES,
      heavyClients: HEAVY_CLIENTS,
      ordinaryConnections: ORDINARY_CONNECTIONS,
    },
    heavyOrders: heavyRun.heavy,
    keys: { vendor: vendor.source, procurement: procurement.source },
    coldStartMs,
    idleMemoryAfterStart: idleMemory,
    shutdownMs: stopped.ms,
    phases: phaseList.map((p) => ({
      ...p,
      ratioToCeiling: Math.round((p.load.rps / ceilingRps) * 1000) / 1000,
    })),
    verification,
    rateLimiter: limiterCost,
    reservationResponses,
    screening: { ...screening, seed: SCREENING_SEED, samples: SCREENING_SAMPLES },
    targets,
    profiles,
  };
  await mkdir(RESULTS_DIR, { recursive: true });
  const latest = join(RESULTS_DIR, 'latest.json');
  await writeFile(latest, `${JSON.stringify(result, null, 2)}\n`);
  const stamped = join(RESULTS_DIR, `${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  await copyFile(latest, stamped);
  console.log(`\nwrote ${latest} and ${stamped}`);
  // Over-allocation is a correctness failure, not a missed target.
  return verification.ok ? 0 : 1;
}

let exitCode = 1;
try {
  exitCode = await main();
} catch (error) {
  console.error(`\nbench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
} finally {
  await runCleanups();
}
process.exit(exitCode);
