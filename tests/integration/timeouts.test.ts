import { connect, type AddressInfo, type Socket } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.ts';
import { createPrismaClient } from '../../src/db/client.ts';
import { parseDatabaseUrl } from '../../src/db/embedded.ts';
import type { PrismaClient } from '../../src/repositories/db.ts';
import { createApiKey } from '../helpers/factories.ts';
import { testConfig, testDatabaseUrl } from '../helpers/test-app.ts';

const REQUEST_TIMEOUT_MS = 1_500;

let app: FastifyInstance;
let db: PrismaClient;
let port: number;
let key: string;

beforeAll(async () => {
  db = createPrismaClient(parseDatabaseUrl(testDatabaseUrl()), { poolSize: 2 });
  key = (await createApiKey(db, 'vendor')).key;
  app = await buildApp({
    config: testConfig({ REQUEST_TIMEOUT_MS: String(REQUEST_TIMEOUT_MS), HEADERS_TIMEOUT_MS: '1000' }),
    db,
    logger: false,
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  port = (app.server.address() as AddressInfo).port;
});

afterAll(async () => {
  await app.close();
  await db.$disconnect();
});

interface Exchange {
  response: string;
  closedAfterMs: number;
}

/** Opens a raw connection, lets `drive` write to it, and resolves with what came back once the server closed it. */
function exchange(drive: (socket: Socket) => void, limitMs: number): Promise<Exchange> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const started = Date.now();
    let response = '';
    const guard = setTimeout(() => {
      socket.destroy();
      reject(new Error(`the server kept the connection open for ${limitMs} ms; got: ${response}`));
    }, limitMs);
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      response += chunk;
    });
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(guard);
      resolve({ response, closedAfterMs: Date.now() - started });
    });
    socket.on('connect', () => drive(socket));
  });
}

describe('slow clients', () => {
  it('answers 408 problem+json to a body trickled a byte at a time, and closes the connection', async () => {
    let timer: NodeJS.Timeout | undefined;
    const result = await exchange((socket) => {
      socket.write(
        'POST /v1/checks HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n' +
          `Authorization: Bearer ${key}\r\nContent-Length: 400\r\n\r\n{`,
      );
      timer = setInterval(() => {
        if (!socket.destroyed) socket.write(' ');
      }, 200);
    }, 10_000).finally(() => clearInterval(timer));
    expect(result.response).toMatch(/^HTTP\/1\.1 408 /);
    expect(result.response).toMatch(/content-type: application\/problem\+json/i);
    expect(result.response).toMatch(/connection: close/i);
    const body = JSON.parse(result.response.slice(result.response.indexOf('\r\n\r\n') + 4)) as {
      code: string;
      status: number;
    };
    expect(body).toMatchObject({ code: 'REQUEST_TIMEOUT', status: 408 });
    // Cut at the deadline (plus node's check interval), not left open.
    expect(result.closedAfterMs).toBeGreaterThanOrEqual(REQUEST_TIMEOUT_MS - 100);
    expect(result.closedAfterMs).toBeLessThan(REQUEST_TIMEOUT_MS + 2_000);
  });

  it('answers 408 to headers that never finish', async () => {
    const result = await exchange((socket) => {
      socket.write('GET /v1/countries HTTP/1.1\r\nHost: localhost\r\n');
    }, 10_000);
    expect(result.response).toMatch(/^HTTP\/1\.1 408 /);
    expect(result.closedAfterMs).toBeLessThan(REQUEST_TIMEOUT_MS + 2_000);
  });

  it('serves a prompt client over a kept-alive connection, with the keep-alive limit announced', async () => {
    const first = await fetch(`http://127.0.0.1:${port}/healthz`);
    expect(first.status).toBe(200);
    expect(first.headers.get('keep-alive')).toMatch(/timeout=65/);
    await first.arrayBuffer();
    expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
  });
});
