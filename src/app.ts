import { randomUUID } from 'node:crypto';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import { serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Config } from './config.ts';
import { admission } from './http/plugins/admission.ts';
import { auth } from './http/plugins/auth.ts';
import { errorHandler, frameworkErrorHandler } from './http/plugins/error-handler.ts';
import { security } from './http/plugins/security.ts';
import { callerRequestId, serviceContextProvider } from './http/plugins/service-context.ts';
import { swaggerDocs } from './http/plugins/swagger.ts';
import { apiKeyRoutes } from './http/routes/api-keys/index.ts';
import { auditRoutes } from './http/routes/audit/index.ts';
import { checkRoutes } from './http/routes/checks/index.ts';
import { countryRoutes } from './http/routes/countries/index.ts';
import { healthRoutes } from './http/routes/health/index.ts';
import { quotaRoutes } from './http/routes/quotas/index.ts';
import { shipmentRoutes } from './http/routes/shipments/index.ts';
import { productRoutes } from './http/routes/products/index.ts';
import type { PrismaClient } from './repositories/db.ts';
import { ReferenceDataCache } from './services/reference-data.ts';
import { ReservationBatcher } from './services/shipments.ts';
import { ApiKeyAuthenticator } from './services/api-keys.ts';
import { AuditCheckpointer } from './services/audit-checkpoints.ts';
import { auditSigner, describePublicKey, parsePublicKey } from './services/audit-signing.ts';

export interface BuildAppOptions {
  config: Config;
  db: PrismaClient;
  /** Clock for "today" in decisions and audit timestamps; tests pin it. */
  now?: () => Date;
  /** The in-memory reference data checks read; server.ts keeps it fresh from PostgreSQL notifications. */
  reference?: ReferenceDataCache;
  /** Override the pino logger options (tests pass false for silence). */
  logger?: FastifyServerOptions['logger'];
}

export function loggerOptions(config: Config): FastifyServerOptions['logger'] {
  return {
    level: config.LOG_LEVEL,
    redact: { paths: ['req.headers.authorization', 'req.headers.cookie'], censor: '[redacted]' },
    // Pretty output for a person at a terminal; JSON lines for everything else.
    ...(process.stdout.isTTY
      ? { transport: { target: 'pino-pretty', options: { translateTime: 'SYS:standard' } } }
      : {}),
  };
}

/** Builds the application as a plugin tree. It never listens: server.ts does, tests inject. */
export async function buildApp(options: BuildAppOptions): Promise<FastifyInstance> {
  const { config, db } = options;
  const app = Fastify({
    logger: options.logger ?? loggerOptions(config),
    bodyLimit: config.BODY_LIMIT_BYTES,
    // Never the caller's: x-request-id is recorded apart (callerRequestId), the trail vouches for this one.
    requestIdHeader: false,
    genReqId: () => randomUUID(),
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 200 },
    ajv: { customOptions: { removeAdditional: false } },
    frameworkErrors: frameworkErrorHandler,
  }).withTypeProvider<ZodTypeProvider>();

  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);

  app.addHook('onRequest', async (request) => {
    const caller = callerRequestId(request);
    if (caller !== null) request.log = request.log.child({ callerRequestId: caller });
  });
  app.addHook('onSend', async (request, reply) => {
    reply.header('x-request-id', String(request.id));
  });

  const signer = auditSigner(config.AUDIT_SIGNING_KEY);
  if (signer.ephemeral) {
    app.log.warn(
      { keyId: signer.publicKey.keyId },
      'AUDIT_SIGNING_KEY is not set: audit checkpoints are signed with a key generated for this process, which cannot be checked after a restart',
    );
  }
  const trustedKeys = new Map([[signer.publicKey.keyId, signer.publicKey]]);
  for (const text of (config.AUDIT_TRUSTED_PUBLIC_KEYS ?? '').split(',')) {
    if (text.trim() === '') continue;
    const key = describePublicKey(parsePublicKey(text));
    trustedKeys.set(key.keyId, key);
  }
  const checkpoints = new AuditCheckpointer(
    db,
    signer,
    {
      every: config.AUDIT_CHECKPOINT_EVERY,
      intervalMs: config.AUDIT_CHECKPOINT_INTERVAL_SECONDS * 1_000,
    },
    app.log,
  );
  app.addHook('onReady', async () => checkpoints.start());
  app.addHook('onClose', async () => checkpoints.stop());

  await app.register(serviceContextProvider, {
    db,
    checkpoints,
    trustedKeys,
    config,
    now: options.now ?? (() => new Date()),
    reference: options.reference ?? new ReferenceDataCache(db),
    reservations: new ReservationBatcher(db),
  });
  await app.register(errorHandler);
  await app.register(security, { rateLimitPerMinute: config.RATE_LIMIT_PER_MINUTE });
  await app.register(admission, {
    maxBytes: config.ADMISSION_MAX_BYTES,
    maxLines: config.ADMISSION_MAX_LINES,
    maxLinesPerKey: config.ADMISSION_MAX_LINES_PER_KEY,
    bodyLimit: config.BODY_LIMIT_BYTES,
  });
  await app.register(auth, { authenticator: new ApiKeyAuthenticator(db) });
  await app.register(swaggerDocs);

  await app.register(healthRoutes);
  await app.register(countryRoutes);
  await app.register(productRoutes);
  await app.register(checkRoutes);
  await app.register(auditRoutes);
  await app.register(apiKeyRoutes);
  await app.register(shipmentRoutes);
  await app.register(quotaRoutes);

  return app;
}
