import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { z } from 'zod';
import type { ApiKeyRecord } from '../../../repositories/api-key-repository.ts';
import { createApiKey, getApiKeys, revokeApiKey } from '../../../services/api-keys.ts';
import { serviceContext } from '../../plugins/service-context.ts';
import { problems } from '../../schemas/common.ts';
import {
  ApiKeyIdParamsSchema,
  ApiKeyListSchema,
  ApiKeySchema,
  CreateApiKeyBodySchema,
  CreatedApiKeySchema,
} from './schemas.ts';

function apiKeyToWire(record: ApiKeyRecord): z.infer<typeof ApiKeySchema> {
  return {
    id: record.id,
    name: record.name,
    role: record.role,
    prefix: record.prefix,
    createdAt: record.createdAt.toISOString(),
    revokedAt: record.revokedAt?.toISOString() ?? null,
    organisationId: record.organisationId,
    expiresAt: record.expiresAt?.toISOString() ?? null,
  };
}

export const apiKeyRoutes: FastifyPluginAsyncZod = async (app) => {
  app.post(
    '/v1/api-keys',
    {
      config: { access: 'manageKeys' },
      schema: {
        operationId: 'createApiKey',
        tags: ['API keys'],
        summary: 'Issue an API key (officer)',
        description:
          'Returns the key once: only its sha256 hash is stored, so a lost key cannot be shown again, only revoked ' +
          'and replaced. Audited.',
        security: [{ bearerAuth: [] }],
        body: CreateApiKeyBodySchema,
        response: { 201: CreatedApiKeySchema, ...problems(400, 401, 403, 404, 413, 415, 429) },
      },
    },
    async (request, reply) => {
      const { expiresAt, ...rest } = request.body;
      const created = await createApiKey(serviceContext(request), {
        ...rest,
        ...(expiresAt !== undefined ? { expiresAt: new Date(expiresAt) } : {}),
      });
      return reply.code(201).send({
        id: created.id,
        key: created.key,
        role: created.role,
        name: created.name,
        prefix: created.prefix,
        createdAt: created.createdAt.toISOString(),
        organisationId: created.organisationId,
        expiresAt: created.expiresAt?.toISOString() ?? null,
      });
    },
  );

  app.get(
    '/v1/api-keys',
    {
      config: { access: 'readKeys' },
      schema: {
        operationId: 'listApiKeys',
        tags: ['API keys'],
        summary: 'List API keys, revoked ones included',
        description: 'Names, roles, prefixes and dates. Never the secret, never its hash.',
        security: [{ bearerAuth: [] }],
        response: { 200: ApiKeyListSchema, ...problems(400, 401, 403, 429) },
      },
    },
    async (request) => ({ data: (await getApiKeys(serviceContext(request))).map(apiKeyToWire) }),
  );

  app.delete(
    '/v1/api-keys/:id',
    {
      config: { access: 'manageKeys' },
      schema: {
        operationId: 'revokeApiKey',
        tags: ['API keys'],
        summary: 'Revoke an API key (officer)',
        description:
          'The key stops working at once on this instance and within 2 seconds on the others. Revoking a revoked key ' +
          'answers the same and changes nothing. Audited.',
        security: [{ bearerAuth: [] }],
        params: ApiKeyIdParamsSchema,
        response: { 200: ApiKeySchema, ...problems(400, 401, 403, 404, 429) },
      },
    },
    async (request) => apiKeyToWire(await revokeApiKey(serviceContext(request), request.params.id)),
  );
};
