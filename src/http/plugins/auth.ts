import type { FastifyInstance, FastifyRequest } from 'fastify';
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
  }
  interface FastifyInstance {
    /** Every route registered so far with its access policy, in registration order. */
    routeAccess: readonly RouteAccess[];
  }
}

export interface KeyAuthenticator {
  authenticate(presentedKey: string): Promise<Actor | null>;
  /** Called when the app closes. */
  close?(): void;
}

export interface AuthOptions {
  authenticator: KeyAuthenticator;
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
  const { authenticator } = options;
  const routeAccess: RouteAccess[] = [];
  app.decorateRequest('actor', null);
  app.decorate('routeAccess', routeAccess);
  app.addHook('onClose', async () => authenticator.close?.());

  // Fail closed at boot: a route without an access policy is a programming error, not an open door.
  app.addHook('onRoute', (route) => {
    let access: AccessPolicy;
    if (isFrameworkRoute(route.url)) {
      route.config = { ...(route.config ?? {}), access: 'public' } as typeof route.config;
      access = 'public';
    } else {
      const declared = (route.config as { access?: AccessPolicy } | undefined)?.access;
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

  app.addHook('onRequest', async (request) => {
    const access = request.routeOptions.config.access;
    // Unknown URLs (404) carry no policy; they reveal nothing, so they answer as not found.
    if (access === undefined) return;
    const roles = ACCESS_POLICIES[access];
    if (roles === null) return;
    const token = bearerToken(request);
    if (token === null) {
      throw new AppError('UNAUTHENTICATED', 'Send an API key as "Authorization: Bearer <key>".', {
        headers: { 'www-authenticate': 'Bearer' },
      });
    }
    const actor = await authenticator.authenticate(token);
    if (actor === null) {
      throw new AppError('UNAUTHENTICATED', 'The API key is unknown or revoked.', {
        headers: { 'www-authenticate': 'Bearer error="invalid_token"' },
      });
    }
    request.actor = actor;
    if (!(roles as readonly string[]).includes(actor.role)) {
      throw new AppError(
        'FORBIDDEN',
        `The ${actor.role} role may not call ${request.method} ${request.routeOptions.url}.`,
      );
    }
  });
}

export const auth = fp(authPlugin, { name: 'auth', dependencies: ['error-handler'] });
