import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { OrganisationRecord } from '../../../repositories/organisation-repository.ts';
import { createOrganisation, getOrganisations } from '../../../services/organisations.ts';
import { serviceContext } from '../../plugins/service-context.ts';
import { CountryCodeSchema, problems } from '../../schemas/common.ts';
import { openApiExamples } from '../../schemas/examples.ts';

const EXAMPLE = {
  id: '5b0c7e1f-2d3a-4e5f-8a9b-0c1d2e3f4a5b',
  name: 'Example Semiconductors Inc.',
  country: 'US',
  createdAt: '2025-06-01T09:00:00.000Z',
};

export const OrganisationSchema = z
  .object({
    id: z.string().uuid(),
    name: z.string(),
    country: z.string().describe('Where the exporter is established (ISO 3166-1 alpha-2)'),
    createdAt: z.string().datetime(),
  })
  .meta({
    id: 'Organisation',
    description: 'An exporter: its keys, shipments, checks and licences belong to it',
    ...openApiExamples({ exporter: { summary: 'An exporter', value: EXAMPLE } }),
  });

const CreateOrganisationSchema = z
  .strictObject({
    name: z
      .string()
      .trim()
      .min(1)
      .max(200)
      .regex(/^[^\p{Cc}]*$/u, 'must not contain control characters'),
    country: CountryCodeSchema,
  })
  .meta({
    id: 'CreateOrganisationRequest',
    ...openApiExamples({
      exporter: { summary: 'An exporter', value: { name: EXAMPLE.name, country: 'US' } },
    }),
  });

const OrganisationListSchema = z.object({ data: z.array(OrganisationSchema) }).meta({
  id: 'OrganisationList',
  ...openApiExamples({ one: { summary: 'One exporter', value: { data: [EXAMPLE] } } }),
});

function toWire(record: OrganisationRecord): z.infer<typeof OrganisationSchema> {
  return {
    id: record.id,
    name: record.name,
    country: record.country,
    createdAt: record.createdAt.toISOString(),
  };
}

export const organisationRoutes: FastifyPluginAsyncZod = async (app) => {
  app.post(
    '/v1/organisations',
    {
      config: { access: 'manageOrganisations' },
      schema: {
        operationId: 'createOrganisation',
        tags: ['Organisations'],
        summary: 'Record an exporter (officer)',
        description:
          'Vendor and procurement keys are then issued for it (POST /v1/api-keys with organisationId). Audited.',
        security: [{ bearerAuth: [] }],
        body: CreateOrganisationSchema,
        response: { 201: OrganisationSchema, ...problems(400, 401, 403, 413, 415, 429) },
      },
    },
    async (request, reply) => {
      const record = await createOrganisation(serviceContext(request), request.body);
      return reply.code(201).send(toWire(record));
    },
  );

  app.get(
    '/v1/organisations',
    {
      config: { access: 'readOrganisations' },
      schema: {
        operationId: 'listOrganisations',
        tags: ['Organisations'],
        summary: 'List exporters (officer, auditor)',
        description: 'Every organisation, oldest first, with the id its keys are issued for.',
        security: [{ bearerAuth: [] }],
        response: { 200: OrganisationListSchema, ...problems(400, 401, 403, 429) },
      },
    },
    async (request) => ({ data: (await getOrganisations(serviceContext(request))).map(toWire) }),
  );
};
