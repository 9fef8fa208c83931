import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { listAuditEvents, verifyAuditChain } from '../../../services/audit.ts';
import { serviceContext } from '../../plugins/service-context.ts';
import { problems } from '../../schemas/common.ts';
import { AuditPageSchema, AuditQuerySchema, AuditVerificationSchema } from './schemas.ts';

export const auditRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/v1/audit',
    {
      config: { access: 'readAudit' },
      schema: {
        operationId: 'listAuditEvents',
        tags: ['Audit'],
        summary: 'Audit events, newest first',
        description:
          'Every check, shipment transition, reference-data change and key change, with who, when, under which ' +
          'request and with what inputs and outputs (or before and after). Filters combine with AND. Paginate with ' +
          'nextCursor: pages stay stable while new events are appended.',
        security: [{ bearerAuth: [] }],
        querystring: AuditQuerySchema,
        response: { 200: AuditPageSchema, ...problems(400, 401, 403, 429) },
      },
    },
    async (request) => {
      const q = request.query;
      const { events, nextBeforeSeq } = await listAuditEvents(
        serviceContext(request),
        {
          action: q.action,
          targetType: q.targetType,
          targetId: q.targetId,
          actorKeyId: q.actorKeyId,
          requestId: q.requestId,
          from: q.from === undefined ? undefined : new Date(q.from),
          to: q.to === undefined ? undefined : new Date(q.to),
        },
        { beforeSeq: q.cursor === undefined ? undefined : Number(q.cursor), limit: q.limit },
      );
      return {
        data: events.map((event) => ({ ...event, occurredAt: event.occurredAt.toISOString() })),
        nextCursor: nextBeforeSeq === null ? null : String(nextBeforeSeq),
      };
    },
  );

  app.get(
    '/v1/audit/verify',
    {
      config: { access: 'readAudit' },
      schema: {
        operationId: 'verifyAuditChain',
        tags: ['Audit'],
        summary: 'Verify the hash chain',
        description:
          'Recomputes every hash from the first event to the current last one, reading in pages. Reports the first ' +
          'break: an event changed (hash mismatch), removed (seq gap or prevHash mismatch) or moved. Removal of ' +
          'events from the very end leaves no trace inside the chain: compare headSeq and headHash with an earlier run.',
        security: [{ bearerAuth: [] }],
        querystring: z.strictObject({}),
        response: { 200: AuditVerificationSchema, ...problems(401, 403, 429) },
      },
    },
    async (request) => verifyAuditChain(serviceContext(request).db),
  );
};
