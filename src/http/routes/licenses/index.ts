import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { LICENSE_STATUSES } from '../../../domain/license-coverage.ts';
import { getLicense, getLicenses } from '../../../services/license-view.ts';
import { recordLicense } from '../../../services/record-license.ts';
import { revokeLicense } from '../../../services/revoke-license.ts';
import { serviceContext } from '../../plugins/service-context.ts';
import { CountryCodeSchema, problems, TppSchema } from '../../schemas/common.ts';
import { openApiExamples } from '../../schemas/examples.ts';
import { IsoDateSchema } from '../../schemas/shipment-request.ts';
import { EccnSchema } from '../../schemas/common.ts';

/** BIS licence numbers: one letter and six or seven digits (e.g. D123456). */
const LICENSE_NUMBER = /^[A-Z][0-9]{6,7}$/;

const EXAMPLE = {
  id: '0d6c5b4a-3f2e-4d1c-9b8a-7f6e5d4c3b2a',
  number: 'D123456',
  organisationId: '5b0c7e1f-2d3a-4e5f-8a9b-0c1d2e3f4a5b',
  destination: 'AE',
  consigneeId: '8f14e45f-ceea-467f-a0e6-9b7c1d2e3f40',
  eccns: ['3A090.a'],
  tppAuthorized: 50_000_000,
  tppUsed: 31_664_000,
  tppHeld: 0,
  tppRemaining: 18_336_000,
  status: 'ACTIVE' as const,
  validFrom: '2025-05-01',
  validUntil: '2026-04-30',
  conditions: null,
  revokedAt: null,
  revokeReason: null,
  createdAt: '2025-05-02T10:00:00.000Z',
};

export const LicenseSchema = z
  .object({
    id: z.string().uuid(),
    number: z.string().describe('The BIS licence number'),
    organisationId: z.string().uuid().describe('The exporter the licence was issued to'),
    destination: z.string(),
    consigneeId: z.string().uuid(),
    eccns: z.array(z.string()),
    tppAuthorized: TppSchema,
    tppUsed: TppSchema.describe('Consumed by shipments that shipped under it'),
    tppHeld: TppSchema.describe('Held by attached shipments not yet shipped'),
    tppRemaining: TppSchema,
    status: z
      .enum(LICENSE_STATUSES)
      .describe('REVOKED, else EXPIRED after validUntil, else EXHAUSTED at 0 remaining'),
    validFrom: z.string(),
    validUntil: z.string(),
    conditions: z.string().nullable(),
    revokedAt: z.string().datetime().nullable(),
    revokeReason: z.string().nullable(),
    createdAt: z.string().datetime(),
  })
  .meta({
    id: 'License',
    description: "A BIS licence; its TPP lives in the quota ledger like a country's allocation",
    ...openApiExamples({ used: { summary: 'A licence one shipment used', value: EXAMPLE } }),
  });

const RecordLicenseSchema = z
  .strictObject({
    number: z
      .string()
      .trim()
      .transform((n) => n.toUpperCase())
      .pipe(
        z
          .string()
          .regex(LICENSE_NUMBER, 'must be a BIS licence number: a letter and 6 or 7 digits, e.g. D123456'),
      ),
    organisationId: z.string().uuid('must be an organisation id (UUID)'),
    destination: CountryCodeSchema,
    consigneeId: z.string().uuid('must be a party id (UUID)').optional(),
    consignee: z
      .string()
      .trim()
      .min(1)
      .max(200)
      .optional()
      .describe('The consignee by name, instead of consigneeId'),
    eccns: z.array(EccnSchema).min(1).max(6),
    tppAuthorized: z.number().positive().max(1e12),
    validFrom: IsoDateSchema,
    validUntil: IsoDateSchema,
    conditions: z.string().trim().min(1).max(2000).optional(),
  })
  .meta({
    id: 'RecordLicenseRequest',
    ...openApiExamples({
      uae: {
        summary: 'A licence for H100s to a UAE consignee',
        value: {
          number: 'D123456',
          organisationId: EXAMPLE.organisationId,
          destination: 'AE',
          consignee: 'Example Cloud LLC',
          eccns: ['3A090.a'],
          tppAuthorized: 50_000_000,
          validFrom: '2025-05-01',
          validUntil: '2026-04-30',
        },
      },
    }),
  });

