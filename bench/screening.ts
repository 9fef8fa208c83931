/**
 * Screening on its own (issue 13: "screening adds under 2 ms to a check at the median"), without the load phases
 * of `npm run bench`:
 *
 *   npm run bench:screening
 *
 * 1. The service as `npm start` runs it, on a fresh embedded PostgreSQL under .bench-data/: sequential Tier 1
 *    checks (the bench's TIER1_CHECK, one party "Bench Korea Cloud" in KR) before any import, then an import of
 *    BENCH_SCREENING_ENTRIES synthetic entries through POST /v1/screening-lists (as the bench's screening phase
 *    does), then the same checks again. What screening adds is the difference of the medians.
 * 2. The search statement itself, on that data, for several party names: EXPLAIN ANALYZE execution times
 *    (PostgreSQL's own clock, less disturbed by a busy machine than round trips) and round trips through Prisma
 *    as the service's role, of the current statement and of the statement before this change (kept below as
 *    LEGACY_SQL, the baseline). Both must find the same candidates from the search floor up.
 *
 * Settings: BENCH_SCREENING_ENTRIES (100000), BENCH_SCREENING_SEED (20261202), BENCH_SCREENING_SAMPLES (300
 * checks each side), BENCH_SCREENING_QUERY_RUNS (30 per name; the legacy statement gets 5).
 */
import { randomBytes } from 'node:crypto';
import { mkdir, rm, rmdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createPrismaClient } from '../src/db/client.ts';
import { runningEmbeddedEndpoints } from '../src/db/embedded.ts';
import {
  candidateSimilarityFloor,
  DEFAULT_SCREENING_THRESHOLDS,
  screeningIdentityKey,
  screeningMatchForm,
} from '../src/domain/screening.ts';
import { Prisma } from '../src/generated/prisma/client.ts';
import { screeningSearchSql, type ScreeningQuery } from '../src/repositories/screening-repository.ts';
import { screenParties } from '../src/services/screening.ts';
import { TIER1_CHECK } from './lib/fixtures.ts';
import {
  benchServiceEnv,
  freePort,
  LOOPBACK,
  spawnNode,
  stopProcess,
  waitForOk,
  type NodeChild,
} from './lib/processes.ts';
import { syntheticCsl } from './lib/synthetic-csl.ts';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

function envInt(name: string, fallback: number, min: number, max: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max)
    throw new Error(`${name} must be an integer in [${min}, ${max}]`);
  return n;
}

const ENTRIES = envInt('BENCH_SCREENING_ENTRIES', 100_000, 1, 1_000_000);
const SEED = envInt('BENCH_SCREENING_SEED', 20_261_202, 0, 2 ** 31);
const SAMPLES = envInt('BENCH_SCREENING_SAMPLES', 300, 10, 100_000);
const QUERY_RUNS = envInt('BENCH_SCREENING_QUERY_RUNS', 30, 3, 10_000);
const LEGACY_RUNS = 5;

/** The search statement before issue 13's performance work: one OR of trigram and identity key, pg_trgm at 0.3. */
function legacySql(queries: ScreeningQuery[]): Prisma.Sql {
  const json = JSON.stringify(queries.map((q) => ({ ord: q.ord, form: q.form, key: q.identityKey })));
  return Prisma.sql`
    WITH latest AS (
      SELECT id, imported_at FROM screening_lists ORDER BY imported_at DESC, id LIMIT 1
    ), q AS (
      SELECT ord, unaccent(form) AS form, key FROM jsonb_to_recordset(${json}::jsonb) AS t(ord int, form text, key text)
    )
    SELECT l.id::text AS list_id, l.imported_at, c.*
    FROM latest l
    LEFT JOIN LATERAL (
      SELECT q.ord, n.name AS matched_name, (n.identity_key = q.key) AS exact,
             similarity(n.match_form, q.form)::float8 AS sim, e.name AS entry_name, e.countries, e.source,
             e.list_code, e.start_date, e.federal_register_notice, e.license_requirement, e.license_policy
      FROM q
      JOIN screening_names n ON n.list_id = l.id AND (n.match_form % q.form OR n.identity_key = q.key)
      JOIN screening_entries e ON e.list_id = n.list_id AND e.entry_index = n.entry_index
    ) c ON true`;
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank] as number;
}
const fmt = (ms: number) => ms.toFixed(ms < 10 ? 2 : 1);
const summary = (values: number[]) =>
  `median ${fmt(percentile(values, 50))} ms, p90 ${fmt(percentile(values, 90))} ms (${values.length})`;

