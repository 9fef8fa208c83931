import { randomUUID } from 'node:crypto';
import type { Socket } from 'node:net';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import { serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Config } from './config.ts';
import { admission } from './http/plugins/admission.ts';
import { auth, type KeyAuthenticator } from './http/plugins/auth.ts';
import { databaseOutage } from './http/plugins/database-outage.ts';
import { errorHandler, frameworkErrorHandler, problemType } from './http/plugins/error-handler.ts';
import { metricsProvider } from './http/plugins/metrics.ts';
import { security } from './http/plugins/security.ts';
import { securityEvents } from './http/plugins/security-events.ts';
import { createThrottleGuard } from './http/plugins/throttle.ts';
import { callerRequestId, serviceContextProvider } from './http/plugins/service-context.ts';
import { swaggerDocs } from './http/plugins/swagger.ts';
import { apiKeyRoutes } from './http/routes/api-keys/index.ts';
import { auditRoutes } from './http/routes/audit/index.ts';
import { checkRoutes } from './http/routes/checks/index.ts';
import { consoleRoutes } from './http/routes/console/index.ts';
import { countryRoutes } from './http/routes/countries/index.ts';
import { healthRoutes } from './http/routes/health/index.ts';
import { metricsRoutes } from './http/routes/metrics/index.ts';
import { quotaRoutes } from './http/routes/quotas/index.ts';
import { screeningRoutes } from './http/routes/screening/index.ts';
import { sessionRoutes } from './http/routes/session/index.ts';
import { licenseRoutes } from './http/routes/licenses/index.ts';
import { organisationRoutes } from './http/routes/organisations/index.ts';
import { partyRoutes } from './http/routes/parties/index.ts';
import { shipmentRoutes } from './http/routes/shipments/index.ts';
import { productRoutes } from './http/routes/products/index.ts';
import { planRoutes } from './http/routes/plans/index.ts';
import { batchRoutes } from './http/routes/checks/batch.ts';
import { checkRecordRoutes } from './http/routes/checks/records.ts';
import type { PrismaClient } from './repositories/db.ts';
import { ReferenceDataCache } from './services/reference-data.ts';
import { ApiKeyAuthenticator } from './services/api-keys.ts';
import { AuditCheckpointer } from './services/audit-checkpoints.ts';
import { auditSigner, describePublicKey, parsePublicKey } from './crypto/audit-signing.ts';
import { DatabaseOutageMonitor } from './services/database-outage.ts';
import { SharedRateLimiter } from './services/rate-limiter.ts';
import { isDatabaseUnavailable } from './db/unavailable.ts';
import { ERROR_CATALOGUE } from './errors.ts';

export interface BuildAppOptions {
  config: Config;
  db: PrismaClient;
  /** Clock for "today" in decisions and audit timestamps; tests pin it. */
  now?: () => Date;
  /** The in-memory reference data checks read; server.ts keeps it fresh from PostgreSQL notifications. */
  reference?: ReferenceDataCache;
  /** Resolves presented keys; defaults to the database-backed ApiKeyAuthenticator. */
  authenticator?: KeyAuthenticator;
  /** Override the pino logger options (tests pass false for silence). */
  logger?: FastifyServerOptions['logger'];
}

/** A hop count becomes the function Fastify's types expect; other forms pass through. */
function trustProxy(
  value: Config['TRUST_PROXY'],
): boolean | string[] | ((address: string, hop: number) => boolean) {
  return typeof value === 'number' ? (_address, hop) => hop < value : value;
}

/** How often node looks for requests past their deadline: a slow client is cut within about this much. */
const TIMEOUT_CHECK_INTERVAL_MS = 500;

/**
 * Errors on a connection before a request reaches Fastify. A request that did not arrive in time
 * (REQUEST_TIMEOUT_MS / HEADERS_TIMEOUT_MS, e.g. a body trickled a byte at a time) is answered 408
 * problem+json and its connection closed; anything else that node could not parse is 400.
 */
