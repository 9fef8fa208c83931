import type { FastifyRequest } from 'fastify';
import { validatorCompiler, type FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AppError, validationError, type FieldError } from '../../../errors.ts';
import { checkBatch, type BatchEntry } from '../../../services/check-batch.ts';
import { orderLines } from '../../plugins/admission.ts';
import { problemBody } from '../../plugins/error-handler.ts';
import { findUnstorableString } from '../../plugins/security.ts';
import { serviceContext } from '../../plugins/service-context.ts';
import { ProblemSchema, problems } from '../../schemas/common.ts';
import {
  BATCH_CSV_RESULT_EXAMPLE,
  BATCH_REQUEST_EXAMPLES,
  BATCH_RESULT_EXAMPLES,
  CSV_BATCH_EXAMPLE,
  openApiExamples,
} from '../../schemas/examples.ts';
import { zodFieldErrors } from '../../schemas/field-errors.ts';
import { DecisionSchema, ShipmentRequestSchema } from '../../schemas/shipment-request.ts';
import { csvOrders, csvPath, CsvUpload, parseCsvBody, resultsToCsv, type CsvOrder } from './csv.ts';

/** API.md: 1 to 1,000 checks per batch. */
export const MAX_BATCH = 1_000;

const BatchRequestSchema = z
  .strictObject({
    checks: z
      .array(ShipmentRequestSchema)
      .min(1, 'a batch needs at least one check')
      .max(MAX_BATCH, `at most ${MAX_BATCH} checks per batch`)
      .describe('Each the body of POST /v1/checks; each is validated and answered on its own'),
  })
  .meta({
    id: 'BatchCheckRequest',
    description: 'Up to 1,000 proposed shipments, checked one by one',
    ...openApiExamples(BATCH_REQUEST_EXAMPLES),
  });

/** What the route itself refuses as a whole: not an envelope of 1..1,000 entries. Entries are checked one by one. */
const EnvelopeSchema = z.strictObject({
  checks: z
    .array(z.unknown())
    .min(1, 'a batch needs at least one check')
    .max(MAX_BATCH, `at most ${MAX_BATCH} checks per batch`),
});

const BatchResultSchema = z
  .object({
    data: z.array(
      z.union([
        z.object({
          index: z.number().int().describe('Position in the request (0-based)'),
          order: z.string().optional().describe('The order column, for a CSV batch'),
          decision: DecisionSchema,
        }),
        z.object({
          index: z.number().int(),
          order: z.string().optional(),
          problem: ProblemSchema.describe('Why this entry was refused; the others are unaffected'),
        }),
      ]),
    ),
  })
  .meta({
    id: 'BatchCheckResult',
    description: 'One answer per check, in request order: a decision or a problem',
    ...openApiExamples(BATCH_RESULT_EXAMPLES),
  });

const CsvResultSchema = z
  .string()
  .describe(
    'One row per check: index, order, checkId, allowed, licenseRequired, authorization, reviewPolicy, destination, ' +
      'totalTpp, h100Equivalents, reasons (codes), ruleset, inForceOnShipDate, errorCode, errorDetail',
  )
  .meta(openApiExamples({ csv: { summary: 'Two orders of a CSV batch', value: BATCH_CSV_RESULT_EXAMPLE } }));

function wantsCsv(request: FastifyRequest): boolean {
  const accept = request.headers.accept ?? '';
  const csv = accept.search(/\btext\/csv\b/);
  const json = accept.search(/\bapplication\/json\b/);
  return csv >= 0 && (json < 0 || csv < json);
}

function parseEntry(raw: unknown, index: number, order?: CsvOrder): BatchEntry {
  const where = { index, ...(order ? { order: order.order } : {}) };
  if (order && order.body === null) return { ...where, refused: validationError(order.errors) };
  const parsed = ShipmentRequestSchema.safeParse(raw);
  if (parsed.success) return { ...where, request: parsed.data };
  return { ...where, refused: validationError(zodFieldErrors(parsed.error)) };
}

