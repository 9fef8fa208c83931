import { writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { buildApp } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';
import { createPrismaClient } from '../src/db/client.ts';

/**
 * Writes openapi/openapi.json: the document the service serves at /openapi.json, for clients and reviewers.
 * tests/contract/openapi.test.ts fails when the committed file and the served document differ.
 */
export const OPENAPI_FILE = fileURLToPath(new URL('../openapi/openapi.json', import.meta.url));

/** Same bytes every run: the document has no timestamps and its components are sorted by name. */
export function renderOpenApi(document: unknown): string {
  return `${JSON.stringify(document, null, 2)}\n`;
}

async function main(): Promise<void> {
  // Handlers are the only database users and none runs here, so a client that never connects is enough; a
  // closed port with a short timeout makes a stray query fail fast instead of hanging the script.
  const db = createPrismaClient(
    { host: '127.0.0.1', port: 9, user: 'openapi', password: 'openapi', database: 'openapi' },
    { poolSize: 1, connectionTimeoutMs: 1_000 },
  );
  const app = await buildApp({ config: loadConfig({}), db, logger: false });
  try {
    await app.ready();
    await writeFile(OPENAPI_FILE, renderOpenApi(app.swagger()));
    console.log(`wrote ${OPENAPI_FILE}`);
  } finally {
    await app.close();
    await db.$disconnect();
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await main();
