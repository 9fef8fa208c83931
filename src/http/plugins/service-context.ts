import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { Config } from '../../config.ts';
import type { PrismaClient } from '../../repositories/db.ts';
import type { DatabaseOutageMonitor } from '../../services/database-outage.ts';
import type { SharedRateLimiter } from '../../services/rate-limiter.ts';
import type { ServiceContext } from '../../services/context.ts';
import type { ReferenceDataCache } from '../../services/reference-data.ts';
import type { AuditCheckpointer, TrustedKeys } from '../../services/audit-checkpoints.ts';

export interface AppDependencies {
  db: PrismaClient;
  checkpoints: AuditCheckpointer;
  trustedKeys: TrustedKeys;
  reference: ReferenceDataCache;
  config: Config;
  now: () => Date;
  /** Database outage state: 503s while it lasts (see plugins/database-outage.ts). */
  outage: DatabaseOutageMonitor;
  /** Rate-limit counters shared by all replicas (see plugins/throttle.ts). */
  limiter: SharedRateLimiter;
}

declare module 'fastify' {
  interface FastifyInstance {
    deps: AppDependencies;
  }
}

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,64}$/;

/**
 * The caller's x-request-id, for correlation with its own logs. The request id itself is always generated
 * by the server (app.ts), so a caller cannot stamp its events with another request's id or a system name.
 */
export function callerRequestId(request: FastifyRequest): string | null {
  const incoming = request.headers['x-request-id'];
  return typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : null;
}

/** Builds the context a use case receives from the request: the actor, request id and logger travel with it. */
export function serviceContext(request: FastifyRequest): ServiceContext {
  const { db, config, now, reference, checkpoints, trustedKeys } = request.server.deps;
  return {
    db,
    checkpoints,
    trustedKeys,
    config,
    now,
    reference,
    actor: request.actor,
    requestId: String(request.id),
    callerRequestId: callerRequestId(request),
    log: request.log,
  };
}

async function serviceContextPlugin(app: FastifyInstance, deps: AppDependencies): Promise<void> {
  app.decorate('deps', deps);
}

export const serviceContextProvider = fp(serviceContextPlugin, { name: 'service-context' });
