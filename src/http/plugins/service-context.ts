import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { Config } from '../../config.ts';
import type { PrismaClient } from '../../repositories/db.ts';
import type { ServiceContext } from '../../services/context.ts';
import type { ReferenceDataCache } from '../../services/reference-data.ts';

export interface AppDependencies {
  db: PrismaClient;
  reference: ReferenceDataCache;
  config: Config;
  now: () => Date;
}

declare module 'fastify' {
  interface FastifyInstance {
    deps: AppDependencies;
  }
}

/** Builds the context a use case receives from the request: the actor, request id and logger travel with it. */
export function serviceContext(request: FastifyRequest): ServiceContext {
  const { db, config, now, reference } = request.server.deps;
  return {
    db,
    config,
    now,
    reference,
    actor: request.actor,
    requestId: String(request.id),
    log: request.log,
  };
}

async function serviceContextPlugin(app: FastifyInstance, deps: AppDependencies): Promise<void> {
  app.decorate('deps', deps);
}

export const serviceContextProvider = fp(serviceContextPlugin, { name: 'service-context' });
