/**
 * Whether an error means "the database cannot be reached right now" (as opposed to a bad query or a constraint):
 * such a request is answered 503 with Retry-After instead of 500, and counts toward the outage log.
 *
 * Errors reach us in several wrappings: node socket errors (ECONNREFUSED...), pg's own errors (a server
 * shutting down sends SQLSTATE 57P01; a dead socket is "Connection terminated"), the Prisma driver adapter's
 * mapped kinds (DatabaseNotReachable...) and Prisma's P1xxx codes. The cause chain is followed to the bottom.
 */

/** Node socket error codes: the server is down, unknown or the network between us is broken. */
const SOCKET_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
  'EAI_AGAIN',
]);

/**
 * SQLSTATEs of class 08 (connection exception) and the operator-intervention codes a server sends while it
 * shuts down, crashes or starts up (57P01-57P03); 53300 (too many connections) is a capacity outage.
 */
const SQLSTATE = /^(08[0-9A-Z]{3}|57P0[1-3]|53300)$/;

/** Prisma's "cannot reach / timed out / server closed the connection / no pool connection in time". */
const PRISMA_CODES = new Set(['P1001', 'P1002', 'P1008', 'P1017', 'P2024']);

/** Kinds @prisma/adapter-pg maps connection failures to. */
const ADAPTER_KINDS = new Set([
  'DatabaseNotReachable',
  'ConnectionClosed',
  'SocketTimeout',
  'TooManyConnections',
]);

/** pg raises these as plain Errors without a code. */
const MESSAGES = [
  /Connection terminated/i,
  /timeout exceeded when trying to connect/i,
  /Client has encountered a connection error and is not queryable/i,
  /the database system is (shutting down|starting up|in recovery mode)/i,
  /terminating connection due to administrator command/i,
  /Can't reach database server/i,
  /Server has closed the connection/i,
];

function fieldOf(value: object, name: string): unknown {
  return (value as Record<string, unknown>)[name];
}

function matchesOne(value: object): boolean {
  const code = fieldOf(value, 'code');
  if (typeof code === 'string' && (SOCKET_CODES.has(code) || SQLSTATE.test(code) || PRISMA_CODES.has(code))) {
    return true;
  }
  const originalCode = fieldOf(value, 'originalCode');
  if (typeof originalCode === 'string' && (SOCKET_CODES.has(originalCode) || SQLSTATE.test(originalCode))) {
    return true;
  }
  const kind = fieldOf(value, 'kind');
  if (typeof kind === 'string' && ADAPTER_KINDS.has(kind)) return true;
  const message = fieldOf(value, 'message');
  return typeof message === 'string' && MESSAGES.some((pattern) => pattern.test(message));
}

export function isDatabaseUnavailable(error: unknown): boolean {
  const seen = new Set<object>();
  let current: unknown = error;
  while (typeof current === 'object' && current !== null && !seen.has(current)) {
    seen.add(current);
    if (matchesOne(current)) return true;
    if (current instanceof AggregateError && current.errors.some((inner) => isDatabaseUnavailable(inner))) {
      return true;
    }
    // Prisma keeps the driver adapter's error under meta.driverAdapterError rather than as its cause.
    const meta = fieldOf(current, 'meta');
    if (
      typeof meta === 'object' &&
      meta !== null &&
      isDatabaseUnavailable(fieldOf(meta, 'driverAdapterError'))
    ) {
      return true;
    }
    current = fieldOf(current, 'cause');
  }
  return false;
}
