import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { listCheckpoints } from '../../../services/audit-checkpoints.ts';
import { CHECKPOINT_MESSAGE_FORMAT, type PublicSigningKey } from '../../../crypto/audit-signing.ts';
import { listAuditEvents } from '../../../services/list-audit-events.ts';
import { verifyAuditChain } from '../../../services/verify-audit-chain.ts';
import { serviceContext } from '../../plugins/service-context.ts';
import { problems } from '../../schemas/common.ts';
import {
  AuditPageSchema,
  AuditQuerySchema,
  AuditVerificationSchema,
  AuditVerifyQuerySchema,
  CheckpointPageSchema,
  CheckpointQuerySchema,
} from './schemas.ts';

function keyView(key: PublicSigningKey) {
  return { keyId: key.keyId, algorithm: 'Ed25519' as const, publicKey: key.publicKey, pem: key.pem };
}

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
          'nextCursor: pages stay stable while new events are appended. A page holds at most limit events and, ' +
          'beyond its first event, at most AUDIT_PAGE_BYTES (4 MiB by default) of stored content: large events ' +
          'make shorter pages, never a larger answer.',
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
          callerRequestId: q.callerRequestId,
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
          'Recomputes every hash from fromSeq (default the first event) to toSeq (default the current last one), ' +
          'reading in pages bounded in bytes, so memory does not grow with the chain; resume a long run with ' +
          'fromSeq. Reports the first break: an event changed (hash mismatch), removed (seq gap or prevHash ' +
          'mismatch) or moved, or a signed checkpoint that the chain no longer matches (history rewritten and ' +
          're-hashed) or whose signature fails. Removal of events from the very end shows only against a ' +
          'checkpoint signed past the new end, or against headSeq and headHash of an earlier run.',
        security: [{ bearerAuth: [] }],
        querystring: AuditVerifyQuerySchema,
        response: { 200: AuditVerificationSchema, ...problems(400, 401, 403, 429) },
      },
    },
    async (request) => {
      const ctx = serviceContext(request);
      return verifyAuditChain(ctx.db, {
        fromSeq: request.query.fromSeq,
        toSeq: request.query.toSeq,
        trustedKeys: ctx.trustedKeys,
        page: { bytes: ctx.config.AUDIT_PAGE_BYTES },
      });
    },
  );

  app.get(
    '/v1/audit/checkpoints',
    {
      config: { access: 'readAudit' },
      schema: {
        operationId: 'listAuditCheckpoints',
        tags: ['Audit'],
        summary: 'Signed checkpoints of the chain, and the public keys that verify them',
        description:
          'Every AUDIT_CHECKPOINT_EVERY events and every AUDIT_CHECKPOINT_INTERVAL_SECONDS (when the chain has ' +
          'grown) the service signs the head (seq and hash) with its Ed25519 key, which the database does not ' +
          'hold. Keep the latest checkpoint outside the service: with the public key anyone can check it offline, ' +
          'and a chain that no longer reaches it, or reaches it with another hash, was cut or rewritten.',
        security: [{ bearerAuth: [] }],
        querystring: CheckpointQuerySchema,
        response: { 200: CheckpointPageSchema, ...problems(400, 401, 403, 429) },
      },
    },
    async (request) => {
      const ctx = serviceContext(request);
      const cursor = request.query.cursor?.split('.');
      const { checkpoints, next } = await listCheckpoints(ctx, {
        after: cursor ? { seq: Number(cursor[0]), keyId: String(cursor[1]) } : undefined,
        limit: request.query.limit,
      });
      const signer = ctx.checkpoints.signer;
      return {
        signingKey: { ...keyView(signer.publicKey), ephemeral: signer.ephemeral },
        trustedKeys: [...ctx.trustedKeys.values()].map(keyView),
        message: CHECKPOINT_MESSAGE_FORMAT,
        data: checkpoints.map((c) => ({ ...c, signedAt: c.signedAt.toISOString() })),
        nextCursor: next ? `${next.seq}.${next.keyId}` : null,
      };
    },
  );
};
