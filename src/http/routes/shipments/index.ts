import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { SHIPMENT_STATUSES } from '../../../domain/shipment-status.ts';
import { AppError } from '../../../errors.ts';
import { attachLicense } from '../../../services/attach-license.ts';
import { cancelShipment } from '../../../services/cancel-shipment.ts';
import { getShipment } from '../../../services/get-shipment.ts';
import { listShipments } from '../../../services/list-shipments.ts';
import { reserveShipment } from '../../../services/reserve-shipment.ts';
import { shipShipment } from '../../../services/ship-shipment.ts';
import { serviceContext } from '../../plugins/service-context.ts';
import { CountryCodeSchema, problems, TppSchema } from '../../schemas/common.ts';
import {
  openApiExamples,
  SHIP_BODY_EXAMPLES,
  SHIPMENT_CREATED_EXAMPLES,
  SHIPMENT_EXAMPLES,
} from '../../schemas/examples.ts';
import { DecisionSchema, ShipmentCreateSchema } from '../../schemas/shipment-request.ts';

/** 1 to 255 visible ASCII characters (no spaces or controls): order numbers like po-1001 are keys as they are. */
const IDEMPOTENCY_KEY = /^[\x21-\x7E]{1,255}$/;

export const ShipmentSchema = z
  .object({
    id: z.string().uuid(),
    status: z
      .enum(SHIPMENT_STATUSES)
      .describe(
        'RESERVED, CLEARED, PENDING_LICENSE or REJECTED when created; LICENSED once a licence is attached; ' +
          'then SHIPPED, CANCELLED or EXPIRED',
      ),
    organisationId: z.string().uuid().describe('The exporter that owns the shipment'),
    externalReference: z.string().nullable().describe("The buyer's order number, if given"),
    destination: z.string(),
    consignee: z.object({ id: z.string().uuid().nullable(), name: z.string() }),
    shipDate: z.string(),
    decision: DecisionSchema,
    holds: z
      .object({
        countryTpp: TppSchema,
        lppTpp: TppSchema,
        lppYear: z.number().int().nullable(),
        licenseTpp: TppSchema.describe('TPP held on the attached licence'),
      })
      .describe(
        'What the shipment holds now; all 0 once it shipped (consumed), was cancelled or expired (released)',
      ),
    licenseId: z.string().uuid().nullable().describe('The attached licence (LICENSED, or SHIPPED under it)'),
    holdExpiresAt: z.string().datetime().nullable().describe('When an unshipped hold is released'),
    createdAt: z.string().datetime(),
    updatedAt: z.string().datetime(),
    shippedAt: z.string().datetime().nullable(),
    cancelledAt: z.string().datetime().nullable(),
    cancelReason: z.string().nullable(),
  })
  .meta({
    id: 'Shipment',
    description:
      'One view of a shipment: the 201 of its creation, GET, the list and every transition answer it',
    ...openApiExamples({ ...SHIPMENT_CREATED_EXAMPLES, ...SHIPMENT_EXAMPLES }),
  });

const ShipmentListSchema = z
  .object({
    data: z.array(ShipmentSchema),
    nextCursor: z.string().nullable().describe('Pass as ?cursor= for the next page; null on the last page'),
  })
  .meta({
    id: 'ShipmentList',
    ...openApiExamples({
      page: {
        summary: 'A last page of one shipment',
        value: { data: [SHIPMENT_CREATED_EXAMPLES.uaePendingLicense?.value], nextCursor: null },
      },
    }),
  });

const ShipmentQuerySchema = z.strictObject({
  status: z.enum(SHIPMENT_STATUSES).optional(),
  destination: CountryCodeSchema.optional(),
  consigneeId: z.string().uuid().optional(),
  licenseId: z.string().uuid().optional(),
  externalReference: z.string().min(1).max(100).optional(),
  from: z.iso.datetime({ offset: true }).optional().describe('Created at or after (ISO date-time)'),
  to: z.iso.datetime({ offset: true }).optional().describe('Created before (ISO date-time)'),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().min(1).max(500).optional(),
});

