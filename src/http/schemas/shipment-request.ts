import { z } from 'zod';
import { isIsoDate } from '../../domain/dates.ts';
import {
  AUTHORIZATIONS,
  LEGAL_STATUSES,
  REVIEW_POLICIES,
  VERIFIED_END_USER_KINDS,
} from '../../domain/types.ts';
import { REASON_CODES } from '../../domain/reasons.ts';
import { CountryCodeSchema, EccnSchema, TierSchema, TppSchema } from './common.ts';
import { DECISION_EXAMPLES, openApiExamples, SHIPMENT_REQUEST_EXAMPLES } from './examples.ts';

/** Orders are bounded: a real purchase order has tens of lines, not tens of thousands. */
export const MAX_ITEMS = 500;
/** One line of more than a million units is a typo, not an order. */
export const MAX_QUANTITY = 1_000_000;

const QuantitySchema = z
  .number()
  .int('must be a whole number of units')
  .min(1, 'must be at least 1')
  .max(MAX_QUANTITY, `must be at most ${MAX_QUANTITY.toLocaleString('en-US')}`);

export const ProductIdSchema = z.string().min(1).max(64).describe('A catalogue id from GET /v1/products');

const CatalogueLineSchema = z
  .strictObject({
    productId: ProductIdSchema,
    quantity: QuantitySchema,
  })
  .meta({ id: 'CatalogueLine', description: 'A catalogue product by id' });

/** The figures of a custom item, without its quantity (a plan's candidate has none). */
export const CustomItemFields = {
  description: z.string().min(1).max(200).optional(),
  kind: z.enum(['CHIP', 'SYSTEM']).default('CHIP').describe('SYSTEM: a computer or assembly (4A090)'),
  tpp: z.number().positive().max(1e9).describe('TPP of one unit (a system: all of its chips together)'),
  performanceDensity: z
    .number()
    .nonnegative()
    .max(1e4)
    .nullable()
    .describe(
      'TPP / applicable die area of the chip; null if unknown (then only TPP >= 4800 or < 1600 can be classified)',
    ),
  datacenter: z.boolean().describe('Designed or marketed for data centres (Note 2 to 3A090)'),
  chipsPerUnit: z.number().int().min(1).max(100_000).optional().describe('For a SYSTEM: chips in one unit'),
  memoryBandwidthGBs: z.number().positive().max(1e6).nullable().optional(),
};

const CustomLineSchema = z
  .strictObject({ ...CustomItemFields, quantity: QuantitySchema })
  .meta({ id: 'CustomLine', description: 'An item described by its figures instead of a catalogue id' });

const LineSchema = z.union([CatalogueLineSchema, CustomLineSchema]);

export const IsoDateSchema = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date as YYYY-MM-DD')
  .refine(isIsoDate, 'is not a real calendar date')
  .refine((d) => d >= '2000-01-01' && d <= '2100-12-31', 'must be between 2000-01-01 and 2100-12-31');

/** Who, where, when and under which pack: the fields a check and a plan share. */
export const OrderContextFields = {
  endUser: z.strictObject({
    name: z.string().trim().min(1).max(200),
    headquarters: CountryCodeSchema.describe('Where the end user or its ultimate parent is headquartered'),
    verifiedEndUser: z.enum(VERIFIED_END_USER_KINDS).nullable().default(null).describe('UVEU, NVEU or null'),
  }),
  consignee: z
    .string()
    .trim()
    .min(1)
    .max(200)
    .optional()
    .describe('Ultimate consignee; defaults to endUser.name'),
  shipDate: IsoDateSchema.optional().describe('Defaults to today (UTC)'),
  ruleset: z.string().min(1).max(64).optional().describe('Rule pack id; defaults to the configured default'),
};

export const ShipmentRequestSchema = z
  .strictObject({
    destination: CountryCodeSchema.describe('Where the items go: ISO 3166-1 alpha-2, case-insensitive'),
    items: z
      .array(LineSchema)
      .min(1, 'an order needs at least one item')
      .max(MAX_ITEMS, `at most ${MAX_ITEMS} items per order`),
    ...OrderContextFields,
  })
  .meta({
    id: 'ShipmentRequest',
    description: 'A proposed shipment: where it goes, what is in it and who will use it',
    ...openApiExamples(SHIPMENT_REQUEST_EXAMPLES),
  });

const PoolViewFields = {
  applies: z.boolean().describe('Whether this shipment draws on the pool'),
  capTpp: TppSchema,
  usedTpp: TppSchema,
  remainingTpp: TppSchema,
  thisShipmentTpp: TppSchema,
  remainingAfterTpp: TppSchema,
};

export const DecisionSchema = z
  .object({
    checkId: z.string().describe('Id of this decision; its audit event has it as target'),
    allowed: z.boolean().describe('May ship now without a new licence'),
    licenseRequired: z.boolean(),
    authorization: z
      .enum(AUTHORIZATIONS)
      .nullable()
      .describe('AIA, LPP, VEU, NLR (no licence required) or null'),
    reviewPolicy: z.enum(REVIEW_POLICIES).nullable().describe('null when no licence is needed'),
    destination: z.object({ code: z.string(), name: z.string(), tier: TierSchema }),
    items: z.array(
      z.object({
        productId: z.string().optional(),
        description: z.string().optional(),
        quantity: z.number().int(),
        eccn: EccnSchema,
        tppPerUnit: TppSchema,
        tpp: TppSchema,
      }),
    ),
    totalTpp: TppSchema,
    h100Equivalents: z.number().describe('totalTpp / 15,832'),
    quota: z.object({
      countryAllocation: z
        .object(PoolViewFields)
        .nullable()
        .describe('null when the destination has no allocation'),
      lpp: z
        .object({ year: z.number().int(), ...PoolViewFields })
        .nullable()
        .describe("The consignee's License Exception LPP budget for the ship date's calendar year"),
    }),
    reasons: z.array(
      z.object({
        code: z.enum(REASON_CODES as [string, ...string[]]),
        message: z.string(),
        citation: z.string(),
      }),
    ),
    ruleset: z.object({
      id: z.string(),
      name: z.string(),
      citation: z.string(),
      status: z.enum(LEGAL_STATUSES),
      inForceOnShipDate: z.boolean().describe('false: a planning answer, not the law on the ship date'),
    }),
    warnings: z.array(z.string()),
  })
  .meta({
    id: 'Decision',
    description: 'The decision, with coded reasons citing the rule behind each',
    ...openApiExamples(DECISION_EXAMPLES),
  });
