import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { AppError } from '../../errors.ts';
import type { Actor } from '../../domain/actor.ts';
import { ACCESS_POLICIES, type AccessPolicy } from '../access.ts';

/** One registered route and who may call it: the table the role-matrix test walks. */
export interface RouteAccess {
  method: string;
  url: string;
  access: AccessPolicy;
  /** Which parts of the request the route declares a schema for. */
  validates: { params: boolean; querystring: boolean; body: boolean };
}

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: AccessPolicy;
  }
  interface FastifyRequest {
    actor: Actor | null;
    /** Why authentication or authorisation refused this request, for the security event; never the key. */
    authDenial: AuthDenial | null;
  }
  interface FastifyInstance {
    /** Every route registered so far with its access policy, in registration order. */
    routeAccess: readonly RouteAccess[];
  }
}

export interface AuthDenial {
  reason: 'missing_key' | 'invalid_key' | 'role_forbidden';
  keyId: string | null;
}

export interface KeyAuthenticator {
  authenticate(presentedKey: string): Promise<Actor | null>;
  /** What this process already knows about a key without a lookup: an actor, null (bad) or undefined. */
  peek?(presentedKey: string): Actor | null | undefined;
  /** Called when the app closes. */
  close?(): void;
}

/** Throttling around authentication (see plugins/throttle.ts); each step may refuse with a 429 AppError. */
export interface AuthGuard {
  /** No key was presented; a 401 follows unless this refuses first. */
  anonymous(request: FastifyRequest, reply: FastifyReply): Promise<void>;
  /** A key this process does not know to be valid is about to be looked up in the database. */
  beforeLookup(request: FastifyRequest, reply: FastifyReply): void;
  /** The presented key is unknown, revoked or expired. */
  failed(request: FastifyRequest): void;
  /** The key is valid: its own limits (per key, per organisation) apply. */
  authenticated(request: FastifyRequest, reply: FastifyReply, actor: Actor): Promise<void>;
}

export interface AuthOptions {
  authenticator: KeyAuthenticator;
  guard?: AuthGuard;
}

/** Routes Fastify and its plugins add for themselves: Swagger UI's assets and the document are public. */
function isFrameworkRoute(url: string): boolean {
  return url === '/docs' || url.startsWith('/docs/') || url === '/openapi.json';
}

function bearerToken(request: FastifyRequest): string | null {
  const header = request.headers.authorization;
  if (typeof header !== 'string') return null;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match?.[1] ?? null;
}

async function authPlugin(app: FastifyInstance, options: AuthOptions): Promise<void> {
  const { authenticator, guard } = options;
  const routeAccess: RouteAccess[] = [];
  app.decorateRequest('actor', null);
  app.decorateRequest('authDenial', null);
  app.decorate('routeAccess', routeAccess);
  app.addHook('onClose', async () => authenticator.close?.());

  // Fail closed at boot: a route without an access policy is a programming error, not an open door.
  app.addHook('onRoute', (route) => {
    let access: AccessPolicy;
    if (isFrameworkRoute(route.url)) {
      route.config = { ...(route.config ?? {}), access: 'public' };
      access = 'public';
    } else {
      const declared = route.config?.access;
      if (declared === undefined || !Object.hasOwn(ACCESS_POLICIES, declared)) {
        throw new Error(
          `Route ${String(route.method)} ${route.url} declares no access policy (config.access).`,
        );
      }
      access = declared;
    }
    const validates = {
      params: route.schema?.params !== undefined,
      querystring: route.schema?.querystring !== undefined,
      body: route.schema?.body !== undefined,
    };
    for (const method of [route.method].flat())
      routeAccess.push({ method, url: route.url, access, validates });
  });

  app.addHook('onRequest', async (request, reply) => {
    const access = request.routeOptions.config.access;
    // Unknown URLs (404) carry no policy; they reveal nothing, so they answer as not found.
    if (access === undefined) return;
    const roles = ACCESS_POLICIES[access];
    if (roles === null) return;
    const token = bearerToken(request);
    if (token === null) {
      await guard?.anonymous(request, reply);
      request.authDenial = { reason: 'missing_key', keyId: null };
      throw new AppError('UNAUTHENTICATED', 'Send an API key as "Authorization: Bearer <key>".', {
        headers: { 'www-authenticate': 'Bearer' },
      });
    }
    // A key not known good here may be one of many guesses: the address's failure budget is checked before
    // the database is asked, so rotating random keys cannot buy a lookup each.
    if (!authenticator.peek?.(token)) guard?.beforeLookup(request, reply);
    const actor = await authenticator.authenticate(token);
    if (actor === null) {
      guard?.failed(request);
      request.authDenial = { reason: 'invalid_key', keyId: null };
      throw new AppError('UNAUTHENTICATED', 'The API key is unknown, revoked or expired.', {
        headers: { 'www-authenticate': 'Bearer error="invalid_token"' },
      });
    }
    request.actor = actor;
    // Every log line of this request, "request completed" included, names the key (never the key itself).
    request.log = request.log.child({ keyId: actor.keyId });
    reply.log = request.log;
    await guard?.authenticated(request, reply, actor);
    if (!(roles as readonly string[]).includes(actor.role)) {
      request.authDenial = { reason: 'role_forbidden', keyId: actor.keyId };
      throw new AppError(
        'FORBIDDEN',
        `The ${actor.role} role may not call ${request.method} ${request.routeOptions.url}.`,
      );
    }
  });
}

export const auth = fp(authPlugin, { name: 'auth', dependencies: ['error-handler'] });
