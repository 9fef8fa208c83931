import { z } from 'zod';
import { isIsoDate } from '../../domain/dates.ts';
import {
  AUTHORIZATIONS,
  LEGAL_STATUSES,
  OUTCOMES,
  REVIEW_POLICIES,
  RULESET_SELECTIONS,
  TRANSACTIONS,
  VERIFIED_END_USER_KINDS,
} from '../../domain/types.ts';
import { REASON_CODES } from '../../domain/reasons.ts';
import { CountryCodeSchema, EccnSchema, TierSchema, TppSchema } from './common.ts';
import { ScreeningResultSchema } from './screening.ts';
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
    name: z.string().trim().min(1).max(200).optional().describe('The end user by name; or give partyId'),
    partyId: z
      .string()
      .uuid('must be a party id (UUID)')
      .optional()
      .describe('The end user as a recorded party (GET /v1/parties), instead of its name'),
    headquarters: CountryCodeSchema.describe('Where the end user or its ultimate parent is headquartered'),
    verifiedEndUser: z.enum(VERIFIED_END_USER_KINDS).nullable().default(null).describe('UVEU, NVEU or null'),
  }),
  consignee: z
    .string()
    .trim()
    .min(1)
    .max(200)
    .optional()
    .describe(
      'Ultimate consignee by name; defaults to endUser.name. Resolves to a party by identity: every spelling ' +
        'of one name shares one LPP budget',
    ),
  consigneeId: z
    .string()
    .uuid('must be a party id (UUID)')
    .optional()
    .describe('The ultimate consignee as a recorded party in the destination, instead of its name'),
  shipDate: IsoDateSchema.optional().describe('Defaults to today (UTC)'),
  ruleset: z
    .string()
    .min(1)
    .max(64)
    .optional()
    .describe(
      'Rule pack id, or "in-force" for the pack legally in force on the ship date; defaults to the configured default',
    ),
  // Optional rather than defaulted, so that the published request type does not make existing callers name it.
  transaction: z
    .enum(TRANSACTIONS)
    .optional()
    .describe(
      'EXPORT (from the United States, the default), REEXPORT (from one foreign country to another; give exportFrom) or TRANSFER (within the destination country)',
    ),
  exportFrom: CountryCodeSchema.optional().describe(
    'For a REEXPORT only: the country the items leave (ISO 3166-1 alpha-2)',
  ),
};

/** A reexport names the country it leaves, and only a reexport does (RULES.md section 6, scope of 91 FR 1684). */
export function refineTransaction(
  body: { destination: string; transaction?: string | undefined; exportFrom?: string | undefined },
  ctx: z.RefinementCtx,
): void {
  if (body.transaction === 'REEXPORT' && body.exportFrom === undefined) {
    ctx.addIssue({
      code: 'custom',
      path: ['exportFrom'],
      message: 'a REEXPORT needs the country it leaves',
    });
  }
  if (body.transaction !== 'REEXPORT' && body.exportFrom !== undefined) {
    const transaction = body.transaction ?? 'EXPORT';
    ctx.addIssue({
      code: 'custom',
      path: ['exportFrom'],
      message: `only a REEXPORT has a country of export (an ${transaction === 'EXPORT' ? 'EXPORT leaves the United States' : 'in-country TRANSFER stays in the destination'})`,
    });
  }
  if (body.transaction === 'REEXPORT' && body.exportFrom !== undefined) {
    if (body.exportFrom === body.destination) {
      ctx.addIssue({
        code: 'custom',
        path: ['exportFrom'],
        message: 'a reexport leaves one country for another: this is an in-country TRANSFER',
      });
    }
    if (body.exportFrom === 'US') {
      ctx.addIssue({
        code: 'custom',
        path: ['exportFrom'],
        message: 'items leaving the United States are an EXPORT, not a REEXPORT',
      });
    }
  }
}

/** The rule pack that decided, as a decision and a plan show it. */
export const DecisionRulesetSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    citation: z.string(),
    status: z.enum(LEGAL_STATUSES),
    inForceOnShipDate: z.boolean().describe('false: a planning answer, not the law on the ship date'),
    selectedBy: z
      .enum(RULESET_SELECTIONS)
      .describe(
        'REQUESTED (named in the body), IN_FORCE ("in-force" was asked) or DEFAULT (the configured default)',
      ),
  })
  .describe('The rule pack that decided, and whether it was the law on the ship date');