async function call(base: string, key: string, method: string, path: string, body?: unknown) {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${key}`,
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
    signal: AbortSignal.timeout(600_000),
  });
  const text = await response.text();
  return {
    status: response.status,
    json: (text ? JSON.parse(text) : null) as Record<string, unknown> | null,
  };
}

async function sequentialChecks(base: string, key: string): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < SAMPLES; i++) {
    const started = performance.now();
    const res = await call(base, key, 'POST', '/v1/checks', TIER1_CHECK);
    times.push(performance.now() - started);
    if (res.status !== 200) throw new Error(`check answered ${res.status}: ${JSON.stringify(res.json)}`);
  }
  return times;
}

interface PlanRow {
  'QUERY PLAN': [{ 'Execution Time': number }];
}

async function main(): Promise<void> {
  const runDir = join(
    ROOT,
    '.bench-data',
    `screening-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`,
  );
  // PostgreSQL runs as its own user when we are root and must traverse the parents.
  await mkdir(runDir, { recursive: true, mode: 0o755 });
  const dataDir = join(runDir, 'pg');
  const officerKey = randomBytes(32).toString('hex');
  const port = await freePort();
  const env = benchServiceEnv({ dataDir, port, pgPort: await freePort(), officerKey });
  let service: NodeChild | null = null;
  const cleanups: (() => Promise<void>)[] = [];
  try {
    service = spawnNode('service', 'src/launcher/index.ts', {
      cwd: ROOT,
      env,
      logFile: join(runDir, 'service.log'),
    });
    const base = `http://${LOOPBACK}:${port}`;
    await waitForOk(`${base}/readyz`, service, 60_000);
    const org = await call(base, officerKey, 'POST', '/v1/organisations', {
      name: 'bench screening',
      country: 'US',
    });
    const created = await call(base, officerKey, 'POST', '/v1/api-keys', {
      role: 'vendor',
      name: 'bench screening',
      ...(typeof org.json?.id === 'string' ? { organisationId: org.json.id } : {}),
    });
    const vendorKey = created.json?.key;
    if (typeof vendorKey !== 'string') throw new Error(`no vendor key: ${JSON.stringify(created.json)}`);

    const endpoints = await runningEmbeddedEndpoints(dataDir);
    if (!endpoints) throw new Error('the service database is not running');
    const db = createPrismaClient(endpoints.app, { poolSize: 1 });
    cleanups.push(() => db.$disconnect());
    // The check's own screening call, as the service makes it, straight to the database: less disturbed by a
    // busy machine than whole checks over HTTP.
    const checkParty = [{ name: TIER1_CHECK.endUser.name, countries: [TIER1_CHECK.destination] }];
    const screeningCalls = async (): Promise<number[]> => {
      const times: number[] = [];
      for (let i = 0; i < SAMPLES; i++) {
        const started = performance.now();
        await screenParties(db, DEFAULT_SCREENING_THRESHOLDS, checkParty);
        times.push(performance.now() - started);
      }
      return times;
    };

    // 1. What screening adds to a check.
    for (let i = 0; i < 50; i++) await call(base, vendorKey, 'POST', '/v1/checks', TIER1_CHECK); // warm-up
    const before = await sequentialChecks(base, vendorKey);
    const callsBefore = await screeningCalls();
    const body = JSON.stringify(syntheticCsl(ENTRIES, SEED));
    const importStarted = performance.now();
    const imported = await call(base, officerKey, 'POST', '/v1/screening-lists', body);
    const importMs = performance.now() - importStarted;
    if (imported.status !== 201) throw new Error(`import answered ${imported.status}`);
    const probe = await call(base, vendorKey, 'POST', '/v1/checks', TIER1_CHECK);
    const screening = probe.json?.screening as { listId?: string } | undefined;
    if (!screening?.listId)
      throw new Error(`a check after the import names no list: ${JSON.stringify(probe.json)}`);
    for (let i = 0; i < 50; i++) await call(base, vendorKey, 'POST', '/v1/checks', TIER1_CHECK); // warm-up
    const after = await sequentialChecks(base, vendorKey);
    const callsAfter = await screeningCalls();
    console.log(
      `import: ${String(imported.json?.entries)} synthetic entries (seed ${SEED}, ${(body.length / 1e6).toFixed(1)} MB) ` +
        `through POST /v1/screening-lists in ${(importMs / 1000).toFixed(1)} s`,
    );
    console.log(`checks without a list: ${summary(before)}`);
    console.log(`checks with the list:  ${summary(after)}`);
    console.log(
      `screening adds ${fmt(percentile(after, 50) - percentile(before, 50))} ms at the median ` +
        `(p90 ${fmt(percentile(after, 90) - percentile(before, 90))} ms); target < 2 ms`,
    );
    console.log(`the check's screening call without a list: ${summary(callsBefore)}`);
    console.log(`the check's screening call with the list:  ${summary(callsAfter)}`);
    console.log(
      `the screening call adds ${fmt(percentile(callsAfter, 50) - percentile(callsBefore, 50))} ms at the median ` +
        `(p90 ${fmt(percentile(callsAfter, 90) - percentile(callsBefore, 90))} ms)`,
    );

    // 2. The statement itself, as the service's role, on the same data.
    {
      const listed = (syntheticCsl(1, SEED).results[0] as { name: string }).name;
      const cases: [string, string, string[]][] = [
        ['the check party', 'Bench Korea Cloud', ['KR']],
        ['a listed name', listed, ['CN']],
        ['a listed name, one letter changed', listed.replace(/[aeiou]/, 'y'), ['CN']],
        ['a common suffix', 'Huawei Technologies Co., Ltd.', ['CN']],
        ['two parties', 'Gulf Data Centre Holdings', ['AE']],
      ];
      const thresholds = DEFAULT_SCREENING_THRESHOLDS;
      const floor = candidateSimilarityFloor(thresholds);
      console.log(
        `\nsearch statement, pg_trgm floor ${floor.toFixed(4)} (review ${thresholds.review} - bonus ${thresholds.countryBonus} - 0.001):`,
      );
      for (const [label, name, countries] of cases) {
        const names = label === 'two parties' ? [name, 'Bench Korea Cloud'] : [name];
        const queries = names.map((n, ord) => ({
          ord,
          form: screeningMatchForm(n),
          identityKey: screeningIdentityKey(n),
        }));
        const parties = names.map((n) => ({ name: n, countries }));
        const explain = async (sql: Prisma.Sql) =>
          (await db.$queryRaw<PlanRow[]>(Prisma.sql`EXPLAIN (ANALYZE, FORMAT JSON) ${sql}`))[0]?.[
            'QUERY PLAN'
          ][0]['Execution Time'] as number;
        const newExec: number[] = [];
        const newTrip: number[] = [];
        let matches = 0;
        for (let i = 0; i < QUERY_RUNS; i++) {
          newExec.push(await explain(screeningSearchSql(queries, floor)));
          const started = performance.now();
          matches = (await screenParties(db, thresholds, parties)).matches.length;
          newTrip.push(performance.now() - started);
        }
        const oldExec: number[] = [];
        for (let i = 0; i < LEGACY_RUNS; i++) oldExec.push(await explain(legacySql(queries)));
        // Same candidates from the floor up (and every equal identity key), whatever the plan.
        type Row = {
          ord: number | null;
          matched_name: string | null;
          exact: boolean | null;
          sim: number | null;
        };
        const key = (r: Row) => `${String(r.ord)}|${String(r.matched_name)}`;
        const fresh = (await db.$queryRaw<Row[]>(screeningSearchSql(queries, floor))).filter(
          (r) => r.ord !== null,
        );
        const old = (await db.$queryRaw<Row[]>(legacySql(queries))).filter(
          (r) => r.ord !== null && (r.exact === true || (r.sim ?? 0) >= floor),
        );
        const same =
          JSON.stringify(fresh.map(key).sort()) === JSON.stringify(old.map(key).sort())
            ? 'same'
            : 'DIFFERENT';
        console.log(
          `  ${label} (${names.map((n) => JSON.stringify(n)).join(' + ')}): ${fresh.length} candidates (${same} as before from the floor up), ${matches} matches\n` +
            `    now:    execution ${summary(newExec)}; round trip with scoring ${summary(newTrip)}\n` +
            `    before: execution ${summary(oldExec)}`,
        );
        if (same !== 'same') process.exitCode = 1;
      }
    }
  } finally {
    for (const fn of cleanups.reverse()) await fn();
    if (service) await stopProcess(service, 15_000);
    if (!process.env.BENCH_KEEP_DATA) {
      await rm(runDir, { recursive: true, force: true });
      await rmdir(join(ROOT, '.bench-data')).catch(() => undefined);
    } else console.log(`kept ${runDir}`);
  }
}

await main();