export const batchRoutes: FastifyPluginAsyncZod = async (app) => {
  app.addContentTypeParser('text/csv', { parseAs: 'string' }, (_request, body, done) => {
    try {
      const text = body as string;
      if (findUnstorableString(text, 'csv') !== null) {
        throw validationError([{ path: 'csv', message: 'contains U+0000 or an unpaired surrogate' }]);
      }
      done(null, parseCsvBody(text));
    } catch (error) {
      done(error as Error, undefined);
    }
  });

  app.post(
    '/v1/checks/batch',
    {
      config: { access: 'runCheck', alsoAccepts: ['text/csv'] },
      // The documented body lists full check bodies; only the envelope is refused as a whole (see EnvelopeSchema).
      validatorCompiler: (route) => {
        if (route.httpPart !== 'body') {
          return validatorCompiler(route as unknown as Parameters<typeof validatorCompiler>[0]);
        }
        const envelope = validatorCompiler({ ...route, schema: EnvelopeSchema });
        return (data: unknown) => {
          // Runs before admission: a batch larger than one key may ever have in evaluation would be 429 for
          // ever, so it is refused here as a whole, with the advice to split it.
          const lines = orderLines(data);
          const share = app.deps.config.ADMISSION_MAX_LINES_PER_KEY;
          if (lines > share) {
            return {
              error: validationError(
                [
                  {
                    path: data instanceof CsvUpload ? 'csv' : 'body.checks',
                    message: `at most ${share} order lines in all`,
                  },
                ],
                `This batch has ${lines} order lines; at most ${share} can be checked in one batch. Split it.`,
              ),
            };
          }
          return data instanceof CsvUpload ? { value: data } : envelope(data);
        };
      },
      schema: {
        operationId: 'createCheckBatch',
        tags: ['Checks'],
        summary: 'Check up to 1,000 proposed shipments at once',
        description:
          'Each entry is checked on its own, exactly as POST /v1/checks would, and audited as its own check ' +
          '(GET /v1/checks/{checkId} reads it back); a bad entry is answered with its own problem in the 200, not a ' +
          '400 for the batch. Also takes text/csv: one row per order line, grouped into checks by the `order` column ' +
          '(order-level columns on the first row of an order or on every row). Answers JSON, or CSV with ' +
          '`Accept: text/csv`. Batches are evaluated in chunks that yield to other requests, and the order lines in ' +
          'evaluation are admitted like any check\u2019s (ADMISSION_MAX_LINES, ADMISSION_MAX_LINES_PER_KEY): a batch that does ' +
          'not fit now is 429 or 503 with Retry-After, one larger than a key\u2019s share is 400.',
        security: [{ bearerAuth: [] }],
        body: BatchRequestSchema,
        'x-csv-request': {
          description:
            'text/csv: a header row, then one row per order line. Columns: order, destination, endUserName, ' +
            'endUserHeadquarters, verifiedEndUser, consignee, shipDate, ruleset (per order); productId or description, ' +
            'kind, tpp, performanceDensity, datacenter, chipsPerUnit, memoryBandwidthGBs, and quantity (per line).',
          example: CSV_BATCH_EXAMPLE,
        },
        response: {
          200: {
            description: 'One answer per check, in request order',
            content: {
              'application/json': { schema: BatchResultSchema },
              'text/csv': { schema: CsvResultSchema },
            },
          },
          ...problems(400, 401, 403, 413, 415, 429),
        },
      },
    },
    async (request, reply) => {
      const body = request.body as unknown as { checks: unknown[] } | CsvUpload;
      let entries: BatchEntry[];
      let orders: CsvOrder[] | null = null;
      if (body instanceof CsvUpload) {
        orders = csvOrders(body);
        if (orders.length > MAX_BATCH) {
          throw validationError([
            { path: 'csv', message: `${orders.length} orders; at most ${MAX_BATCH} per batch` },
          ]);
        }
        entries = orders.map((order, index) => parseEntry(order.body, index, order));
      } else {
        entries = body.checks.map((raw, index) => parseEntry(raw, index));
      }

      const outcomes = await checkBatch(serviceContext(request), entries);
      const path = (index: number, p: string): string => {
        const order = orders?.[index];
        return order ? csvPath(order, p) : p.replace(/^body/, `body.checks[${index}]`);
      };
      const data = outcomes.map((outcome) => {
        const where = {
          index: outcome.index,
          ...(outcome.order !== undefined ? { order: outcome.order } : {}),
        };
        if ('decision' in outcome) return { ...where, decision: outcome.decision };
        const error: AppError = outcome.error;
        const errors: FieldError[] | undefined = error.errors?.map((e) => ({
          ...e,
          path: path(outcome.index, e.path),
        }));
        return { ...where, problem: problemBody(request, error.code, error.message, errors) };
      });
      if (wantsCsv(request)) return reply.type('text/csv; charset=utf-8').send(resultsToCsv(data));
      return reply.type('application/json; charset=utf-8').send({ data });
    },
  );
};
