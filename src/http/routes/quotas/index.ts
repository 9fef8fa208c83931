import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { toH100Equivalents } from '../../../domain/classify.ts';
import { ALLOCATION_PERIOD } from '../../../domain/rulesets.ts';
import type { CountryRecord } from '../../../repositories/country-repository.ts';
import { getCountryQuota, listCountryQuotas, type QuotaSummary } from '../../../services/countries.ts';
import { serviceContext } from '../../plugins/service-context.ts';
import { openApiExamples, QUOTA_EXAMPLES, QUOTA_LIST_EXAMPLES } from '../../schemas/examples.ts';
import { CountryCodeSchema, problems, TierSchema, TppSchema } from '../../schemas/common.ts';

const QuotaSchema = z
  .object({
    country: z.string(),
    name: z.string(),
    tier: TierSchema,
    govToGovArrangement: z.boolean(),
    period: z.string().describe(`The allocation is cumulative over calendar years ${ALLOCATION_PERIOD}`),
    capTpp: TppSchema,
    reservedTpp: TppSchema.describe('Held by shipments awaiting a licence or shipping'),
    shippedTpp: TppSchema.describe('Consumed by shipped shipments'),
    usedTpp: TppSchema,
    remainingTpp: TppSchema,
    capH100e: z.number(),
    reservedH100e: z.number(),
    shippedH100e: z.number(),
    remainingH100e: z.number(),
  })
  .meta({ id: 'Quota', ...openApiExamples(QUOTA_EXAMPLES) });

const QuotaListSchema = z.object({ data: z.array(QuotaSchema).describe('By country code') }).meta({
  id: 'QuotaList',
  description: 'Every Tier 2 country with an allocation',
  ...openApiExamples(QUOTA_LIST_EXAMPLES),
});

function quotaToWire(country: CountryRecord, quota: QuotaSummary): z.infer<typeof QuotaSchema> {
  return {
    country: country.code,
    name: country.name,
    tier: country.tier,
    govToGovArrangement: country.govToGovArrangement,
    period: ALLOCATION_PERIOD,
    capTpp: quota.capTpp,
    reservedTpp: quota.reservedTpp,
    shippedTpp: quota.shippedTpp,
    usedTpp: quota.usedTpp,
    remainingTpp: quota.remainingTpp,
    capH100e: toH100Equivalents(quota.capTpp),
    reservedH100e: toH100Equivalents(quota.reservedTpp),
    shippedH100e: toH100Equivalents(quota.shippedTpp),
    remainingH100e: toH100Equivalents(quota.remainingTpp),
  };
}

export const quotaRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/v1/quotas',
    {
      config: { access: 'readReference' },
      schema: {
        operationId: 'listQuotas',
        tags: ['Quotas'],
        summary: 'The allocation balances of every Tier 2 country',
        description:
          'One entry per Tier 2 country with an allocation, by code: the same balances as GET /v1/quotas/{code}, ' +
          'read in one go (the console draws its allocation chart from it).',
        security: [{ bearerAuth: [] }],
        response: { 200: QuotaListSchema, ...problems(400, 401, 403, 429) },
      },
    },
    async (request) => {
      const quotas = await listCountryQuotas(serviceContext(request));
      return { data: quotas.map(({ country, quota }) => quotaToWire(country, quota)) };
    },
  );

  app.get(
    '/v1/quotas/:code',
    {
      config: { access: 'readReference' },
      schema: {
        operationId: 'getQuota',
        tags: ['Quotas'],
        summary: "A Tier 2 country's allocation balances",
        description:
          'The same balances the check and shipment decisions read. Tier 1 and Tier 3 countries have no allocation ' +
          '(404 NO_ALLOCATION). H100-equivalents = TPP / 15,832.',
        security: [{ bearerAuth: [] }],
        params: z.strictObject({ code: CountryCodeSchema }),
        response: { 200: QuotaSchema, ...problems(400, 401, 403, 404, 429) },
      },
    },
    async (request) => {
      const { country, quota } = await getCountryQuota(serviceContext(request), request.params.code);
      return quotaToWire(country, quota);
    },
  );
};
