import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { AppError } from '../../errors.ts';

/**
 * While an outage is open (see services/database-outage.ts), API calls are answered 503 with Retry-After at once
 * rather than each queueing for a connection that will not come; the monitor's probe closes the outage as soon
 * as the database answers. Public routes (probes, docs, metrics) answer for themselves.
 */
async function databaseOutagePlugin(app: FastifyInstance): Promise<void> {
  const { outage } = app.deps;
  app.addHook('onRequest', async (request) => {
    if (!outage.unavailable) return;
    const access = request.routeOptions.config.access;
    if (access === undefined || access === 'public') return;
    throw new AppError(
      'DATABASE_UNAVAILABLE',
      `The database is unreachable; retry in ${outage.retryAfterSeconds} s.`,
      { headers: { 'retry-after': String(outage.retryAfterSeconds) } },
    );
  });
}

export const databaseOutage = fp(databaseOutagePlugin, {
  name: 'database-outage',
  dependencies: ['service-context', 'error-handler'],
});
