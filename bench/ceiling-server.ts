/**
 * The ceiling: a bare Fastify 5 server with one validated POST taking the check body, run in its own process so
 * it does not share an event loop with the load generator. No auth, no database, no audit: what the framework
 * itself costs for this body on this machine. Started by bench/run.ts with PORT set; listens on 127.0.0.1.
 */
import { randomUUID } from 'node:crypto';
import Fastify from 'fastify';

const countryCode = { type: 'string', pattern: '^[A-Za-z]{2}$' } as const;
const quantity = { type: 'integer', minimum: 1, maximum: 1_000_000 } as const;

/** The same shape and bounds as ShipmentRequestSchema (src/http/schemas/shipment-request.ts), in JSON Schema for ajv. */
const checkBody = {
  type: 'object',
  additionalProperties: false,
  required: ['destination', 'items', 'endUser'],
  properties: {
    destination: countryCode,
    items: {
      type: 'array',
      minItems: 1,
      maxItems: 500,
      items: {
        anyOf: [
          {
            type: 'object',
            additionalProperties: false,
            required: ['productId', 'quantity'],
            properties: { productId: { type: 'string', minLength: 1, maxLength: 64 }, quantity },
          },
          {
            type: 'object',
            additionalProperties: false,
            required: ['tpp', 'performanceDensity', 'datacenter', 'quantity'],
            properties: {
              description: { type: 'string', minLength: 1, maxLength: 200 },
              kind: { enum: ['CHIP', 'SYSTEM'] },
              tpp: { type: 'number', exclusiveMinimum: 0, maximum: 1e9 },
              performanceDensity: { type: ['number', 'null'], minimum: 0, maximum: 1e4 },
              datacenter: { type: 'boolean' },
              chipsPerUnit: { type: 'integer', minimum: 1, maximum: 100_000 },
              memoryBandwidthGBs: { type: ['number', 'null'], exclusiveMinimum: 0, maximum: 1e6 },
              quantity,
            },
          },
        ],
      },
    },
    endUser: {
      type: 'object',
      additionalProperties: false,
      required: ['name', 'headquarters'],
      properties: {
        name: { type: 'string', minLength: 1, maxLength: 200 },
        headquarters: countryCode,
        verifiedEndUser: { enum: ['UVEU', 'NVEU', null] },
      },
    },
    consignee: { type: 'string', minLength: 1, maxLength: 200 },
    shipDate: { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}$' },
    ruleset: { type: 'string', minLength: 1, maxLength: 64 },
  },
} as const;

const answer = {
  type: 'object',
  properties: { checkId: { type: 'string' }, allowed: { type: 'boolean' }, destination: { type: 'string' } },
} as const;

const app = Fastify({ logger: false });

app.post<{ Body: { destination: string } }>(
  '/v1/checks',
  { schema: { body: checkBody, response: { 200: answer } } },
  async (request) => ({
    checkId: randomUUID(),
    allowed: true,
    destination: request.body.destination.toUpperCase(),
  }),
);
app.get('/healthz', async () => ({ status: 'ok' }));

const shutdown = (): void => {
  void app.close().finally(() => process.exit(0));
};
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);

await app.listen({ host: '127.0.0.1', port: Number(process.env.PORT ?? 0) });
