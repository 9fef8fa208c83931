import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { DomainError } from '../../domain/errors.ts';
import { AppError, ERROR_CATALOGUE, type ErrorCode, type FieldError } from '../../errors.ts';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

export function problemType(code: ErrorCode): string {
  return `urn:gpu-compliance:problem:${code.toLowerCase().replaceAll('_', '-')}`;
}

export interface ProblemBody {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: ErrorCode;
  requestId: string;
  instance: string;
  errors?: FieldError[];
}

export function sendProblem(
  request: FastifyRequest,
  reply: FastifyReply,
  code: ErrorCode,
  detail: string,
  errors?: FieldError[],
): FastifyReply {
  const { status, title } = ERROR_CATALOGUE[code];
  const body: ProblemBody = {
    type: problemType(code),
    title,
    status,
    detail,
    code,
    requestId: String(request.id),
    instance: request.url.split('?')[0] ?? request.url,
  };
  if (errors !== undefined) body.errors = errors;
  // The body is written by hand so that a response schema can never turn an error into a 500.
  return reply.code(status).type(PROBLEM_CONTENT_TYPE).serializer(JSON.stringify).send(body);
}

function formatPath(context: string | undefined, instancePath: string): string {
  const parts = instancePath.split('/').filter((p) => p.length > 0);
  let out = context ?? 'body';
  for (const part of parts) out += /^\d+$/.test(part) ? `[${part}]` : `.${part}`;
  return out;
}

interface BranchIssue {
  path: PropertyKey[];
  message: string;
}

/**
 * A union (catalogue line or custom line) that matches neither branch would otherwise be reported as one vague
 * error on the whole item. The branch with the fewest problems is the one the caller meant, so report its issues
 * with their full paths.
 */
function expandUnion(
  context: string | undefined,
  instancePath: string,
  message: string | undefined,
  params: unknown,
): FieldError[] {
  const branches = (params as { errors?: BranchIssue[][] } | undefined)?.errors;
  if (!Array.isArray(branches) || branches.length === 0) {
    return [{ path: formatPath(context, instancePath), message: message ?? 'invalid' }];
  }
  const best = branches.reduce((a, b) => (b.length < a.length ? b : a));
  return best.map((issue) => ({
    path: formatPath(context, `${instancePath}/${issue.path.map(String).join('/')}`),
    message: issue.message,
  }));
}

/** Maps a Fastify/framework error code to our catalogue, for errors that are the caller's fault. */
const FRAMEWORK_CODES: Record<string, ErrorCode> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'VALIDATION_FAILED',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'VALIDATION_FAILED',
  FST_ERR_CTP_INVALID_JSON_BODY: 'VALIDATION_FAILED',
  FST_ERR_BAD_URL: 'VALIDATION_FAILED',
  FST_ERR_ASYNC_CONSTRAINT: 'VALIDATION_FAILED',
};

/**
 * For errors Fastify raises before routing (a malformed percent-encoding, an over-long path parameter), which
 * never reach the error handler: set as the `frameworkErrors` option so that they are problem+json too.
 */
export function frameworkErrorHandler(
  error: FastifyError,
  request: FastifyRequest,
  reply: FastifyReply,
): void {
  reply.header('x-request-id', String(request.id));
  const detail =
    error.code === 'FST_ERR_MAX_PARAM_LENGTH'
      ? 'A path parameter is too long.'
      : 'The request URL is malformed.';
  sendProblem(request, reply, 'VALIDATION_FAILED', detail);
}

/** Seconds a caller should wait before retrying while the database is unreachable (restarts take a few). */
export const DATABASE_RETRY_AFTER_SECONDS = 5;

/** Prisma's codes for "cannot reach / lost the server / no connection from the pool in time". */
const PRISMA_UNAVAILABLE = new Set(['P1001', 'P1002', 'P1008', 'P1017', 'P2024']);
/** @prisma/adapter-pg's kinds for the same. */
const ADAPTER_UNAVAILABLE = new Set([
  'DatabaseNotReachable',
  'ConnectionClosed',
  'SocketTimeout',
  'TooManyConnections',
]);
const SOCKET_UNAVAILABLE = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH']);
/**
 * SQLSTATEs: class 08 (connection exception), 57P01-57P03 (admin/crash shutdown, cannot connect now: starting
 * up or recovering), 53300 (too many connections).
 */
const SQLSTATE_UNAVAILABLE = /^(08...|57P0[123]|53300)$/;
/** node-postgres's own messages for a connection that died or never came (they carry no code). */
const PG_CONNECTION_MESSAGE =
  /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|Connection ended unexpectedly|server closed the connection unexpectedly/i;

