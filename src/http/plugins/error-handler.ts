import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { isDatabaseUnavailable } from '../../db/unavailable.ts';
import { DomainError } from '../../domain/errors.ts';
import { AppError, ERROR_CATALOGUE, type ErrorCode, type FieldError } from '../../errors.ts';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Body media types a route accepts besides JSON, named in its 415 answer (e.g. text/csv). */
    alsoAccepts?: readonly string[];
  }
}

/** A 415 that says what to send instead. */
function unsupportedMediaTypeDetail(request: FastifyRequest): string {
  const sent = request.headers['content-type'];
  const what = sent ? `Content-Type "${sent.slice(0, 100)}" is not accepted` : 'The body has no Content-Type';
  const others = request.routeOptions.config?.alsoAccepts ?? [];
  const alternatives = others.map((type) => ` or "Content-Type: ${type}"`).join('');
  return `${what}: send the body as JSON with "Content-Type: application/json"${alternatives}.`;
}

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

/** The RFC 9457 body for a code; batch entries carry one each, inside a 200. */
export function problemBody(
  request: FastifyRequest,
  code: ErrorCode,
  detail: string,
  errors?: FieldError[],
): ProblemBody {
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
  return body;
}

export function sendProblem(
  request: FastifyRequest,
  reply: FastifyReply,
  code: ErrorCode,
  detail: string,
  errors?: FieldError[],
): FastifyReply {
  const body = problemBody(request, code, detail, errors);
  const { status } = body;
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

async function errorHandlerPlugin(app: FastifyInstance): Promise<void> {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (!(error instanceof AppError && error.status < 500) && isDatabaseUnavailable(error)) {
      // Logged once per outage by the monitor, not once per request.
      const outage = request.server.deps.outage;
      outage.failed(error);
      reply.header('retry-after', String(outage.retryAfterSeconds));
      return sendProblem(
        request,
        reply,
        'DATABASE_UNAVAILABLE',
        `The database is unreachable; retry in ${outage.retryAfterSeconds} s.`,
      );
    }
    if (error instanceof AppError) {
      if (error.headers) reply.headers(error.headers);
      if (error.status >= 500 && error.code !== 'DATABASE_UNAVAILABLE') {
        request.log.error({ err: error }, 'request failed');
      }
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
    // A validation failure always names where it is (API.md): for these, the body as a whole, or the URL.
    const at = (message: string): FieldError[] => [
      { path: error.code === 'FST_ERR_BAD_URL' ? 'params' : 'body', message },
    ];
    const mapped = error.code ? FRAMEWORK_CODES[error.code] : undefined;
    if (mapped === 'UNSUPPORTED_MEDIA_TYPE')
      return sendProblem(request, reply, mapped, unsupportedMediaTypeDetail(request));
    if (mapped) {
      const errors = mapped === 'VALIDATION_FAILED' ? at(error.message) : undefined;
      return sendProblem(request, reply, mapped, error.message, errors);
    }
    if (error instanceof SyntaxError || (error.statusCode === 400 && typeof error.code === 'string')) {
      const detail = 'The request body is not valid JSON.';
      return sendProblem(request, reply, 'VALIDATION_FAILED', detail, at(detail));
    }
    if (error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500) {
      request.log.warn({ err: error }, 'unmapped client error');
      const detail = 'The request could not be processed.';
      return sendProblem(request, reply, 'VALIDATION_FAILED', detail, at(detail));
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
