import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../../errors.ts';
import type { SharedRateLimiter } from '../../services/rate-limiter.ts';
import type { Actor } from '../access.ts';
import type { AuthGuard } from './auth.ts';

export interface ThrottleLimits {
  /** Requests per API key per window. */
  perKey: number;
  /** Requests per organisation (all its keys together) per window. */
  perOrganisation: number;
  /** Requests without a key, or with a bad one, per client address per window. */
  unauthenticatedPerAddress: number;
}

export type ThrottleScope = 'key' | 'organisation' | 'address';

function refuse(scope: ThrottleScope, limit: number, resetSeconds: number): AppError {
  const who =
    scope === 'address'
      ? 'requests without a valid API key from this address'
      : scope === 'organisation'
        ? "requests for this key's organisation"
        : 'requests for this API key';
  return new AppError(
    'RATE_LIMITED',
    `Rate limit of ${limit} ${who} a minute exceeded; retry in ${resetSeconds} s.`,
    { headers: { 'retry-after': String(resetSeconds) } },
  );
}

/**
 * The throttle around authentication. Subjects are counted in PostgreSQL (SharedRateLimiter), so every replica
 * enforces one limit:
 * - `addr:<ip>` counts requests without a key and keys that failed; once over its limit, a key this process does
 *   not already know to be valid is refused before any database lookup;
 * - `key:<id>` counts a valid key's requests, and `org:<id>` its organisation's (when keys carry one).
 * Counters are keyed on ids, never on the presented string, so rotating tokens buys nothing.
 */
export function createThrottleGuard(
  limiter: SharedRateLimiter,
  limits: ThrottleLimits,
  onRefused: (scope: ThrottleScope) => void = () => undefined,
): AuthGuard {
  const address = (request: FastifyRequest): string => `addr:${request.ip}`;

  return {
    async anonymous(request) {
      const count = await limiter.hit(address(request));
      if (count > limits.unauthenticatedPerAddress) {
        onRefused('address');
        throw refuse('address', limits.unauthenticatedPerAddress, limiter.window().resetSeconds);
      }
    },

    beforeLookup(request) {
      if (limiter.peek(address(request)) >= limits.unauthenticatedPerAddress) {
        onRefused('address');
        throw refuse('address', limits.unauthenticatedPerAddress, limiter.window().resetSeconds);
      }
    },

    failed(request) {
      // Not awaited: the 401 is the answer either way; the count is flushed with the next batch.
      void limiter.hit(address(request));
    },

    async authenticated(request: FastifyRequest, reply: FastifyReply, actor: Actor) {
      const organisationId = actor.organisationId ?? null;
      const [keyCount, orgCount] = await Promise.all([
        limiter.hit(`key:${actor.keyId}`),
        organisationId === null ? Promise.resolve(0) : limiter.hit(`org:${organisationId}`),
      ]);
      const { resetSeconds } = limiter.window();
      reply.header('x-ratelimit-limit', String(limits.perKey));
      reply.header('x-ratelimit-remaining', String(Math.max(0, limits.perKey - keyCount)));
      reply.header('x-ratelimit-reset', String(resetSeconds));
      if (keyCount > limits.perKey) {
        onRefused('key');
        throw refuse('key', limits.perKey, resetSeconds);
      }
      if (organisationId !== null && orgCount > limits.perOrganisation) {
        onRefused('organisation');
        throw refuse('organisation', limits.perOrganisation, resetSeconds);
      }
    },
  };
}
