import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { Config } from '../../config.ts';
import type { PrismaClient } from '../../repositories/db.ts';
import type { DatabaseOutageMonitor } from '../../services/database-outage.ts';
import type { SharedRateLimiter } from '../../services/rate-limiter.ts';
import type { ServiceContext } from '../../services/context.ts';
import type { ReferenceDataCache } from '../../services/reference-data.ts';
import type { ReservationBatcher } from '../../services/shipments.ts';

export interface AppDependencies {
  db: PrismaClient;
  reference: ReferenceDataCache;
  reservations: ReservationBatcher;
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

/** Builds the context a use case receives from the request: the actor, request id and logger travel with it. */
export function serviceContext(request: FastifyRequest): ServiceContext {
  const { db, config, now, reference, reservations } = request.server.deps;
  return {
    db,
    config,
    now,
    reference,
    reservations,
    actor: request.actor,
    requestId: String(request.id),
    log: request.log,
  };
}

async function serviceContextPlugin(app: FastifyInstance, deps: AppDependencies): Promise<void> {
  app.decorate('deps', deps);
}

export const serviceContextProvider = fp(serviceContextPlugin, { name: 'service-context' });
