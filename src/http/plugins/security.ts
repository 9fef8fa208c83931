import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { z } from 'zod';
import { AppError } from '../../errors.ts';
import { precomputeSecurityHeaders, type SecurityHeaders } from './security-headers.ts';

/** JSON answers are never rendered as documents: they may load nothing and be framed by nobody. */
const API_CSP = {
  defaultSrc: ["'none'"],
  baseUri: ["'none'"],
  formAction: ["'none'"],
  frameAncestors: ["'none'"],
};

/**
 * Swagger UI is served from the package (no CDN): its scripts and styles come from 'self', it sets inline
 * styles, draws icons from data: URIs and calls the API from the page. No upgrade-insecure-requests: the
 * service is often reached over plain HTTP inside a closed network, where upgrading would break every asset.
 */
const DOCS_CSP = {
  defaultSrc: ["'self'"],
  baseUri: ["'self'"],
  connectSrc: ["'self'"],
  fontSrc: ["'self'", 'data:'],
  formAction: ["'self'"],
  frameAncestors: ["'none'"],
  imgSrc: ["'self'", 'data:'],
  objectSrc: ["'none'"],
  scriptSrc: ["'self'"],
  scriptSrcAttr: ["'none'"],
  styleSrc: ["'self'", "'unsafe-inline'"],
};

/**
 * The console (/console) is our own page, so it gets what Swagger UI cannot have: scripts and styles from 'self'
 * only, no inline script, no inline style, no inline event handler, no data: URIs, and Trusted Types enforced
 * (the page builds its DOM from text nodes, never from HTML strings). It talks only to this service; forms never
 * navigate (they are handled in script), so a failed script can never send the API key in a query string.
 */
const CONSOLE_CSP = {
  defaultSrc: ["'none'"],
  baseUri: ["'none'"],
  connectSrc: ["'self'"],
  formAction: ["'none'"],
  frameAncestors: ["'none'"],
  imgSrc: ["'self'"],
  objectSrc: ["'none'"],
  scriptSrc: ["'self'"],
  scriptSrcAttr: ["'none'"],
  styleSrc: ["'self'"],
  styleSrcAttr: ["'none'"],
  requireTrustedTypesFor: ["'script'"],
  trustedTypes: ["'none'"],
};

/** helmet's options for every answer; the documentation pages differ only in their CSP. */
export const API_HELMET_OPTIONS = {
  contentSecurityPolicy: { useDefaults: false, directives: API_CSP },
  crossOriginResourcePolicy: { policy: 'same-origin' },
  frameguard: { action: 'deny' },
  referrerPolicy: { policy: 'no-referrer' },
} as const;

export const DOCS_HELMET_OPTIONS = {
  ...API_HELMET_OPTIONS,
  contentSecurityPolicy: { useDefaults: false, directives: DOCS_CSP },
} as const;

export const CONSOLE_HELMET_OPTIONS = {
  ...API_HELMET_OPTIONS,
  contentSecurityPolicy: { useDefaults: false, directives: CONSOLE_CSP },
} as const;

const API_HEADERS = precomputeSecurityHeaders(API_HELMET_OPTIONS);
const CONSOLE_HEADERS = precomputeSecurityHeaders(CONSOLE_HELMET_OPTIONS);
const DOCS_HEADERS = precomputeSecurityHeaders(DOCS_HELMET_OPTIONS);

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The precomputed security headers for this route's class (set in onRoute). */
    securityHeaders?: SecurityHeaders;
  }
}

const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** For operations that declare no body: none (or an empty object, which some clients always send) is fine. */
async function refuseBody(request: FastifyRequest): Promise<void> {
  const body: unknown = request.body;
  if (body === undefined || body === null) return;
  if (typeof body === 'object' && !Array.isArray(body) && Object.keys(body).length === 0) return;
  throw new AppError('VALIDATION_FAILED', 'This operation takes no request body.', {
    errors: [{ path: 'body', message: 'must be empty' }],
  });
}

function isDocsRoute(url: string): boolean {
  return url === '/docs' || url.startsWith('/docs/');
}

function isConsoleRoute(url: string): boolean {
  return url === '/console' || url.startsWith('/console/');
}

type JsonParser = (
  request: FastifyRequest,
  body: string,
  done: (error: Error | null, value?: unknown) => void,
) => void;