const IdParams = z.strictObject({
  id: z
    .string()
    .uuid('must be a shipment id (UUID)')
    .meta(
      openApiExamples({
        shipment: { summary: 'A shipment id', value: 'c21de37a-bdc9-41dd-b6b5-d22c6305dba7' },
      }),
    ),
});

export const shipmentRoutes: FastifyPluginAsyncZod = async (app) => {
  app.post(
    '/v1/shipments',
    {
      config: { access: 'writeShipments' },
      schema: {
        operationId: 'createShipment',
        tags: ['Shipments'],
        summary: 'Evaluate a shipment and reserve the quota it uses',
        description:
          'Decides exactly like POST /v1/checks and, in the same database transaction, holds what the shipment uses: ' +
          "the country allocation while a licence is sought (PENDING_LICENSE) or the consignee's LPP budget " +
          '(RESERVED). CLEARED holds nothing; REJECTED is a presumption of denial. Requires an Idempotency-Key ' +
          'header: a retry with the same key and body returns the same shipment (Idempotent-Replayed: true) without ' +
          'a second hold; the same key with another body is 409. Keys are scoped to the API key. The shipment ' +
          "belongs to the key's organisation; externalReference is unique within it. Location names the shipment.",
        security: [{ bearerAuth: [] }],
        headers: z.object({
          'idempotency-key': z
            .string()
            .optional()
            .describe(
              '1-255 visible ASCII characters (no spaces), unique per shipment; an order number will do',
            ),
        }),
        body: ShipmentCreateSchema,
        response: { 201: ShipmentSchema, ...problems(400, 401, 403, 409, 413, 415, 429, 503) },
      },
    },
    async (request, reply) => {
      const key = request.headers['idempotency-key'];
      if (key === undefined || key === '') {
        throw new AppError(
          'IDEMPOTENCY_KEY_REQUIRED',
          'POST /v1/shipments needs an Idempotency-Key header, so a retry never reserves twice.',
          {
            errors: [{ path: 'headers.idempotency-key', message: 'required' }],
          },
        );
      }
      if (!IDEMPOTENCY_KEY.test(key)) {
        const why =
          key.length > 255
            ? `is ${key.length} characters long`
            : 'contains a space, a control character or a character outside ASCII';
        throw new AppError(
          'VALIDATION_FAILED',
          `The Idempotency-Key header ${why}: use 1 to 255 visible ASCII characters, such as your order number (po-1001).`,
          {
            errors: [{ path: 'headers.idempotency-key', message: 'must be 1-255 visible ASCII characters' }],
          },
        );
      }
      const result = await reserveShipment(serviceContext(request), {
        body: request.body,
        idempotencyKey: key,
      });
      if (result.replayed) reply.header('idempotent-replayed', 'true');
      reply.header('location', `/v1/shipments/${result.shipment.id}`);
      return reply.code(201).send(result.shipment);
    },
  );

  app.get(
    '/v1/shipments',
    {
      config: { access: 'readShipments' },
      schema: {
        operationId: 'listShipments',
        tags: ['Shipments'],
        summary: "The caller's organisation's shipments, newest first",
        description:
          'Filters combine. Officers and auditors see every organisation. Pages follow nextCursor; a cursor stays ' +
          'valid while new shipments arrive.',
        security: [{ bearerAuth: [] }],
        querystring: ShipmentQuerySchema,
        response: { 200: ShipmentListSchema, ...problems(400, 401, 403, 429) },
      },
    },
    async (request) => {
      const { from, to, ...rest } = request.query;
      return listShipments(serviceContext(request), {
        ...rest,
        ...(from !== undefined ? { from: new Date(from) } : {}),
        ...(to !== undefined ? { to: new Date(to) } : {}),
      });
    },
  );

  app.get(
    '/v1/shipments/:id',
    {
      config: { access: 'readShipments' },
      schema: {
        operationId: 'getShipment',
        tags: ['Shipments'],
        summary: 'A shipment and its current status',
        description:
          "The same view as the 201 that created it. Another organisation's shipment is 404 (its existence is not revealed).",
        security: [{ bearerAuth: [] }],
        params: IdParams,
        response: { 200: ShipmentSchema, ...problems(400, 401, 403, 404, 429) },
      },
    },
    async (request) => getShipment(serviceContext(request), { id: request.params.id }),
  );

  app.post(
    '/v1/shipments/:id/license',
    {
      config: { access: 'writeShipments' },
      schema: {
        operationId: 'attachLicense',
        tags: ['Shipments'],
        summary: 'Attach a licence to a PENDING_LICENSE shipment: it becomes LICENSED',
        description:
          "Checks that the licence is the shipment's organisation's, for its destination and consignee, covers every " +
          "item's ECCN, is valid on the ship date and has the shipment's TPP remaining; a failure is 409 with a code " +
          'naming the condition. Holds the TPP on the licence. Attaching the attached licence again changes nothing. Audited.',
        security: [{ bearerAuth: [] }],
        params: IdParams,
        body: z.strictObject({ licenseId: z.string().uuid('must be a licence id (UUID)') }).meta({
          id: 'AttachLicenseRequest',
          examples: [{ licenseId: '0d6c5b4a-3f2e-4d1c-9b8a-7f6e5d4c3b2a' }],
        }),
        response: { 200: ShipmentSchema, ...problems(400, 401, 403, 404, 409, 413, 415, 429) },
      },
    },
    async (request) =>
      attachLicense(serviceContext(request), {
        shipmentId: request.params.id,
        licenseId: request.body.licenseId,
      }),
  );

  app.post(
    '/v1/shipments/:id/ship',
    {
      config: { access: 'writeShipments' },
      schema: {
        operationId: 'shipShipment',
        tags: ['Shipments'],
        summary: 'Record that the shipment shipped: its holds become consumption',
        description:
          'RESERVED, CLEARED and LICENSED shipments can ship. A PENDING_LICENSE shipment is 409 LICENSE_REQUIRED until ' +
          'a licence is attached. A licenseNumber, if given, must be the attached licence. Idempotent: shipping a ' +
          'shipped shipment answers 200 and changes nothing. Cancelled, rejected or expired shipments are 409. Audited.',
        security: [{ bearerAuth: [] }],
        params: IdParams,
        body: z
          .strictObject({
            licenseNumber: z
              .string()
              .trim()
              .min(1)
              .max(64)
              .optional()
              .describe('The attached licence, as a cross-check'),
          })
          .nullish()
          .meta({ id: 'ShipShipment', ...openApiExamples(SHIP_BODY_EXAMPLES) }),
        response: { 200: ShipmentSchema, ...problems(400, 401, 403, 404, 409, 413, 415, 429) },
      },
    },
    async (request) =>
      shipShipment(serviceContext(request), {
        id: request.params.id,
        licenseNumber: request.body?.licenseNumber,
      }),
  );

  app.post(
    '/v1/shipments/:id/cancel',
    {
      config: { access: 'writeShipments' },
      schema: {
        operationId: 'cancelShipment',
        tags: ['Shipments'],
        summary: 'Cancel the shipment and release its holds',
        description:
          'The body is optional ({ "reason" }); a POST without one works with or without a JSON content type. ' +
          'Idempotent: cancelling a cancelled shipment answers 200 and changes nothing. A shipped shipment is 409. Audited.',
        security: [{ bearerAuth: [] }],
        params: IdParams,
        body: z
          .strictObject({
            reason: z
              .string()
              .trim()
              .min(1)
              .max(500)
              .regex(/^[^\p{Cc}]*$/u, 'must not contain control characters')
              .optional()
              .describe('Why, for the record'),
          })
          .nullish()
          .meta({ id: 'CancelShipment', examples: [{ reason: 'Order withdrawn by the customer' }] }),
        response: { 200: ShipmentSchema, ...problems(400, 401, 403, 404, 409, 413, 415, 429) },
      },
    },
    async (request) =>
      cancelShipment(serviceContext(request), { id: request.params.id, reason: request.body?.reason }),
  );
};
