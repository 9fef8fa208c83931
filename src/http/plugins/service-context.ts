import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { Config } from '../../config.ts';
import type { PrismaClient } from '../../repositories/db.ts';
import type { ServiceContext } from '../../services/context.ts';

export interface AppDependencies {
  db: PrismaClient;
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
  const { db, config, now } = request.server.deps;
  return { db, config, now, actor: request.actor, requestId: String(request.id), log: request.log };
}

async function serviceContextPlugin(app: FastifyInstance, deps: AppDependencies): Promise<void> {
  app.decorate('deps', deps);
}

export const serviceContextProvider = fp(serviceContextPlugin, { name: 'service-context' });