function clientErrorHandler(error: Error & { code?: string }, socket: Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const timeout = error.code === 'ERR_HTTP_REQUEST_TIMEOUT';
  const code = timeout ? 'REQUEST_TIMEOUT' : 'VALIDATION_FAILED';
  const { status, title } = ERROR_CATALOGUE[code];
  const body = JSON.stringify({
    type: problemType(code),
    title,
    status,
    detail: timeout
      ? 'The request did not arrive in time; the connection is closed.'
      : 'The request could not be parsed.',
    code,
    requestId: randomUUID(),
  });
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${status} ${title}\r\nContent-Type: application/problem+json\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy();
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
    trustProxy: trustProxy(config.TRUST_PROXY),
    // Suited to a reverse proxy in front: keep-alive outlives the proxy's idle timeout, a request must arrive
    // whole within REQUEST_TIMEOUT_MS, its headers within HEADERS_TIMEOUT_MS.
    requestTimeout: config.REQUEST_TIMEOUT_MS,
    keepAliveTimeout: config.KEEP_ALIVE_TIMEOUT_MS,
    connectionTimeout: config.CONNECTION_TIMEOUT_MS,
    http: {
      headersTimeout: config.HEADERS_TIMEOUT_MS,
      connectionsCheckingInterval: TIMEOUT_CHECK_INTERVAL_MS,
    },
    clientErrorHandler,
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

  const outage = new DatabaseOutageMonitor(db, app.log);
  const limiter = new SharedRateLimiter(db, {
    databaseUnavailable: () => outage.unavailable,
    onError: (error) => {
      // An outage is logged once by the outage monitor; anything else would be a bug worth seeing.
      if (isDatabaseUnavailable(error)) app.log.debug({ err: error }, 'rate limiter: counting locally');
      else app.log.warn({ err: error }, 'rate limiter: counting failed; counting locally');
    },
  });
  app.addHook('onClose', async () => {
    outage.close();
    limiter.close();
  });

  await app.register(serviceContextProvider, {
    db,
    checkpoints,
    trustedKeys,
    config,
    now: options.now ?? (() => new Date()),
    reference: options.reference ?? new ReferenceDataCache(db),
    outage,
    limiter,
  });
  await app.register(errorHandler);
  await app.register(databaseOutage);
  await app.register(security);
  await app.register(metricsProvider);
  await app.register(admission, {
    maxBytes: config.ADMISSION_MAX_BYTES,
    maxLines: config.ADMISSION_MAX_LINES,
    maxLinesPerKey: config.ADMISSION_MAX_LINES_PER_KEY,
    bodyLimit: config.BODY_LIMIT_BYTES,
    heavyLines: config.ADMISSION_HEAVY_LINES,
    heavyConcurrency: config.ADMISSION_HEAVY_CONCURRENCY,
  });
  await app.register(auth, {
    authenticator: options.authenticator ?? new ApiKeyAuthenticator(db, options.now),
    guard: createThrottleGuard(
      limiter,
      {
        perKey: config.RATE_LIMIT_PER_MINUTE,
        perOrganisation: config.RATE_LIMIT_PER_ORGANISATION_PER_MINUTE,
        unauthenticatedPerAddress: config.RATE_LIMIT_UNAUTHENTICATED_PER_MINUTE,
      },
      (scope) => app.metrics.refused(scope),
    ),
  });
  await app.register(securityEvents);
  await app.register(swaggerDocs);

  await app.register(healthRoutes);
  await app.register(metricsRoutes);
  await app.register(countryRoutes);
  await app.register(productRoutes);
  await app.register(checkRoutes);
  await app.register(batchRoutes);
  await app.register(checkRecordRoutes);
  await app.register(planRoutes);
  await app.register(auditRoutes);
  await app.register(apiKeyRoutes);
  await app.register(shipmentRoutes);
  await app.register(organisationRoutes);
  await app.register(partyRoutes);
  await app.register(licenseRoutes);
  await app.register(quotaRoutes);
  await app.register(screeningRoutes);
  await app.register(sessionRoutes);
  await app.register(consoleRoutes);

  return app;
}
