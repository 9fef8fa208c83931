import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { checkShipment } from '../../../services/check-shipment.ts';
import { isoDate } from '../../../services/context.ts';
import { describeInForce, listRulesets } from '../../../services/rulesets.ts';
import { serviceContext } from '../../plugins/service-context.ts';
import { problems } from '../../schemas/common.ts';
import { openApiExamples, RULESET_LIST_EXAMPLES } from '../../schemas/examples.ts';
import { DecisionSchema, IsoDateSchema, ShipmentRequestSchema } from '../../schemas/shipment-request.ts';

const RulesetSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    citation: z.string(),
    published: z.string(),
    effective: z.string(),
    complianceDate: z.string().nullable(),
    enforcementStopped: z.string().nullable(),
    formallyRescinded: z.string().nullable(),
    succeededBy: z.string().nullable(),
    isDefault: z.boolean(),
    statusOn: z.object({
      date: z.string(),
      status: z.string(),
      inForce: z.boolean(),
      explanation: z.string(),
    }),
    source: z.string(),
  })
  .meta({ id: 'Ruleset', description: 'A rule pack, with its legal status on the requested date' });

const RulesetListSchema = z
  .object({
    data: z.array(RulesetSchema),
    inForce: z
      .object({
        name: z.literal('in-force'),
        date: z.string(),
        id: z
          .string()
          .nullable()
          .describe('The pack "in-force" selects on that date; null when none was in force'),
        explanation: z.string(),
      })
      .describe('What "ruleset": "in-force" in a check body selects on the requested date'),
  })
  .meta({
    id: 'RulesetList',
    description: 'Every rule pack the service knows',
    ...openApiExamples(RULESET_LIST_EXAMPLES),
  });

export const checkRoutes: FastifyPluginAsyncZod = async (app) => {
  app.post(
    '/v1/checks',
    {
      config: { access: 'runCheck' },
      schema: {
        operationId: 'createCheck',
        tags: ['Checks'],
        summary: 'Evaluate a proposed shipment',
        description:
          'Classifies every line (catalogue id or custom figures), decides under the selected rule pack and explains ' +
          'the answer with coded, cited reasons. Quota figures are the current balances; a check reserves nothing. ' +
          'Audited. Unknown destination, headquarters or product ids are 400 with the path of each bad field.',
        security: [{ bearerAuth: [] }],
        body: ShipmentRequestSchema,
        response: { 200: DecisionSchema, ...problems(400, 401, 403, 413, 415, 429, 503) },
      },
    },
    async (request) => checkShipment(serviceContext(request), request.body),
  );

  app.get(
    '/v1/rulesets',
    {
      config: { access: 'readReference' },
      schema: {
        operationId: 'listRulesets',
        tags: ['Reference data'],
        summary: 'Rule packs and their legal status',
        description:
          'Each pack with its dates and its status on ?date= (default today). ai-diffusion-2025 was rescinded before ' +
          'it was enforced: its answers are planning answers. `inForce` says which pack "ruleset": "in-force" selects ' +
          'on that date (the pack legally in force on the ship date).',
        security: [{ bearerAuth: [] }],
        querystring: z.strictObject({
          date: IsoDateSchema.optional()
            .describe('The date to report the status on (YYYY-MM-DD); defaults to today (UTC)')
            .meta(
              openApiExamples({
                afterRescission: { summary: 'Shortly after the rescission', value: '2025-06-01' },
              }),
            ),
        }),
        response: { 200: RulesetListSchema, ...problems(400, 401, 403, 429) },
      },
    },
    async (request) => {
      const date = request.query.date ?? isoDate(request.server.deps.now());
      return {
        data: listRulesets(date, request.server.deps.config.DEFAULT_RULESET),
        inForce: describeInForce(date),
      };
    },
  );
};
