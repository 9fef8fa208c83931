import { z } from 'zod';
import { ALLOCATION_PERIOD } from '../../../domain/rulesets.ts';
import { TierSchema, TppSchema } from '../../schemas/common.ts';
import { COUNTRY_EXAMPLES, COUNTRY_LIST_EXAMPLES, openApiExamples } from '../../schemas/examples.ts';

export const QuotaSummarySchema = z
  .object({
    capTpp: TppSchema.describe('The allocation, doubled under a government-to-government arrangement'),
    reservedTpp: TppSchema.describe('Held for shipments awaiting a licence or shipping'),
    shippedTpp: TppSchema.describe('Consumed by shipments that shipped'),
    usedTpp: TppSchema.describe('reservedTpp + shippedTpp'),
    remainingTpp: TppSchema,
    capH100e: z.number().describe('capTpp / 15,832'),
    remainingH100e: z.number().describe('remainingTpp / 15,832'),
  })
  .meta({ id: 'QuotaSummary', description: "The country allocation's balance: cap, held, shipped and left" });

export const CountrySchema = z
  .object({
    code: z.string().length(2),
    name: z.string(),
    tier: TierSchema,
    tierSource: z.string().describe('The rule text this tier comes from'),
    allocationTpp: TppSchema.nullable().describe(
      `Tier 2 allocation for ${ALLOCATION_PERIOD} before any doubling; null outside Tier 2`,
    ),
    allocationSource: z.string().nullable(),
    govToGovArrangement: z
      .boolean()
      .describe('A government-to-government arrangement doubles the allocation'),
    effectiveAllocationTpp: TppSchema.nullable(),
    officerModified: z.boolean().describe('An officer changed this row; reference-data loads leave it alone'),
    updatedAt: z.string().datetime(),
    quota: QuotaSummarySchema.nullable()
      .optional()
      .describe('Present on GET /v1/countries/{code} for Tier 2'),
  })
  .meta({
    id: 'Country',
    description: 'A destination with its AI Diffusion tier and, in Tier 2, its allocation',
    ...openApiExamples(COUNTRY_EXAMPLES),
  });

export const CountryListSchema = z
  .object({ data: z.array(CountrySchema) })
  .meta({ id: 'CountryList', description: 'Countries, by code', ...openApiExamples(COUNTRY_LIST_EXAMPLES) });

export type CountryWire = z.infer<typeof CountrySchema>;
