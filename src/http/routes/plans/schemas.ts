import { z } from 'zod';
import { PLAN_LIMITS } from '../../../domain/plan.ts';
import { AUTHORIZATIONS } from '../../../domain/types.ts';
import { CountryCodeSchema, TppSchema } from '../../schemas/common.ts';
import { openApiExamples, PLAN_EXAMPLES, PLAN_REQUEST_EXAMPLES } from '../../schemas/examples.ts';
import {
  CustomItemFields,
  DecisionDestinationSchema,
  DecisionRulesetSchema,
  OrderContextFields,
  ProductIdSchema,
} from '../../schemas/shipment-request.ts';
import { EccnSchema } from '../../schemas/common.ts';

/** A plan compares products; a buyer weighing more than this many at once should split the question. */
export const MAX_CANDIDATES = 100;

const CatalogueCandidateSchema = z
  .strictObject({ productId: ProductIdSchema })
  .meta({ id: 'CatalogueCandidate', description: 'A catalogue product to plan for' });

const CustomCandidateSchema = z
  .strictObject(CustomItemFields)
  .meta({ id: 'CustomCandidate', description: 'A product described by its figures, to plan for' });

export const PlanRequestSchema = z
  .strictObject({
    destination: CountryCodeSchema.describe('Where the items would go: ISO 3166-1 alpha-2, case-insensitive'),
    candidates: z
      .array(z.union([CatalogueCandidateSchema, CustomCandidateSchema]))
      .min(1, 'a plan needs at least one candidate')
      .max(MAX_CANDIDATES, `at most ${MAX_CANDIDATES} candidates per plan`)
      .describe('Products to size, each on its own (no quantities)'),
    ...OrderContextFields,
  })
  .meta({
    id: 'PlanRequest',
    description: "A check's body with its items replaced by candidate products without quantities",
    ...openApiExamples(PLAN_REQUEST_EXAMPLES),
  });

const MaxUnitsSchema = z
  .number()
  .int()
  .nullable()
  .describe('Most units; null when no quota limits the route, 0 when the route is closed');

const LimitSchema = z
  .enum(PLAN_LIMITS)
  .nullable()
  .describe(
    'What one unit more runs into: LPP (the consignee’s yearly budget), COUNTRY_ALLOCATION, NOT_AVAILABLE ' +
      '(the route is closed for this product), OTHER_RULE; null when nothing limits it',
  );

const PoolBalanceFields = { capTpp: TppSchema, usedTpp: TppSchema, remainingTpp: TppSchema };

export const PlanSchema = z
  .object({
    planId: z.string().describe('Id of this plan; its audit event (plan.create) has it as target'),
    destination: DecisionDestinationSchema,
    shipDate: z.string(),
    candidates: z.array(
      z.object({
        productId: z.string().optional(),
        description: z.string().optional(),
        eccn: EccnSchema,
        tppPerUnit: TppSchema,
        h100Equivalents: z.number().describe('Of one unit: tppPerUnit / 15,832'),
        maxUnits: z.object({
          withoutLicense: MaxUnitsSchema.describe(
            'Most units a check would answer allowed (AIA, LPP, VEU, NLR): one more is not',
          ),
          withLicenseWithinAllocation: MaxUnitsSchema.describe(
            'Most units that ship now or under a licence not presumed denied (for Tier 2: inside the remaining ' +
              'allocation): one more is presumed denied',
          ),
        }),
        authorization: z
          .enum(AUTHORIZATIONS)
          .nullable()
          .describe('What lets the without-licence quantity ship; null when that route is closed'),
        limitedBy: z.object({ withoutLicense: LimitSchema, withLicenseWithinAllocation: LimitSchema }),
      }),
    ),
    pools: z.object({
      countryAllocation: z
        .object(PoolBalanceFields)
        .nullable()
        .describe('The destination’s allocation now; null when it has none'),
      lpp: z
        .object({ year: z.number().int(), ...PoolBalanceFields })
        .nullable()
        .describe('The consignee’s LPP budget for the ship date’s year; null when the destination has none'),
    }),
    ruleset: DecisionRulesetSchema,
    warnings: z.array(z.string()),
  })
  .meta({
    id: 'Plan',
    description: 'For each candidate alone, the most units each route takes from the current balances',
    ...openApiExamples(PLAN_EXAMPLES),
  });