const IdParams = z.strictObject({
  id: z
    .string()
    .uuid('must be a licence id (UUID)')
    .meta(openApiExamples({ license: { summary: 'A licence id', value: EXAMPLE.id } })),
});

export const licenseRoutes: FastifyPluginAsyncZod = async (app) => {
  app.post(
    '/v1/licenses',
    {
      config: { access: 'manageLicenses' },
      schema: {
        operationId: 'recordLicense',
        tags: ['Licences'],
        summary: 'Record a BIS licence (officer)',
        description:
          'Opens a LICENSE pool in the quota ledger capped at tppAuthorized. The consignee is a party id or a name ' +
          '(resolved by identity in the destination). Audited.',
        security: [{ bearerAuth: [] }],
        body: RecordLicenseSchema,
        response: { 201: LicenseSchema, ...problems(400, 401, 403, 404, 409, 413, 415, 429) },
      },
    },
    async (request, reply) => {
      const view = await recordLicense(serviceContext(request), request.body);
      reply.header('location', `/v1/licenses/${view.id}`);
      return reply.code(201).send(view);
    },
  );

  app.get(
    '/v1/licenses',
    {
      config: { access: 'readLicenses' },
      schema: {
        operationId: 'listLicenses',
        tags: ['Licences'],
        summary: "Licences, newest first: the caller's organisation's (all for officers and auditors)",
        description:
          'Each with its TPP authorised, used (shipped), held (attached, unshipped) and remaining, and its status.',
        security: [{ bearerAuth: [] }],
        querystring: z.strictObject({ limit: z.coerce.number().int().min(1).max(500).default(100) }),
        response: {
          200: z.object({ data: z.array(LicenseSchema) }).meta({
            id: 'LicenseList',
            ...openApiExamples({ one: { summary: 'One licence', value: { data: [EXAMPLE] } } }),
          }),
          ...problems(400, 401, 403, 429),
        },
      },
    },
    async (request) => ({ data: await getLicenses(serviceContext(request), request.query) }),
  );

  app.get(
    '/v1/licenses/:id',
    {
      config: { access: 'readLicenses' },
      schema: {
        operationId: 'getLicense',
        tags: ['Licences'],
        summary: 'A licence with its TPP used, held and remaining',
        description: "Another organisation's licence is 404 to a procurement key.",
        security: [{ bearerAuth: [] }],
        params: IdParams,
        response: { 200: LicenseSchema, ...problems(400, 401, 403, 404, 429) },
      },
    },
    async (request) => getLicense(serviceContext(request), { id: request.params.id }),
  );

  app.post(
    '/v1/licenses/:id/revoke',
    {
      config: { access: 'manageLicenses' },
      schema: {
        operationId: 'revokeLicense',
        tags: ['Licences'],
        summary: 'Revoke a licence (officer)',
        description:
          'No new attachments; attached shipments not yet shipped go back to PENDING_LICENSE and their TPP on the ' +
          'licence is released. Idempotent. Audited.',
        security: [{ bearerAuth: [] }],
        params: IdParams,
        body: z
          .strictObject({
            reason: z
              .string()
              .trim()
              .min(1)
              .max(500)
              .regex(/^[^\p{Cc}]*$/u, 'must not contain control characters'),
          })
          .meta({
            id: 'RevokeLicenseRequest',
            examples: [{ reason: 'BIS revoked the licence on 2025-07-01' }],
          }),
        response: { 200: LicenseSchema, ...problems(400, 401, 403, 404, 413, 415, 429) },
      },
    },
    async (request) =>
      revokeLicense(serviceContext(request), { id: request.params.id, reason: request.body.reason }),
  );
};
