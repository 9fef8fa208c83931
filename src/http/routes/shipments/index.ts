import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { SHIPMENT_STATUSES } from '../../../domain/shipment-status.ts';
import { AppError } from '../../../errors.ts';
import { getShipment, reserveShipment, transitionShipment } from '../../../services/shipments.ts';
import { serviceContext } from '../../plugins/service-context.ts';
import { problems, TppSchema } from '../../schemas/common.ts';
import {
  openApiExamples,
  SHIP_BODY_EXAMPLES,
  SHIPMENT_CREATED_EXAMPLES,
  SHIPMENT_EXAMPLES,
} from '../../schemas/examples.ts';
import { DecisionSchema, ShipmentRequestSchema } from '../../schemas/shipment-request.ts';

/** 1 to 255 visible ASCII characters (no spaces or controls): order numbers like po-1001 are keys as they are. */
const IDEMPOTENCY_KEY = /^[\x21-\x7E]{1,255}$/;

const ShipmentFields = {
  id: z.string().uuid(),
  status: z
    .enum(SHIPMENT_STATUSES)
    .describe(
      'RESERVED, CLEARED, PENDING_LICENSE or REJECTED when created; then SHIPPED, CANCELLED or EXPIRED',
    ),
  decision: DecisionSchema,
  holds: z
    .object({ countryTpp: TppSchema, lppTpp: TppSchema, lppYear: z.number().int().nullable() })
    .describe('Quota held by this shipment (0 when nothing is held)'),
  holdExpiresAt: z.string().datetime().nullable().describe('When an unshipped hold is released'),
  createdAt: z.string().datetime(),
};

export const ShipmentCreatedSchema = z
  .object(ShipmentFields)
  .meta({ id: 'ShipmentCreated', ...openApiExamples(SHIPMENT_CREATED_EXAMPLES) });

export const ShipmentSchema = z
  .object({
    ...ShipmentFields,
    destination: z.string(),
    consignee: z.string(),
    shipDate: z.string(),
    updatedAt: z.string().datetime(),
    shippedAt: z.string().datetime().nullable(),
    cancelledAt: z.string().datetime().nullable(),
  })
  .meta({ id: 'Shipment', ...openApiExamples(SHIPMENT_EXAMPLES) });

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
          'a second hold; the same key with another body is 409. Keys are scoped to the API key.',
        security: [{ bearerAuth: [] }],
        headers: z.object({
          'idempotency-key': z
            .string()
            .optional()
            .describe(
              '1-255 visible ASCII characters (no spaces), unique per shipment; an order number will do',
            ),
        }),
        body: ShipmentRequestSchema,
        response: { 201: ShipmentCreatedSchema, ...problems(400, 401, 403, 409, 413, 415, 429, 503) },
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
      return reply.code(201).send(result.shipment);
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
        description: 'The decision it was created with, what it holds, and its status now.',
        security: [{ bearerAuth: [] }],
        params: IdParams,
        response: { 200: ShipmentSchema, ...problems(400, 401, 403, 404, 429) },
      },
    },
    async (request) => getShipment(serviceContext(request), request.params.id),
  );

  app.post(
    '/v1/shipments/:id/ship',
    {
      config: { access: 'writeShipments' },
      schema: {
        operationId: 'shipShipment',
        tags: ['Shipments'],
        summary: 'Record that the shipment shipped: its hold becomes consumption',
        description:
          'RESERVED, PENDING_LICENSE (give the licence number) and CLEARED shipments can ship. Idempotent: shipping a ' +
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
              .describe('The BIS licence, when one was needed'),
          })
          .nullish()
          .meta({ id: 'ShipShipment', ...openApiExamples(SHIP_BODY_EXAMPLES) }),
        response: { 200: ShipmentSchema, ...problems(400, 401, 403, 404, 409, 413, 415, 429) },
      },
    },
    async (request) =>
      transitionShipment(serviceContext(request), {
        id: request.params.id,
        transition: 'ship',
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
        summary: 'Cancel the shipment and release its hold',
        description:
          'Idempotent: cancelling a cancelled shipment answers 200 and changes nothing. A shipped shipment is 409. Audited.',
        security: [{ bearerAuth: [] }],
        params: IdParams,
        response: { 200: ShipmentSchema, ...problems(400, 401, 403, 404, 409, 413, 415, 429) },
      },
    },
    async (request) =>
      transitionShipment(serviceContext(request), { id: request.params.id, transition: 'cancel' }),
  );
};
