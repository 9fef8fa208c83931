import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { jsonSchemaTransform, jsonSchemaTransformObject } from 'fastify-type-provider-zod';
import type { NamedExamples } from '../schemas/examples.ts';
import { finishOpenApiDocument } from './openapi-document.ts';

declare module 'fastify' {
  interface FastifySchema {
    /**
     * Response examples for this operation only, by status. Without it a response shows its schema's own
     * examples; this is for when one shared schema answers differently here (e.g. the product just created).
     */
    'x-response-examples'?: Record<number, NamedExamples>;
    /** A text/csv form of the request body, besides JSON: its description and an example. */
    'x-csv-request'?: { description: string; example: string };
  }
}

export const OPENAPI_INFO = {
  title: 'GPU Export Compliance API',
  version: '1.0.0',
  description: [
    'Checks proposed AI-chip shipments against US export controls, reserves Tier 2 quota atomically and keeps a',
    'tamper-evident audit trail.',
    '',
    '**Legal status.** The default rule pack, `ai-diffusion-2025`, is the Framework for Artificial Intelligence',
    'Diffusion (90 FR 4544, January 2025). Its rescission was announced and enforcement stopped on 2025-05-13, before',
    'its compliance date: every answer under it is a planning answer, labelled `inForceOnShipDate: false`, never the',
    'law of the day.',
    '',
    'Authenticate with `Authorization: Bearer <api key>` (the Authorize button). Errors are RFC 9457',
    '`application/problem+json`.',
  ].join('\n'),
};

async function swaggerPlugin(app: FastifyInstance): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: OPENAPI_INFO,
      servers: [],
      tags: [
        { name: 'Checks', description: 'Evaluate a proposed shipment; changes no quota' },
        { name: 'Shipments', description: 'Commit a shipment: reserve, ship or cancel quota' },
        { name: 'Quotas', description: 'Allocation balances' },
        { name: 'Reference data', description: 'Countries, tiers, products and rule packs' },
        { name: 'Screening', description: 'Restricted-party lists: import, and screen a name' },
        { name: 'Audit', description: 'The hash-chained audit trail' },
        { name: 'API keys', description: 'Issue and revoke keys' },
        {
          name: 'Organisations',
          description: 'Exporters: the owners of keys, shipments, checks and licences',
        },
        { name: 'Parties', description: 'Consignees and end users, one record per identity' },
        { name: 'Licences', description: 'BIS licences and their TPP in the quota ledger' },
        { name: 'Operations', description: 'Liveness and readiness' },
      ],
      components: {
        securitySchemes: {
          bearerAuth: { type: 'http', scheme: 'bearer', description: 'An API key issued by an officer' },
        },
      },
    },
    transform: jsonSchemaTransform,
    transformObject: (document) => finishOpenApiDocument(jsonSchemaTransformObject(document)),
  });

  // Served from the installed package: this service runs in closed networks, so no CDN. Authorization is not
  // persisted: Swagger UI would keep bearer keys (officer keys included) in localStorage, readable by any script
  // on this origin and left behind on shared machines.
  await app.register(swaggerUi, {
    routePrefix: '/docs',
    uiConfig: { persistAuthorization: false, tryItOutEnabled: true, displayOperationId: true },
    theme: { title: `${OPENAPI_INFO.title}: Swagger UI` },
  });

  app.get('/openapi.json', { config: { access: 'public' }, schema: { hide: true } }, async () =>
    app.swagger(),
  );
}

export const swaggerDocs = fp(swaggerPlugin, { name: 'swagger', dependencies: ['auth'] });
