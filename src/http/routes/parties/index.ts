import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { getParty, registerParty, searchParties, type PartyRecord } from '../../../services/parties.ts';
import { serviceContext } from '../../plugins/service-context.ts';
import { CountryCodeSchema, problems, TppSchema } from '../../schemas/common.ts';
import { openApiExamples } from '../../schemas/examples.ts';

const EXAMPLE = {
  id: '8f14e45f-ceea-467f-a0e6-9b7c1d2e3f40',
  name: 'Gulf AI, LLC',
  country: 'AE',
  address: null,
  createdAt: '2025-06-01T09:00:00.000Z',
};

const PartyFields = {
  id: z.string().uuid(),
  name: z
    .string()
    .describe('The first spelling recorded; any spelling with the same identity finds this party'),
  country: z.string(),
  address: z.string().nullable(),
  createdAt: z.string().datetime(),
};

export const PartySchema = z.object(PartyFields).meta({
  id: 'Party',
  description:
    'A consignee or end user. Identity: the name folded (NFKC, case, format characters, TR39 confusables, ' +
    'punctuation and spacing) plus the country',
  ...openApiExamples({ consignee: { summary: 'A consignee', value: EXAMPLE } }),
});

const PartyDetailSchema = z
  .object({
    ...PartyFields,
    lpp: z
      .array(
        z.object({
          year: z.number().int(),
          capTpp: TppSchema,
          usedTpp: TppSchema.describe('Reserved plus shipped under License Exception LPP'),
          remainingTpp: TppSchema,
        }),
      )
      .describe('LPP use per calendar year in which the party received anything under it'),
  })
  .meta({
    id: 'PartyDetail',
    ...openApiExamples({
      used: {
        summary: 'A consignee with LPP use in 2025',
        value: {
          ...EXAMPLE,
          lpp: [{ year: 2025, capTpp: 26_900_000, usedTpp: 15_832_000, remainingTpp: 11_068_000 }],
        },
      },
    }),
  });

const CreatePartySchema = z
  .strictObject({
    name: z
      .string()
      .trim()
      .min(1)
      .max(200)
      .regex(/^[^\p{Cc}]*$/u, 'must not contain control characters'),
    country: CountryCodeSchema,
    address: z.string().trim().min(1).max(500).optional(),
  })
  .meta({
    id: 'CreatePartyRequest',
    ...openApiExamples({
      consignee: { summary: 'A consignee in the UAE', value: { name: 'Gulf AI, LLC', country: 'AE' } },
    }),
  });

const PartyListSchema = z.object({ data: z.array(PartySchema) }).meta({
  id: 'PartyList',
  ...openApiExamples({ one: { summary: 'One match', value: { data: [EXAMPLE] } } }),
});

const PartyQuerySchema = z.strictObject({
  q: z.string().trim().min(1).max(200).optional().describe('Name or part of one, in any spelling'),
  country: CountryCodeSchema.optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

const IdParams = z.strictObject({
  id: z
    .string()
    .uuid('must be a party id (UUID)')
    .meta(openApiExamples({ party: { summary: 'A party id', value: EXAMPLE.id } })),
});

function toWire(party: PartyRecord): z.infer<typeof PartySchema> {
  return {
    id: party.id,
    name: party.name,
    country: party.country,
    address: party.address,
    createdAt: party.createdAt.toISOString(),
  };
}

export const partyRoutes: FastifyPluginAsyncZod = async (app) => {
  app.post(
    '/v1/parties',
    {
      config: { access: 'writeParties' },
      schema: {
        operationId: 'createParty',
        tags: ['Parties'],
        summary: 'Record a consignee or end user, or find the one with the same identity',
        description:
          '201 with a new party, or 200 with the existing party whose identity (folded name plus country) is the ' +
          'same: "Gulf AI, LLC", "gulf ai llc" and look-alike spellings are one party. Creation is audited.',
        security: [{ bearerAuth: [] }],
        body: CreatePartySchema,
        response: { 200: PartySchema, 201: PartySchema, ...problems(400, 401, 403, 413, 415, 429) },
      },
    },
    async (request, reply) => {
      const { party, created } = await registerParty(serviceContext(request), request.body);
      if (created) reply.header('location', `/v1/parties/${party.id}`);
      return reply.code(created ? 201 : 200).send(toWire(party));
    },
  );

  app.get(
    '/v1/parties',
    {
      config: { access: 'readReference' },
      schema: {
        operationId: 'listParties',
        tags: ['Parties'],
        summary: 'Search parties by name (any spelling) and country',
        description:
          'The query is folded like a name (case, look-alike letters, punctuation and spacing do not matter) and ' +
          'matched against the identity of every party; without q, every party (of the country).',
        security: [{ bearerAuth: [] }],
        querystring: PartyQuerySchema,
        response: { 200: PartyListSchema, ...problems(400, 401, 403, 429) },
      },
    },
    async (request) => ({
      data: (await searchParties(serviceContext(request), request.query)).map(toWire),
    }),
  );

  app.get(
    '/v1/parties/:id',
    {
      config: { access: 'readReference' },
      schema: {
        operationId: 'getParty',
        tags: ['Parties'],
        summary: 'A party with its LPP use per year',
        description:
          "The consignee's License Exception LPP budget (26,900,000 TPP per calendar year under ai-diffusion-2025): " +
          'reserved plus shipped, per year in which it received anything under LPP.',
        security: [{ bearerAuth: [] }],
        params: IdParams,
        response: { 200: PartyDetailSchema, ...problems(400, 401, 403, 404, 429) },
      },
    },
    async (request) => {
      const detail = await getParty(serviceContext(request), request.params.id);
      return { ...toWire(detail), lpp: detail.lpp };
    },
  );
};
