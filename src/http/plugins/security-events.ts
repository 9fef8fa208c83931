import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { SecurityEventRecorder } from '../../services/security-events.ts';

/**
 * Every 401 and 403 is a security event: logged with the time, client address, key id when known, route and
 * reason (never the presented key), counted in the metrics and written to the audit trail as `auth.denied`
 * through a recorder that aggregates repeats so that nobody can flood the chain.
 */
async function securityEventsPlugin(app: FastifyInstance): Promise<void> {
  const { db, now } = app.deps;
  const recorder = new SecurityEventRecorder(db, {
    now,
    onError: (error) => app.log.warn({ err: error }, 'security event: audit write failed'),
  });
  app.addHook('onClose', async () => recorder.close());

  app.addHook('onResponse', async (request, reply) => {
    const status = reply.statusCode;
    if (status !== 401 && status !== 403) return;
    const denial = request.authDenial;
    const event = {
      at: now(),
      address: request.ip,
      reason: denial?.reason ?? (status === 401 ? 'unauthenticated' : 'forbidden'),
      status,
      method: request.method,
      route: request.routeOptions.url ?? 'unmatched',
      keyId: denial?.keyId ?? request.actor?.keyId ?? null,
      role: request.actor?.role ?? null,
      requestId: String(request.id),
    };
    request.log.warn(
      {
        securityEvent: {
          action: 'auth.denied',
          at: event.at.toISOString(),
          address: event.address,
          reason: event.reason,
          status,
          method: event.method,
          route: event.route,
          keyId: event.keyId,
        },
      },
      `security event: ${event.reason} (${status}) from ${event.address}`,
    );
    app.metrics.securityEvents.inc({ reason: event.reason });
    recorder.record(event);
  });
}

export const securityEvents = fp(securityEventsPlugin, {
  name: 'security-events',
  dependencies: ['service-context', 'metrics'],
});
