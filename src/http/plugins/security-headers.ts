import helmet, { type HelmetOptions } from 'helmet';

export interface SecurityHeaders {
  /** Header names (lower case) and values, in the order helmet sets them. */
  readonly set: Readonly<Record<string, string>>;
  /** Headers helmet removes (X-Powered-By). */
  readonly remove: readonly string[];
}

/**
 * What helmet's middleware does for one configuration, recorded once. @fastify/helmet runs helmet (and, for a
 * route with its own options, builds a new helmet middleware) on every request; the headers depend only on the
 * configuration, so each route class gets them from an object computed here at startup. Only static
 * configurations are accepted: a CSP directive given as a function (a nonce) would differ per request.
 */
export function precomputeSecurityHeaders(options: Readonly<HelmetOptions>): SecurityHeaders {
  const set: Record<string, string> = {};
  const remove: string[] = [];
  let finished = false;
  const recorder = {
    setHeader(name: string, value: string | number | readonly string[]): void {
      if (typeof value !== 'string') throw new Error(`helmet set ${name} to a non-string value`);
      set[name.toLowerCase()] = value;
    },
    removeHeader(name: string): void {
      remove.push(name.toLowerCase());
    },
  };
  const middleware = helmet(options) as unknown as (
    req: object,
    res: typeof recorder,
    next: (error?: unknown) => void,
  ) => void;
  middleware({}, recorder, (error?: unknown) => {
    if (error) throw error instanceof Error ? error : new Error(`helmet failed: ${JSON.stringify(error)}`);
    finished = true;
  });
  // helmet 8's middleware is synchronous; if a future version were not, the recording would be incomplete.
  if (!finished) throw new Error('helmet did not finish synchronously; headers cannot be precomputed');
  return { set: Object.freeze(set), remove: Object.freeze(remove) };
}