/**
 * Whether an error means the database is unreachable (down, restarting, or out of connections) rather than a
 * bug: such requests answer 503 with Retry-After and the pool reconnects by itself once the server is back.
 * It looks through the cause chain, since Prisma and the driver adapter wrap the pg error.
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  const seen = new Set<unknown>();
  const queue: unknown[] = [error];
  while (queue.length > 0) {
    const current = queue.shift();
    if (typeof current !== 'object' || current === null || seen.has(current)) continue;
    seen.add(current);
    // Prisma keeps the driver adapter's error under meta.driverAdapterError; everything else under cause.
    queue.push(
      (current as { cause?: unknown }).cause,
      (current as { meta?: { driverAdapterError?: unknown } }).meta?.driverAdapterError,
    );
    const fields = current as { code?: unknown; kind?: unknown; originalCode?: unknown; message?: unknown };
    const codes = [fields.code, fields.originalCode].filter((c): c is string => typeof c === 'string');
    if (
      codes.some(
        (c) => PRISMA_UNAVAILABLE.has(c) || SOCKET_UNAVAILABLE.has(c) || SQLSTATE_UNAVAILABLE.test(c),
      )
    )
      return true;
    if (typeof fields.kind === 'string' && ADAPTER_UNAVAILABLE.has(fields.kind)) return true;
    if (
      fields.kind === 'postgres' &&
      typeof fields.code === 'string' &&
      SQLSTATE_UNAVAILABLE.test(fields.code)
    )
      return true;
    if (typeof fields.message === 'string' && PG_CONNECTION_MESSAGE.test(fields.message)) return true;
  }
  return false;
}

async function errorHandlerPlugin(app: FastifyInstance): Promise<void> {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (isDatabaseUnavailable(error)) {
      request.log.warn({ err: error }, 'database unavailable');
      reply.header('retry-after', String(DATABASE_RETRY_AFTER_SECONDS));
      return sendProblem(
        request,
        reply,
        'DATABASE_UNAVAILABLE',
        'The database is unreachable. Retry after Retry-After seconds; a shipment retried with the same Idempotency-Key is never reserved twice.',
      );
    }
    if (error instanceof AppError) {
      if (error.headers) reply.headers(error.headers);
      if (error.status >= 500) request.log.error({ err: error }, 'request failed');
      return sendProblem(request, reply, error.code, error.message, error.errors);
    }
    if (error instanceof DomainError) {
      // The domain refuses inputs it cannot decide on (e.g. a chip whose class depends on an unknown density).
      return sendProblem(request, reply, 'VALIDATION_FAILED', error.message, [
        { path: 'body', message: `${error.code}: ${error.message}` },
      ]);
    }
    if (hasZodFastifySchemaValidationErrors(error)) {
      const errors = error.validation.flatMap((v) =>
        expandUnion(error.validationContext, v.instancePath, v.message, v.params),
      );
      return sendProblem(
        request,
        reply,
        'VALIDATION_FAILED',
        `The request ${error.validationContext ?? 'body'} is invalid.`,
        errors,
      );
    }
    if (error.validation) {
      const errors = error.validation.map((v) => ({
        path: formatPath(error.validationContext, v.instancePath),
        message: v.message ?? 'invalid',
      }));
      return sendProblem(request, reply, 'VALIDATION_FAILED', 'The request is invalid.', errors);
    }
    if (error.statusCode === 429) {
      return sendProblem(
        request,
        reply,
        'RATE_LIMITED',
        'Rate limit exceeded for this API key; retry later.',
      );
    }
    const mapped = error.code ? FRAMEWORK_CODES[error.code] : undefined;
    if (mapped) return sendProblem(request, reply, mapped, error.message);
    if (error instanceof SyntaxError || (error.statusCode === 400 && typeof error.code === 'string')) {
      return sendProblem(request, reply, 'VALIDATION_FAILED', 'The request body is not valid JSON.');
    }
    if (error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500) {
      request.log.warn({ err: error }, 'unmapped client error');
      return sendProblem(request, reply, 'VALIDATION_FAILED', 'The request could not be processed.');
    }
    // Anything else is our bug: log it in full, tell the caller nothing about internals.
    request.log.error({ err: error }, 'unhandled error');
    return sendProblem(
      request,
      reply,
      'INTERNAL',
      'An unexpected error occurred. Quote the requestId when reporting it.',
    );
  });

  app.setNotFoundHandler((request, reply) =>
    sendProblem(request, reply, 'NOT_FOUND', `No route for ${request.method} ${request.url.split('?')[0]}.`),
  );
}

export const errorHandler = fp(errorHandlerPlugin, { name: 'error-handler' });
