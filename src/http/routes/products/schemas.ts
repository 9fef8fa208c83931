import { z } from 'zod';
import { EccnSchema, SlugIdSchema, TppSchema } from '../../schemas/common.ts';
import {
  CREATE_PRODUCT_EXAMPLES,
  openApiExamples,
  PRODUCT_EXAMPLES,
  PRODUCT_LIST_EXAMPLES,
} from '../../schemas/examples.ts';

export const PeakSchema = z
  .strictObject({
    precision: z.string().min(1).max(32).describe('e.g. fp8, int8, bf16'),
    tops: z.number().positive().max(1e7).describe('Dense (non-sparse) peak, TOPS or TFLOPS'),
    bitLength: z.number().int().min(1).max(128).describe('Bit length of the operation'),
  })
  .meta({ id: 'Peak' });

export const ProductSchema = z
  .object({
    id: z.string(),
    vendor: z.string(),
    name: z.string(),
    kind: z.enum(['CHIP', 'SYSTEM']),
    datacenter: z.boolean().describe('Designed or marketed for data centres (Note 2 to 3A090)'),
    peaks: z.array(PeakSchema),
    dieAreaMm2: z.number().nullable(),
    memoryBandwidthGBs: z.number().nullable(),
    componentId: z.string().nullable(),
    componentCount: z.number().int().nullable(),
    tpp: TppSchema.describe(
      'Computed: max over precisions of dense TOPS x bit length (x component count for a system)',
    ),
    performanceDensity: z
      .number()
      .nullable()
      .describe('Computed: TPP / applicable die area; null when the die area is not published'),
    eccn: EccnSchema,
    h100Equivalents: z.number().describe('tpp / 15,832'),
    source: z.string(),
    confidence: z.string(),
  })
  .meta({
    id: 'Product',
    description: 'A catalogue product with the TPP, performance density and ECCN computed from its datasheet',
    ...openApiExamples(PRODUCT_EXAMPLES),
  });

export const ProductListSchema = z.object({ data: z.array(ProductSchema) }).meta({
  id: 'ProductList',
  description: 'The catalogue, by id',
  ...openApiExamples(PRODUCT_LIST_EXAMPLES),
});

export const CreateProductBodySchema = z
  .strictObject({
    id: SlugIdSchema.describe('Stable id, e.g. nvidia-h100-sxm'),
    vendor: z.string().min(1).max(100),
    name: z.string().min(1).max(200),
    kind: z.enum(['CHIP', 'SYSTEM']).default('CHIP'),
    datacenter: z.boolean(),
    peaks: z.array(PeakSchema).max(32).default([]),
    dieAreaMm2: z.number().positive().max(100_000).nullable().default(null),
    memoryBandwidthGBs: z.number().positive().max(1e6).nullable().default(null),
    componentId: SlugIdSchema.optional().describe('For a system: the catalogue id of the chip it contains'),
    componentCount: z.number().int().min(1).max(100_000).optional(),
    source: z.string().min(1).max(2000).describe('Where the figures come from'),
    confidence: z.string().min(1).max(500).default('officer-entered'),
  })
  .superRefine((body, ctx) => {
    if (body.kind === 'CHIP' && body.peaks.length === 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['peaks'],
        message: 'a chip needs at least one dense peak figure',
      });
    }
    if (body.kind === 'SYSTEM' && (body.componentId === undefined || body.componentCount === undefined)) {
      ctx.addIssue({
        code: 'custom',
        path: ['componentId'],
        message: 'a system needs componentId and componentCount',
      });
    }
    if (body.kind === 'CHIP' && (body.componentId !== undefined || body.componentCount !== undefined)) {
      ctx.addIssue({ code: 'custom', path: ['componentId'], message: 'only a system has a component' });
    }
  })
  .meta({
    id: 'CreateProduct',
    description: 'Datasheet inputs of a new product; TPP, density and ECCN are computed from them',
    ...openApiExamples(CREATE_PRODUCT_EXAMPLES),
  });