/** Where a decision sends the items, as the decision and a plan show it. */
export const DecisionDestinationSchema = z.object({
  code: z.string(),
  name: z.string(),
  tier: TierSchema.optional().describe(
    'Only under a pack with tiers (ai-diffusion-2025): the tier on the ship date. Absent under baseline-2023, which has no tiers',
  ),
  countryGroups: z
    .array(z.string())
    .describe('Country Groups (Supp. No. 1 to 15 CFR part 740) of the destination on the ship date'),
});

/** A party is named or referenced, never both. */
export function partyRules(
  body: {
    endUser: { name?: string | undefined; partyId?: string | undefined };
    consignee?: string | undefined;
    consigneeId?: string | undefined;
  },
  context: z.RefinementCtx,
): void {
  if ((body.endUser.name === undefined) === (body.endUser.partyId === undefined)) {
    context.addIssue({
      code: 'custom',
      path: ['endUser', 'name'],
      message: 'give exactly one of endUser.name and endUser.partyId',
    });
  }
  if (body.consignee !== undefined && body.consigneeId !== undefined) {
    context.addIssue({
      code: 'custom',
      path: ['consigneeId'],
      message: 'give consignee or consigneeId, not both',
    });
  }
}

const ShipmentRequestShape = z.strictObject({
  destination: CountryCodeSchema.describe('Where the items go: ISO 3166-1 alpha-2, case-insensitive'),
  items: z
    .array(LineSchema)
    .min(1, 'an order needs at least one item')
    .max(MAX_ITEMS, `at most ${MAX_ITEMS} items per order`),
  ...OrderContextFields,
});

export const ShipmentRequestSchema = ShipmentRequestShape.superRefine(partyRules)
  .superRefine(refineTransaction)
  .meta({
    id: 'ShipmentRequest',
    description: 'A proposed shipment: where it goes, what is in it and who will use it',
    ...openApiExamples(SHIPMENT_REQUEST_EXAMPLES),
  });

export const ShipmentCreateSchema = ShipmentRequestShape.extend({
  externalReference: z
    .string()
    .trim()
    .min(1)
    .max(100)
    .regex(/^[^\p{Cc}]*$/u, 'must not contain control characters')
    .optional()
    .describe("The buyer's order number: unique within the organisation, searchable with GET /v1/shipments"),
})
  .superRefine(partyRules)
  .superRefine(refineTransaction)
  .meta({
    id: 'ShipmentCreateRequest',
    description: "A proposed shipment to reserve: the check body plus the buyer's order number",
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
    outcome: z
      .enum(OUTCOMES)
      .describe(
        'The one word to act on: ALLOWED (may ship now), NOTIFICATION_REQUIRED (License Exception NAC: ship once BIS ' +
          'has been notified and has not objected), LICENSE_REQUIRED (see reviewPolicy) or REVIEW (a person must look ' +
          'first; never a clearance)',
      ),
    ruleset: DecisionRulesetSchema,
    warnings: z.array(z.string()),
    checkId: z.string().describe('Id of this decision; its audit event has it as target'),
    allowed: z
      .boolean()
      .describe('true only when outcome is ALLOWED: may ship now without a licence or notification'),
    licenseRequired: z.boolean(),
    authorization: z
      .enum(AUTHORIZATIONS)
      .nullable()
      .describe(
        'AIA, LPP, VEU, NLR (no licence required), NAC or ACA (License Exceptions of 15 CFR 740.8), or null',
      ),
    reviewPolicy: z.enum(REVIEW_POLICIES).nullable().describe('null when no licence is needed'),
    notification: z
      .object({
        exception: z.literal('NAC'),
        submitTo: z.string(),
        waitingDays: z.number().int().describe('Days BIS has to object'),
        notifyBy: z
          .string()
          .describe('The last day to notify for the waiting period to end by the ship date'),
        contents: z.array(z.string()).describe('What the notification must say'),
        citation: z.string(),
      })
      .nullable()
      .describe(
        'What License Exception NAC asks before the shipment may go; null when no notification is due',
      ),
    transaction: z.enum(TRANSACTIONS),
    exportFrom: z.string().nullable().describe('The country a REEXPORT leaves; null otherwise'),
    destination: DecisionDestinationSchema,
    consignee: z
      .object({
        id: z.string().uuid().nullable().describe('The party; null when no shipment has recorded it yet'),
        name: z.string().describe("The party's recorded spelling"),
      })
      .describe('The ultimate consignee, resolved to a party by identity'),
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
    screening: ScreeningResultSchema.nullable().describe(
      'The parties (consignee, end user) screened against the latest restricted-party list import',
    ),
  })
  .meta({
    id: 'Decision',
    description: 'The decision, with coded reasons citing the rule behind each',
    ...openApiExamples(DECISION_EXAMPLES),
  });
