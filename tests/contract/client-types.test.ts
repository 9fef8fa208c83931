import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OPENAPI_FILE } from '../../scripts/openapi.ts';
import { createApiKey } from '../helpers/factories.ts';
import { createTestApp, type TestApp } from '../helpers/test-app.ts';
import { createCheck, ProblemError, southKorea, summarise } from './client-example.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CLIENT_TYPES = join(ROOT, 'openapi/client-types.ts');
const EXAMPLE = fileURLToPath(new URL('./client-example.ts', import.meta.url));
const OPENAPI_TYPESCRIPT = join(ROOT, 'node_modules/openapi-typescript/bin/cli.js');

// The generated types are committed so that `npm run typecheck` works from a fresh clone and a reviewer sees
// how a contract change lands on clients; this test keeps them equal to what `npm run client` produces.
describe('openapi/client-types.ts', () => {
  it('is what openapi-typescript generates from openapi/openapi.json (run `npm run client`)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'client-types-'));
    try {
      const generated = join(dir, 'client-types.ts');
      await promisify(execFile)(process.execPath, [OPENAPI_TYPESCRIPT, OPENAPI_FILE, '-o', generated], {
        cwd: ROOT,
      });
      expect(
        await readFile(CLIENT_TYPES, 'utf8'),
        'openapi/client-types.ts is stale: run `npm run client`',
      ).toBe(await readFile(generated, 'utf8'));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('compiles the client example under the project compiler options', () => {
    const config = ts.getParsedCommandLineOfConfigFile(
      join(ROOT, 'tsconfig.json'),
      {},
      {
        ...ts.sys,
        onUnRecoverableConfigFileDiagnostic: (diagnostic) => {
          throw new Error(ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n'));
        },
      },
    );
    if (!config) throw new Error('tsconfig.json could not be read');
    const program = ts.createProgram([EXAMPLE], config.options);
    const diagnostics = ts
      .getPreEmitDiagnostics(program)
      .map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
    expect(diagnostics).toEqual([]);
  });
});

describe('the typed client example against a running service', () => {
  let t: TestApp;
  let baseUrl: string;

  beforeAll(async () => {
    t = await createTestApp();
    await t.app.listen({ host: '127.0.0.1', port: 0 });
    baseUrl = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
  });
  afterAll(async () => t?.close());

  it('gets a typed decision for the South Korea example', async () => {
    const { key } = await createApiKey(t.db, 'vendor');
    const decision = await createCheck(baseUrl, key, southKorea);
    expect(summarise(decision)).toBe('KR TIER_1: allowed under AIA, 10000 H100e');
  });

  it('turns a problem response into a typed error', async () => {
    const error = await createCheck(baseUrl, 'not-a-key', southKorea).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProblemError);
    expect((error as ProblemError).problem).toMatchObject({ status: 401, code: 'UNAUTHENTICATED' });
  });
});
