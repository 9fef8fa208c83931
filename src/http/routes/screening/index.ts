import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Readable } from 'node:stream';
import { z } from 'zod';
import { AppError, validationError } from '../../../errors.ts';
import { cslEntries } from '../../../services/csl-stream.ts';
import { getScreeningLists, importScreeningList, screenName } from '../../../services/screening.ts';
import { findUnstorableString, unstorableError } from '../../plugins/security.ts';
import { serviceContext } from '../../plugins/service-context.ts';
import { CountryCodeSchema, problems } from '../../schemas/common.ts';
import { openApiExamples } from '../../schemas/examples.ts';
import { ScreeningResultSchema } from '../../schemas/screening.ts';

const IMPORT_EXAMPLE = {
  id: '2f1c7a52-5d0e-4b8f-9a51-6c3e2d1b0a94',
  entries: 2,
  sources: {
    'Entity List (EL) - Bureau of Industry and Security': 1,
    'Unverified List (UVL) - Bureau of Industry and Security': 1,
  },
  importedAt: '2026-11-27T08:00:00.000Z',
  malformedCount: 1,
  malformed: [{ index: 2, problem: 'name is missing or empty' }],
  origin: 'api',
};

const ImportSchema = z
  .object({
    id: z.string().describe('The import id every decision screened against it names (screening.listId)'),
    entries: z.number().int().describe('Entries accepted'),
    sources: z.record(z.string(), z.number().int()).describe('Accepted entries by CSL source'),
    importedAt: z.string(),
    malformedCount: z.number().int().describe('Entries rejected'),
    malformed: z
      .array(z.object({ index: z.number().int(), problem: z.string() }))
      .describe('Rejected entries by their index in results[] (the first 1,000)'),
    origin: z.string().describe('"api", or the file the CLI imported'),
  })
  .meta({
    id: 'ScreeningListImport',
    description: 'One import of a restricted-party screening list',
    ...openApiExamples({
      imported: { summary: 'An import with one malformed entry', value: IMPORT_EXAMPLE },
    }),
  });

/** A JSON body left unparsed, for the import to read as it arrives. */
class CslUpload {
  constructor(readonly stream: Readable) {}
}

/** Entries whose text PostgreSQL can store; the first that is not stops the import with a 400 naming it. */
async function* storableEntries(entries: AsyncIterable<unknown>): AsyncGenerator<unknown> {
  let index = 0;
  for await (const entry of entries) {
    const bad = findUnstorableString(entry, `body.results[${index}]`);
    if (bad !== null) throw unstorableError(bad);
    index += 1;
    yield entry;
  }
}

/**
 * The trade.gov Consolidated Screening List format: `results[]` with `name`, `alt_names`, `addresses[].country`,
 * `source`, `start_date`, `federal_register_notice`, `license_requirement`, `license_policy`, `remarks`. Every
 * entry is validated on its own, so a malformed one is reported and skipped instead of failing the import.
 */
const CslFileSchema = z
  .looseObject({
    results: z.array(z.unknown()).min(1, 'the list has no entries').describe('The CSL entries'),
  })
  .meta({
    id: 'ConsolidatedScreeningList',
    description: 'A Consolidated Screening List file (the format of trade.gov consolidated.json)',
    ...openApiExamples({
      oneEntry: {
        summary: 'One Entity List entry',
        value: {
          results: [
            {
              name: 'Example Advanced Computing Co., Ltd.',
              alt_names: ['Example AC'],
              addresses: [{ address: '1 Example Road', city: 'Shenzhen', country: 'CN' }],
              source: 'Entity List (EL) - Bureau of Industry and Security',
              start_date: '2024-12-05',
              federal_register_notice: '89 FR 96790',
              license_requirement: 'For all items subject to the EAR.',
              license_policy: 'Presumption of denial.',
              remarks: null,
            },
          ],
        },
      },
    }),
  });

