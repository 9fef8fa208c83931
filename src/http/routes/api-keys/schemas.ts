import { z } from 'zod';
import { ROLES } from '../../../domain/actor.ts';
import { openApiExamples } from '../../schemas/examples.ts';

const EXAMPLE_KEY = {
  id: '3f2c1a9e-8b7d-4c6e-9f10-2a3b4c5d6e7f',
  name: 'ERP integration (EMEA)',
  role: 'vendor' as const,
  prefix: 'gec_Q3vX9k',
  createdAt: '2025-06-01T09:30:00.000Z',
  organisationId: '5b0c7e1f-2d3a-4e5f-8a9b-0c1d2e3f4a5b',
  expiresAt: null,
};

export const RoleSchema = z.enum(ROLES).meta({
  id: 'Role',
  description:
    'vendor: checks and reference data; procurement: vendor + shipments; officer: everything; auditor: read everything',
});

export const CreateApiKeyBodySchema = z
  .strictObject({
    role: RoleSchema,
    name: z
      .string()
      .trim()
      .min(1)
      .max(100)
      .regex(/^[^\p{Cc}]*$/u, 'must not contain control characters')
      .describe('Who or what holds the key, e.g. "ERP integration (EMEA)"'),
    organisationId: z
      .string()
      .uuid('must be an organisation id (UUID)')
      .optional()
      .describe(
        'Required for vendor and procurement keys (they act for one exporter); absent for officer and auditor keys',
      ),
    expiresAt: z.iso
      .datetime({ offset: true })
      .optional()
      .describe('When the key stops working (ISO date-time); an expired key is 401. Absent: no expiry'),
  })
  .meta({
    id: 'CreateApiKeyRequest',
    examples: [
      { role: 'vendor', name: 'ERP integration (EMEA)', organisationId: EXAMPLE_KEY.organisationId },
      { role: 'auditor', name: 'Audit firm', expiresAt: '2026-12-31T23:59:59Z' },
    ],
  });

const ApiKeyFields = {
  id: z.string().uuid(),
  name: z.string(),
  role: RoleSchema,
  prefix: z
    .string()
    .describe('The first characters of the key, to recognise it; the rest is never shown again'),
  createdAt: z.string().datetime(),
  organisationId: z.string().uuid().nullable().describe('null for deployment-wide officer and auditor keys'),
  expiresAt: z.string().datetime().nullable(),
};

export const ApiKeySchema = z.object({ ...ApiKeyFields, revokedAt: z.string().datetime().nullable() }).meta({
  id: 'ApiKey',
  description: 'An API key without its secret',
  ...openApiExamples({
    revoked: {
      summary: 'A revoked key',
      value: { ...EXAMPLE_KEY, revokedAt: '2025-07-01T16:00:00.000Z' },
    },
  }),
});

export const CreatedApiKeySchema = z
  .object({
    ...ApiKeyFields,
    key: z.string().describe('The secret: shown in this answer only, store it now'),
  })
  .meta({
    id: 'CreatedApiKey',
    ...openApiExamples({
      vendor: {
        summary: 'A new vendor key: store "key" now, it is never shown again',
        value: { ...EXAMPLE_KEY, key: 'gec_Q3vX9kLr2m8TnWc4yZp7bHd1sFa6eJu0oKiVxNgR5tY' },
      },
    }),
  });

export const ApiKeyListSchema = z.object({ data: z.array(ApiKeySchema) }).meta({
  id: 'ApiKeyList',
  ...openApiExamples({
    two: {
      summary: 'One active key, one revoked',
      value: {
        data: [
          { ...EXAMPLE_KEY, revokedAt: null },
          {
            ...EXAMPLE_KEY,
            id: '9d8e7f60-5a4b-4c3d-8e2f-1a0b9c8d7e6f',
            name: 'Audit firm',
            role: 'auditor',
            prefix: 'gec_L0pW2c',
            organisationId: null,
            revokedAt: '2025-07-01T16:00:00.000Z',
          },
        ],
      },
    },
  }),
});

export const ApiKeyIdParamsSchema = z.strictObject({
  id: z
    .string()
    .uuid('must be an API key id (UUID)')
    .meta(openApiExamples({ key: { summary: 'An API key id', value: EXAMPLE_KEY.id } })),
});
