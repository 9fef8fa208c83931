import { z } from 'zod';
import { openApiExamples } from '../../schemas/examples.ts';

const EXAMPLE_EVENT = {
  seq: 1842,
  id: '5b1e2c3d-4f5a-4b6c-8d7e-9f0a1b2c3d4e',
  occurredAt: '2025-06-01T12:00:00.000Z',
  actorKeyId: '3f2c1a9e-8b7d-4c6e-9f10-2a3b4c5d6e7f',
  actorRole: 'officer',
  action: 'country.update',
  targetType: 'country',
  targetId: 'AE',
  requestId: '0f9e8d7c-6b5a-4c3d-9e2f-1a0b9c8d7e6f',
  payload: { before: { govToGovArrangement: false }, after: { govToGovArrangement: true } },
  prevHash: '6a3fbd46feefe3367651bbfeba0c4cc4dc393ac120071c9a1ad020b3980ddfaf',
  hash: '8ff08d3b1ad5bc6e5341ed2b168d243239e2bfe692bc566476659c73dc308921',
};

const TimestampSchema = z
  .union([z.iso.datetime({ offset: true }), z.iso.date()])
  .describe('ISO 8601 timestamp with offset (2025-06-01T12:00:00Z) or a date (midnight UTC)');

const FilterText = z
  .string()
  .min(1)
  .max(200)
  .regex(/^[^\p{Cc}]*$/u, 'must not contain control characters');

export const AuditQuerySchema = z
  .strictObject({
    action: FilterText.optional().describe('entity.verb, e.g. check.create, shipment.ship, api-key.revoke'),
    targetType: FilterText.optional().describe('check, shipment, country, product, api-key'),
    targetId: FilterText.optional(),
    actorKeyId: FilterText.optional().describe('Events caused by this API key'),
    requestId: FilterText.optional().describe('Events written while serving this request'),
    from: TimestampSchema.optional().describe('Events at or after this instant'),
    to: TimestampSchema.optional().describe('Events before this instant'),
    cursor: z
      .string()
      .regex(/^[1-9][0-9]{0,15}$/, 'must be a nextCursor value from a previous page')
      .optional()
      .describe('nextCursor of the previous page'),
    limit: z.coerce
      .number()
      .int()
      .min(1)
      .max(500)
      .default(50)
      .describe('Events per page, 1-500 (default 50)'),
  })
  .refine((q) => q.from === undefined || q.to === undefined || new Date(q.from) <= new Date(q.to), {
    message: 'from must not be after to',
    path: ['from'],
  });

export const AuditEventSchema = z
  .object({
    seq: z.number().int().describe('Position in the chain, from 1, without gaps'),
    id: z.string().uuid(),
    occurredAt: z.string().datetime(),
    actorKeyId: z.string().nullable().describe('The API key that caused the event; null for the system'),
    actorRole: z.string().nullable(),
    action: z.string().describe('entity.verb'),
    targetType: z.string(),
    targetId: z.string(),
    requestId: z.string().nullable(),
    payload: z.unknown().describe('Inputs and outputs (checks) or before and after (changes)'),
    prevHash: z.string().describe('hash of the previous event (64 zeros for the first)'),
    hash: z.string().describe('sha256 over prevHash and this event in canonical JSON'),
  })
  .meta({ id: 'AuditEvent' });

export const AuditPageSchema = z
  .object({
    data: z.array(AuditEventSchema).describe('Newest first'),
    nextCursor: z
      .string()
      .nullable()
      .describe('Pass as ?cursor= for the next (older) page; null on the last page'),
  })
  .meta({
    id: 'AuditPage',
    ...openApiExamples({
      page: {
        summary: 'A page of one event, with more to come',
        value: { data: [EXAMPLE_EVENT], nextCursor: '1842' },
      },
    }),
  });

export const AuditVerificationSchema = z
  .object({
    valid: z.boolean(),
    events: z.number().int().describe('Events found intact (before the first break, when there is one)'),
    headSeq: z.number().int().nullable().optional().describe('When valid: seq of the last event verified'),
    headHash: z
      .string()
      .optional()
      .describe('When valid: its hash; keep it to detect later removal of events from the end of the chain'),
    firstBrokenSeq: z.number().int().optional().describe('When invalid: where the chain first breaks'),
    reason: z.string().optional().describe('When invalid: what is wrong there'),
  })
  .meta({
    id: 'AuditVerification',
    ...openApiExamples({
      intact: {
        summary: 'The chain is intact',
        value: { valid: true, events: 1842, headSeq: 1842, headHash: EXAMPLE_EVENT.hash },
      },
      broken: {
        summary: 'Event 917 was changed after it was written',
        value: {
          valid: false,
          events: 916,
          firstBrokenSeq: 917,
          reason: 'hash mismatch: the event was changed after it was written',
        },
      },
    }),
  });
