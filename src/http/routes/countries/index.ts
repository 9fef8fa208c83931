import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { toH100Equivalents } from '../../../domain/classify.ts';
import type { CountryRecord } from '../../../repositories/country-repository.ts';
import {
  countryQuotaSummary,
  effectiveAllocationTpp,
  getCountries,
  getCountry,
  type QuotaSummary,
} from '../../../services/countries.ts';
import { updateCountryReference } from '../../../services/update-country.ts';
import { COUNTRY_PATCH_EXAMPLES, openApiExamples } from '../../schemas/examples.ts';
import { serviceContext } from '../../plugins/service-context.ts';
import { CountryCodeSchema, problems, TierSchema } from '../../schemas/common.ts';
import { CountryListSchema, CountrySchema, type CountryWire } from './schemas.ts';

export function countryToWire(country: CountryRecord, quota?: QuotaSummary | null): CountryWire {
  const wire: CountryWire = {
    code: country.code,
    name: country.name,
    tier: country.tier,
    tierSource: country.tierSource,
    allocationTpp: country.allocationTpp,
    allocationSource: country.allocationSource,
    govToGovArrangement: country.govToGovArrangement,
    effectiveAllocationTpp: effectiveAllocationTpp(country),
    officerModified: country.officerModifiedAt !== null,
    updatedAt: country.updatedAt.toISOString(),
  };
  if (quota !== undefined) {
    wire.quota = quota && {
      ...quota,
      capH100e: toH100Equivalents(quota.capTpp),
      remainingH100e: toH100Equivalents(quota.remainingTpp),
    };
  }
  return wire;
}

export const countryRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/v1/countries',
    {
      config: { access: 'readReference' },
      schema: {
        operationId: 'listCountries',
        tags: ['Reference data'],
        summary: 'List countries and their AI Diffusion tiers',
        description:
          'Every ISO 3166-1 country with its tier under the ai-diffusion-2025 pack (90 FR 4544), the source of that ' +
          'tier and, for Tier 2, its allocation. Filter with ?tier=TIER_2.',
        security: [{ bearerAuth: [] }],
        querystring: z.strictObject({ tier: TierSchema.optional() }),
        response: { 200: CountryListSchema, ...problems(400, 401, 403, 429) },
      },
    },
    async (request) => {
      const countries = await getCountries(serviceContext(request), { tier: request.query.tier });
      return { data: countries.map((country) => countryToWire(country)) };
    },
  );

  app.get(
    '/v1/countries/:code',
    {
      config: { access: 'readReference' },
      schema: {
        operationId: 'getCountry',
        tags: ['Reference data'],
        summary: 'One country, with its quota summary when it has an allocation',
        description:
          'Codes are case-insensitive (ae and AE are the same). Tier 2 countries carry their allocation balances.',
        security: [{ bearerAuth: [] }],
        params: z.strictObject({ code: CountryCodeSchema }),
        response: { 200: CountrySchema, ...problems(400, 401, 403, 404, 429) },
      },
    },
    async (request) => {
      const { country, quota } = await getCountry(serviceContext(request), request.params.code);
      return countryToWire(country, quota);
    },
  );

  app.patch(
    '/v1/countries/:code',
    {
      config: { access: 'writeReference' },
      schema: {
        operationId: 'updateCountry',
        tags: ['Reference data'],
        summary: "Change a country's tier, allocation or government-to-government arrangement (officer)",
        description:
          "A change of the effective allocation moves the quota pool's cap by an ADJUST ledger entry. The change and " +
          'its before/after are audited in the same transaction; reference-data loads never overwrite it.',
        security: [{ bearerAuth: [] }],
        params: z.strictObject({ code: CountryCodeSchema }),
        body: z
          .strictObject({
            tier: TierSchema.optional(),
            allocationTpp: z
              .number()
              .nonnegative()
              .max(1e13)
              .nullable()
              .optional()
              .describe('Before doubling; null removes it'),
            govToGovArrangement: z.boolean().optional(),
          })
          .refine((b) => Object.keys(b).length > 0, {
            message: 'send at least one of tier, allocationTpp, govToGovArrangement',
          })
          .meta({ id: 'CountryPatch', ...openApiExamples(COUNTRY_PATCH_EXAMPLES) }),
        response: { 200: CountrySchema, ...problems(400, 401, 403, 404, 413, 415, 429) },
      },
    },
    async (request) => {
      const ctx = serviceContext(request);
      const country = await updateCountryReference(ctx, request.params.code, request.body);
      return countryToWire(country, await countryQuotaSummary(ctx.db, country));
    },
  );
};
