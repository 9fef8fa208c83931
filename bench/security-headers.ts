/**
 * CPU cost of the security headers per request (issue 17 item 3): @fastify/helmet, which runs a helmet
 * middleware on every request (and builds a new one for a route with its own options), against the service's
 * precomputed header objects (src/http/plugins/security-headers.ts), each on a bare Fastify answering a small
 * JSON through light-my-request. Measured as process CPU time per request, so a busy machine disturbs it less
 * than a throughput figure would; the same run also measures Fastify with no security headers at all.
 *
 *   npx tsx bench/security-headers.ts [--requests 20000]
 */
import { parseArgs } from 'node:util';
import fastifyHelmet from '@fastify/helmet';
import Fastify, { type FastifyInstance } from 'fastify';
import { precomputeSecurityHeaders } from '../src/http/plugins/security-headers.ts';
import { API_HELMET_OPTIONS, DOCS_HELMET_OPTIONS } from '../src/http/plugins/security.ts';

const { values } = parseArgs({ options: { requests: { type: 'string', default: '20000' } } });
const requests = Number(values.requests);

function routes(app: FastifyInstance, docsConfig: Record<string, unknown>): void {
  app.get('/v1/thing', async () => ({ ok: true, id: 'abc' }));
  app.get('/docs/', { config: docsConfig }, async () => ({ ok: true }));
}

async function none(): Promise<FastifyInstance> {
  const app = Fastify();
  routes(app, {});
  return app;
}

async function viaHelmet(): Promise<FastifyInstance> {
  const app = Fastify();
  await app.register(fastifyHelmet, { global: true, ...API_HELMET_OPTIONS });
  routes(app, { helmet: { contentSecurityPolicy: DOCS_HELMET_OPTIONS.contentSecurityPolicy } });
  return app;
}

async function precomputed(): Promise<FastifyInstance> {
  const api = precomputeSecurityHeaders(API_HELMET_OPTIONS);
  const docs = precomputeSecurityHeaders(DOCS_HELMET_OPTIONS);
  const app = Fastify();
  app.addHook('onRequest', (request, reply, done) => {
    const headers = (request.routeOptions.config as { securityHeaders?: typeof api }).securityHeaders ?? api;
    reply.headers(headers.set);
    for (const name of headers.remove) reply.raw.removeHeader(name);
    done();
  });
  routes(app, { securityHeaders: docs });
  return app;
}

async function measure(name: string, build: () => Promise<FastifyInstance>, url: string): Promise<number> {
  const app = await build();
  await app.ready();
  for (let i = 0; i < 2_000; i += 1) await app.inject({ method: 'GET', url });
  const start = process.cpuUsage();
  for (let i = 0; i < requests; i += 1) await app.inject({ method: 'GET', url });
  const used = process.cpuUsage(start);
  await app.close();
  const us = (used.user + used.system) / requests;
  console.log(`${name.padEnd(34)} ${url.padEnd(10)} ${us.toFixed(1)} µs CPU per request`);
  return us;
}

for (const url of ['/v1/thing', '/docs/']) {
  const base = await measure('no security headers', none, url);
  const helmet = await measure('@fastify/helmet 13', viaHelmet, url);
  const pre = await measure('precomputed headers (the service)', precomputed, url);
  console.log(
    `  headers cost ${(helmet - base).toFixed(1)} µs with helmet, ${(pre - base).toFixed(1)} µs precomputed\n`,
  );
}
