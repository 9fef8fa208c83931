/**
 * Throughput of POST /v1/checks, whose cost is dominated by the audit write that must commit before the answer.
 *
 *   npx tsx bench/checks-audit.ts [--connections 50] [--duration 10] [--durable]
 *
 * Runs against DATABASE_URL, or a throwaway embedded PostgreSQL (fsync off unless --durable), and ends by
 * verifying the audit chain, so a faster writer that breaks the chain does not pass for an improvement.
 */
import { createOrganisation } from '../src/services/organisations.ts';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { buildApp } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';
import { createPrismaClient } from '../src/db/client.ts';
import { parseDatabaseUrl, startEmbeddedPostgres, type EmbeddedPostgresHandle } from '../src/db/embedded.ts';
import { deployMigrations } from '../src/db/schema-engine.ts';
import { createApiKey } from '../src/services/api-keys.ts';
import { verifyAuditChain } from '../src/services/verify-audit-chain.ts';
import { seedReferenceData } from '../src/services/seed-reference-data.ts';

const { values } = parseArgs({
  options: {
    connections: { type: 'string', default: '50' },
    duration: { type: 'string', default: '10' },
    durable: { type: 'boolean', default: false },
  },
});

const body = JSON.stringify({
  destination: 'AE',
  items: [
    { productId: 'nvidia-h100-sxm', quantity: 2000 },
    { description: 'custom board', tpp: 5200, performanceDensity: 7.1, datacenter: true, quantity: 4 },
  ],
  endUser: { name: 'Bench Cloud LLC', headquarters: 'AE', verifiedEndUser: null },
  shipDate: '2025-06-01',
});

async function main(): Promise<void> {
  const config = loadConfig({ ...process.env, LOG_LEVEL: 'silent', RATE_LIMIT_PER_MINUTE: '100000000' });
  let embedded: EmbeddedPostgresHandle | null = null;
  let dataDir: string | null = null;
  if (!config.DATABASE_URL) {
    dataDir = await mkdtemp(join(tmpdir(), 'bench-pg-'));
    embedded = await startEmbeddedPostgres({ dataDir, durable: values.durable, logger: () => undefined });
  }
  const endpoint = embedded?.endpoint ?? parseDatabaseUrl(config.DATABASE_URL as string);
  const db = createPrismaClient(endpoint, { poolSize: config.DB_POOL_SIZE });
  try {
    await deployMigrations(endpoint);
    await seedReferenceData(db);
    const ctx = { db, actor: null, requestId: 'bench', now: () => new Date() };
    const exporter = await createOrganisation(ctx, { name: 'bench exporter', country: 'US' });
    const { key } = await createApiKey(ctx, { role: 'vendor', name: 'bench', organisationId: exporter.id });
    const app = await buildApp({ config, db, logger: false });
    await app.listen({ port: 0, host: '127.0.0.1' });
    const address = app.server.address();
    const port = typeof address === 'object' && address ? address.port : 0;

    const result = await autocannon({
      url: `http://127.0.0.1:${port}/v1/checks`,
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body,
      connections: Number(values.connections),
      duration: Number(values.duration),
    });
    await app.close();
    const verification = await verifyAuditChain(db);
    const non2xx = result.non2xx + result.errors;
    console.log(
      JSON.stringify(
        {
          database: embedded ? `embedded (${values.durable ? 'durable' : 'fsync off'})` : 'DATABASE_URL',
          connections: Number(values.connections),
          durationS: Number(values.duration),
          requests: result.requests.total,
          reqPerSec: Math.round(result.requests.average),
          latencyMs: { p50: result.latency.p50, p90: result.latency.p90, p99: result.latency.p99 },
          non2xx,
          chain: verification,
        },
        null,
        2,
      ),
    );
  } finally {
    await db.$disconnect();
    await embedded?.stop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
