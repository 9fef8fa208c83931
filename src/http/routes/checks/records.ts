import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { getCheck } from '../../../services/get-check.ts';
import { isoDate } from '../../../services/context.ts';
import { serviceContext } from '../../plugins/service-context.ts';
import { problems } from '../../schemas/common.ts';
import { CHECK_RECORD_HTML_EXAMPLE, openApiExamples } from '../../schemas/examples.ts';
import { DecisionSchema } from '../../schemas/shipment-request.ts';
import { RECORD_CSP, renderCheckRecord } from './record-html.ts';

const CheckParams = z.strictObject({
  checkId: z
    .string()
    .uuid('must be a check id (UUID)')
    .meta(
      openApiExamples({
        check: { summary: 'A check id', value: '68eac1e9-9e83-4fd4-b42f-1be4cf5084f1' },
      }),
    ),
});

export const checkRecordRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/v1/checks/:checkId',
    {
      config: { access: 'readChecks' },
      schema: {
        operationId: 'getCheck',
        tags: ['Checks'],
        summary: 'A past check, as it was answered',
        description:
          'The decision exactly as it was answered, read from the audit trail. Officers and auditors read every ' +
          'check; other keys only the checks they asked (another key’s check is 404).',
        security: [{ bearerAuth: [] }],
        params: CheckParams,
        response: { 200: DecisionSchema, ...problems(400, 401, 403, 404, 429) },
      },
    },
    async (request) => (await getCheck(serviceContext(request), request.params.checkId)).decision,
  );

  app.get(
    '/v1/checks/:checkId/record',
    {
      config: { access: 'readChecks' },
      schema: {
        operationId: 'getCheckRecord',
        tags: ['Checks'],
        summary: 'A printable record of a past check',
        description:
          'An HTML page to file with the order: inputs, decision, reasons with citations, rule pack and legal ' +
          'status, quota at the time, and the audit sequence number and hash. Self-contained, with a print style ' +
          'sheet, no scripts and a CSP that lets nothing load. Same visibility as GET /v1/checks/{checkId}.',
        security: [{ bearerAuth: [] }],
        params: CheckParams,
        response: {
          200: {
            description: 'The record as an HTML page',
            content: {
              'text/html': {
                schema: z.string().meta(
                  openApiExamples({
                    record: { summary: 'The start of a record', value: CHECK_RECORD_HTML_EXAMPLE },
                  }),
                ),
              },
            },
          },
          ...problems(400, 401, 403, 404, 429),
        },
      },
    },
    async (request, reply) => {
      const ctx = serviceContext(request);
      const record = await getCheck(ctx, request.params.checkId);
      const html = renderCheckRecord(record, `${isoDate(ctx.now())} (UTC)`);
      return reply
        .header('content-security-policy', RECORD_CSP)
        .header('content-disposition', `inline; filename="check-${record.decision.checkId}.html"`)
        .type('text/html; charset=utf-8')
        .send(html);
    },
  );
};
