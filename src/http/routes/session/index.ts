import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ROLES } from '../../access.ts';
import { AppError } from '../../../errors.ts';
import { problems } from '../../schemas/common.ts';
import { openApiExamples } from '../../schemas/examples.ts';

const SessionSchema = z
  .object({
    keyId: z.string().describe('Id of the API key that made this request'),
    name: z.string().describe('The label the key was issued with'),
    role: z.enum(ROLES).describe('What the key may do: vendor, procurement, officer or auditor'),
    organisationId: z
      .string()
      .nullable()
      .describe('The exporter a vendor or procurement key acts for; null for officer and auditor keys'),
  })
  .meta({
    id: 'Session',
    description: 'The API key presenting this request',
    ...openApiExamples({
      officer: {
        summary: 'An officer key',
        value: {
          keyId: '3f2c1a9e-8b7d-4c6e-9f10-2a3b4c5d6e7f',
          name: 'Compliance desk',
          role: 'officer',
          organisationId: null,
        },
      },
    }),
  });

/** Lets a client (the console) sign in: it learns whether a key is valid and which role it has, and nothing else. */
export const sessionRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/v1/session',
    {
      config: { access: 'readReference' },
      schema: {
        operationId: 'getSession',
        tags: ['API keys'],
        summary: 'Who am I: the calling key, its name and role',
        description:
          'Answers for any valid key (401 otherwise). Never returns the secret or its hash. The console calls it to ' +
          'sign in and to show only what the role may use.',
        security: [{ bearerAuth: [] }],
        response: { 200: SessionSchema, ...problems(400, 401, 403, 429) },
      },
    },
    async (request) => {
      const actor = request.actor;
      // The access hook has authenticated every role this route allows, so an actor is always there.
      if (actor === null)
        throw new AppError('UNAUTHENTICATED', 'Send an API key as "Authorization: Bearer <key>".');
      return { keyId: actor.keyId, name: actor.name, role: actor.role, organisationId: actor.organisationId };
    },
  );
};