// eslint-disable-next-line no-control-regex -- U+0000 is precisely what this looks for
const UNSTORABLE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * The path of the first string (value or key) holding U+0000 or an unpaired surrogate, or null. PostgreSQL
 * can store neither in text or jsonb, so such input would fail deep inside a transaction as a 500; no real
 * name, id or date contains them. Walks iteratively: a body may nest as deep as its size allows.
 */
export function findUnstorableString(value: unknown, root: string): string | null {
  const stack: [unknown, string][] = [[value, root]];
  while (stack.length > 0) {
    const [node, path] = stack.pop() as [unknown, string];
    if (typeof node === 'string') {
      if (UNSTORABLE.test(node)) return path;
    } else if (Array.isArray(node)) {
      for (let i = node.length - 1; i >= 0; i -= 1) stack.push([node[i], `${path}[${i}]`]);
    } else if (node !== null && typeof node === 'object') {
      for (const [key, child] of Object.entries(node)) {
        if (UNSTORABLE.test(key)) return path;
        stack.push([child, `${path}.${key}`]);
      }
    }
  }
  return null;
}

export function unstorableError(path: string): AppError {
  return new AppError('VALIDATION_FAILED', 'Text may not contain U+0000 or unpaired UTF-16 surrogates.', {
    errors: [{ path, message: 'contains U+0000 or an unpaired surrogate' }],
  });
}

async function securityPlugin(app: FastifyInstance): Promise<void> {
  app.addHook('onRoute', (route) => {
    if (isDocsRoute(route.url)) {
      route.config = { ...(route.config ?? {}), securityHeaders: DOCS_HEADERS };
    }
    if (isConsoleRoute(route.url)) {
      route.config = { ...(route.config ?? {}), securityHeaders: CONSOLE_HEADERS };
    }
    // A /v1 route that reads no query (or no body) still refuses one, so a misspelt field never passes silently.
    // The body guard is a hook rather than a schema so that the documented contract stays "no request body".
    if (route.url.startsWith('/v1/')) {
      if (route.schema?.querystring === undefined) {
        route.schema = { ...(route.schema ?? {}), querystring: z.strictObject({}) };
      }
      const methods = [route.method].flat();
      if (route.schema.body === undefined && methods.some((m) => BODY_METHODS.has(m))) {
        route.preValidation = [route.preValidation ?? []].flat().concat(refuseBody);
      }
    }
  });

  // The same headers @fastify/helmet set with these options (tests/integration compares them), from objects
  // built once instead of a helmet middleware run (or built, for the docs) on every request. First hook, as
  // helmet's was, so refusals by the limiter and authentication carry them too.
  app.addHook('onRequest', (request, reply, done) => {
    const headers = request.routeOptions.config.securityHeaders ?? API_HEADERS;
    reply.headers(headers.set);
    for (const name of headers.remove) reply.raw.removeHeader(name);
    done();
  });

  // Only JSON bodies are understood; anything else (text/plain included) is 415, not a string to validate.
  app.removeContentTypeParser('text/plain');

  const parseJson = app.getDefaultJsonParser('error', 'error') as JsonParser;
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    // An empty body with a JSON content type is "no body" (curl -X POST -H 'content-type: application/json'):
    // routes whose body is optional accept it, the others answer their usual 400 for a missing body.
    if ((body as string).trim() === '') return done(null, undefined);
    parseJson(request, body as string, (error, value) => {
      if (error) return done(error, undefined);
      const bad = findUnstorableString(value, 'body');
      if (bad !== null) return done(unstorableError(bad), undefined);
      return done(null, value);
    });
  });
  app.addHook('preValidation', async (request) => {
    const bad =
      findUnstorableString(request.params, 'params') ?? findUnstorableString(request.query, 'querystring');
    if (bad !== null) throw unstorableError(bad);
  });

  app.addHook('onSend', async (request, reply) => {
    // Answers carry decisions and, once, new secrets: no cache along the way may keep them.
    if (request.url.startsWith('/v1/') && !reply.hasHeader('cache-control'))
      reply.header('cache-control', 'no-store');
  });
}

export const security = fp(securityPlugin, { name: 'security', dependencies: ['error-handler'] });