export const screeningRoutes: FastifyPluginAsyncZod = async (app) => {
  // The import reads its body as a stream (a list of tens of MB parsed whole would not fit the service's heap):
  // in a scope of its own, JSON bodies reach the handler unparsed, and the entries are parsed as they arrive.
  await app.register(async (scope) => {
    scope.removeContentTypeParser('application/json');
    scope.addContentTypeParser('application/json', (request, payload, done) => {
      const limit = scope.deps.config.SCREENING_IMPORT_BODY_LIMIT_BYTES;
      if (Number(request.headers['content-length'] ?? 0) > limit) {
        done(new AppError('PAYLOAD_TOO_LARGE', `The list is larger than ${limit} bytes.`), undefined);
      } else done(null, new CslUpload(payload));
    });
    scope.post(
      '/v1/screening-lists',
      {
        config: { access: 'manageScreening' },
        schema: {
          operationId: 'importScreeningList',
          tags: ['Screening'],
          summary: 'Import a restricted-party list (officer)',
          description:
            'Imports a Consolidated Screening List file as a new version; checks and reservations screen against ' +
            'the latest. The body is parsed as it arrives, so the full file can be sent here as well as with ' +
            '`npm run screening -- import <file>`. Malformed entries are reported by index and skipped; text ' +
            'that is not JSON is 400 and imports nothing. Audited (screening_list.import).',
          security: [{ bearerAuth: [] }],
          body: CslFileSchema,
          response: { 201: ImportSchema, ...problems(400, 401, 403, 413, 415, 429) },
        },
        // The schema documents the body; the entries are validated one by one as they are parsed.
        validatorCompiler: () => (data: unknown) => ({ value: data }),
      },
      async (request, reply) => {
        const upload: unknown = request.body;
        if (!(upload instanceof CslUpload))
          throw validationError([{ path: 'body', message: 'a JSON body is required' }]);
        const ctx = serviceContext(request);
        const entries = storableEntries(
          cslEntries(upload.stream, scope.deps.config.SCREENING_IMPORT_BODY_LIMIT_BYTES),
        );
        const summary = await importScreeningList(ctx, { entries, origin: 'api' });
        return reply.code(201).send(summary);
      },
    );
  });

  app.get(
    '/v1/screening-lists',
    {
      config: { access: 'readScreeningLists' },
      schema: {
        operationId: 'listScreeningLists',
        tags: ['Screening'],
        summary: 'Screening-list imports, newest first',
        description:
          'Every import with its counts by source and its malformed entries. A decision names the import it screened ' +
          'against (screening.listId); the first one here is what checks use now.',
        security: [{ bearerAuth: [] }],
        response: {
          200: z.object({ data: z.array(ImportSchema) }).meta({
            id: 'ScreeningListImports',
            ...openApiExamples({
              imports: { summary: 'The latest import first', value: { data: [IMPORT_EXAMPLE] } },
            }),
          }),
          ...problems(401, 403, 429),
        },
      },
    },
    async (request) => ({ data: await getScreeningLists(serviceContext(request)) }),
  );

  app.post(
    '/v1/screenings',
    {
      config: { access: 'runCheck' },
      schema: {
        operationId: 'createScreening',
        tags: ['Screening'],
        summary: 'Screen one name against the latest list',
        description:
          'Matches the name (and its alternate spellings, look-alike letters and accents) against every name and ' +
          'alternate name of the latest import. A country raises the score of entries there and lowers others.',
        security: [{ bearerAuth: [] }],
        body: z
          .strictObject({
            name: z.string().trim().min(1).max(300).describe('The party name'),
            country: CountryCodeSchema.optional().describe('Where the party is, if known'),
          })
          .meta({
            id: 'ScreeningRequest',
            ...openApiExamples({
              name: {
                summary: 'A name and its country',
                value: { name: 'Example Cloud LLC', country: 'AE' },
              },
            }),
          }),
        response: {
          200: ScreeningResultSchema.extend({}).meta({
            id: 'ScreeningResponse',
            description: 'The matches of one name against the latest import',
            ...openApiExamples({
              alias: {
                summary: 'An alias of an Entity List entry, in its country',
                value: {
                  listId: IMPORT_EXAMPLE.id,
                  importedAt: IMPORT_EXAMPLE.importedAt,
                  matches: [
                    {
                      entryName: 'Example Advanced Computing Co., Ltd.',
                      matchedName: 'Example AC',
                      source: 'Entity List (EL) - Bureau of Industry and Security',
                      list: 'EL',
                      countries: ['CN'],
                      score: 1,
                      kind: 'HIT',
                      licenseRequirement: 'For all items subject to the EAR.',
                      licensePolicy: 'Presumption of denial.',
                      federalRegisterNotice: '89 FR 96790',
                      startDate: '2024-12-05',
                    },
                  ],
                },
              },
            }),
          }),
          ...problems(400, 401, 403, 413, 415, 429),
        },
      },
    },
    async (request) => screenName(serviceContext(request), request.body),
  );
};
