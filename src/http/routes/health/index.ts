import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { isDatabaseUnavailable } from '../../../db/unavailable.ts';
import { AppError } from '../../../errors.ts';
import { checkDatabase } from '../../../services/readiness.ts';
import { problems } from '../../schemas/common.ts';
import { HEALTH_EXAMPLES, openApiExamples, READINESS_EXAMPLES } from '../../schemas/examples.ts';

const HealthSchema = z
  .object({ status: z.literal('ok') })
  .meta({ id: 'Health', description: 'The process is up', ...openApiExamples(HEALTH_EXAMPLES) });
const ReadinessSchema = z.object({ status: z.literal('ready'), database: z.literal('ok') }).meta({
  id: 'Readiness',
  description: 'Ready to serve: the database answers',
  ...openApiExamples(READINESS_EXAMPLES),
});

export const healthRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/healthz',
    {
      config: { access: 'public' },
      schema: {
        operationId: 'getHealth',
        tags: ['Operations'],
        summary: 'Liveness',
        description: 'The process is up. Does not touch the database.',
        response: { 200: HealthSchema, ...problems() },
      },
    },
    async () => ({ status: 'ok' as const }),
  );

  app.get(
    '/readyz',
    {
      config: { access: 'public' },
      schema: {
        operationId: 'getReadiness',
        tags: ['Operations'],
        summary: 'Readiness, including the database',
        description: 'Answers 200 only when a query against PostgreSQL succeeds, 503 otherwise.',
        response: { 200: ReadinessSchema, ...problems(503) },
      },
    },
    async (request) => {
      const { db, outage } = request.server.deps;
      try {
        await checkDatabase(db);
      } catch (error) {
        // An unreachable database is DATABASE_UNAVAILABLE (503, Retry-After), logged once per outage by the
        // error handler; anything else (say, a missing table) is logged here.
        if (isDatabaseUnavailable(error)) throw error;
        request.log.warn({ err: error }, 'readiness probe: database not usable');
        throw new AppError('SERVICE_UNAVAILABLE', 'The database is not usable.');
      }
      outage.succeeded();
      return { status: 'ready' as const, database: 'ok' as const };
    },
  );
};
