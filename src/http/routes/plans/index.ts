import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { planProcurement } from '../../../services/plan-procurement.ts';
import { serviceContext } from '../../plugins/service-context.ts';
import { problems } from '../../schemas/common.ts';
import { PlanRequestSchema, PlanSchema } from './schemas.ts';

export const planRoutes: FastifyPluginAsyncZod = async (app) => {
  app.post(
    '/v1/plans',
    {
      config: { access: 'runCheck' },
      schema: {
        operationId: 'createPlan',
        tags: ['Checks'],
        summary: 'How many units of each product could ship',
        description:
          'The inverse of a check: for each candidate product on its own, the most units that could ship on the ' +
          'date without a licence and with a licence inside the remaining allocation, from the current balances. ' +
          'Each figure is an exact boundary of the check itself: a check of that many units answers the route, ' +
          'one unit more does not. Reserves nothing; audited (plan.create).',
        security: [{ bearerAuth: [] }],
        body: PlanRequestSchema,
        response: { 200: PlanSchema, ...problems(400, 401, 403, 413, 415, 429) },
      },
    },
    async (request) => planProcurement(serviceContext(request), request.body),
  );
};
