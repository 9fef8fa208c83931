import { z } from 'zod';
import { CHIP_ECCNS, SYSTEM_ECCNS, TIERS } from '../../domain/types.ts';
import { ERROR_CATALOGUE, type ErrorCode } from '../../errors.ts';
import { didYouMeanCountry } from '../../reference/country-suggestions.ts';
import { openApiExamples } from './examples.ts';

export const ErrorCodeSchema = z.enum(Object.keys(ERROR_CATALOGUE) as [ErrorCode, ...ErrorCode[]]);

export const FieldErrorSchema = z
  .object({
    path: z.string().describe('Where the problem is, e.g. body.items[0].quantity'),
    message: z.string(),
  })
  .meta({ id: 'FieldError' });

export const ProblemSchema = z
  .object({
    type: z.string().describe('URI reference identifying the problem type'),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    code: ErrorCodeSchema.describe('Stable machine-readable error code'),
    requestId: z.string().describe('Quote this when reporting a problem; it is in the server logs too'),
    instance: z.string().optional(),
    errors: z
      .array(FieldErrorSchema)
      .optional()
      .describe('Present on validation errors: one entry per bad field'),
  })
  .meta({
    id: 'Problem',
    description: 'RFC 9457 problem details (application/problem+json)',
  });

function problem(description: string) {
  return { description, content: { 'application/problem+json': { schema: ProblemSchema } } };
}

/** The error responses a route can return, for the OpenAPI document. Errors are rendered by the error handler. */
export const problemResponses = {
  400: problem('Invalid request: see errors[] for each bad field'),
  401: problem('Missing, unknown or revoked API key'),
  403: problem('The key\u2019s role may not call this operation'),
  404: problem('Not found'),
  409: problem('Conflict with the current state'),
  413: problem('Body too large'),
  415: problem('Unsupported media type'),
  429: problem('Rate limit exceeded, or too much work in flight for this key; see Retry-After'),
  500: problem('Unexpected error (a bug); quote requestId'),
  503: problem('The database is unavailable, or the service is at its admission budget; see Retry-After'),
} as const;

export type ProblemStatus = keyof typeof problemResponses;

/** Every route may answer 500 (a bug) and 503 (the database is unreachable), so both are always listed. */
export function problems<S extends ProblemStatus>(
  ...statuses: S[]
): Pick<typeof problemResponses, S | 500 | 503> {
  const out: Partial<Record<ProblemStatus, (typeof problemResponses)[ProblemStatus]>> = {
    500: problemResponses[500],
    503: problemResponses[503],
  };
  for (const status of statuses) out[status] = problemResponses[status];
  return out as Pick<typeof problemResponses, S | 500 | 503>;
}

export const CountryCodeSchema = z
  .string()
  .regex(/^[A-Za-z]{2}$/, {
    error: (issue) =>
      `must be an ISO 3166-1 alpha-2 code such as AE.${typeof issue.input === 'string' ? didYouMeanCountry(issue.input) : ''}`,
  })
  .transform((code) => code.toUpperCase())
  .describe('ISO 3166-1 alpha-2 code, case-insensitive')
  .meta(openApiExamples({ uae: { summary: 'United Arab Emirates (Tier 2)', value: 'AE' } }));

export const TierSchema = z.enum(TIERS).meta({
  id: 'Tier',
  description:
    'AI Diffusion tier (90 FR 4544): TIER_1 License Exception AIA destinations; TIER_2 capped by a country ' +
    'allocation; TIER_3 Country Group D:5 and Macau, presumption of denial',
  ...openApiExamples({ tier2: { summary: 'Tier 2: the capped destinations', value: 'TIER_2' } }),
});

export const EccnSchema = z
  .enum([...CHIP_ECCNS, ...SYSTEM_ECCNS])
  .describe('OUTSIDE_* means outside 3A090/4A090, not "cleared": other EAR controls may still apply')
  .meta({ id: 'Eccn' });

export const TppSchema = z
  .number()
  .describe('Total processing performance, TPP units (15 CFR 772.1; 3A090 note)');

export const SlugIdSchema = z
  .string()
  .min(2)
  .max(64)
  .regex(/^[a-z0-9][a-z0-9-]*[a-z0-9]$/, 'lower-case letters, digits and hyphens');
