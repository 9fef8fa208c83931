import { z } from 'zod';
import { isRulesetId, RULE_PACKS } from './domain/rulesets.ts';

/**
 * Which proxies' X-Forwarded-For to believe for the client address (rate limits and security events key on it):
 * false (default: the socket's peer), true (any), a hop count, or comma-separated addresses / CIDRs.
 */
const TrustProxy = z
  .string()
  .trim()
  .transform((value, ctx): boolean | number | string[] => {
    if (value === '' || value === 'false') return false;
    if (value === 'true') return true;
    if (/^\d+$/.test(value)) return Number(value);
    const list = value.split(',').map((part) => part.trim());
    if (list.some((part) => !/^[0-9A-Fa-f:.]+(\/\d{1,3})?$/.test(part))) {
      ctx.addIssue({ code: 'custom', message: 'must be true, false, a hop count or addresses/CIDRs' });
      return z.NEVER;
    }
    return list;
  });

const LogLevel = z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']);

/** The service's environment, parsed once. The only reader of process.env in src/. */
export const ConfigSchema = z
  .object({
    PORT: z.coerce.number().int().min(0).max(65535).default(3000),
    HOST: z.string().min(1).default('127.0.0.1'),
    DATABASE_URL: z
      .string()
      .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// URL')
      .optional(),
    DATA_DIR: z.string().min(1).default('./.data'),
    /** Port of the embedded PostgreSQL when DATABASE_URL is not set. */
    EMBEDDED_PG_PORT: z.coerce.number().int().min(1024).max(65535).default(54329),
    LOG_LEVEL: LogLevel.default('info'),
    BOOTSTRAP_OFFICER_KEY: z
      .string()
      .min(24, 'must be at least 24 characters: it is an officer credential')
      .optional(),
    DEFAULT_RULESET: z
      .string()
      .refine(isRulesetId, { message: `must be one of ${Object.keys(RULE_PACKS).join(', ')}` })
      .default('ai-diffusion-2025'),
    /** How long a licence hold on a country allocation lasts before it is released, in days. */
    HOLD_TTL_DAYS: z.coerce.number().int().min(1).max(3650).default(180),
    /** Requests per API key per minute, across all replicas. */
    RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).default(6000),
    /** Requests per organisation (all its keys) per minute, across all replicas; applies to keys that carry one. */
    RATE_LIMIT_PER_ORGANISATION_PER_MINUTE: z.coerce.number().int().min(1).default(30000),
    /** Requests without a key or with a bad one, per client address per minute, across all replicas. */
    RATE_LIMIT_UNAUTHENTICATED_PER_MINUTE: z.coerce.number().int().min(1).default(60),
    TRUST_PROXY: TrustProxy.default(false),
    /** When set, GET /metrics needs "Authorization: Bearer <METRICS_TOKEN>". */
    METRICS_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
    /** The whole request (headers and body) must arrive within this; a slower client gets 408 and is closed. */
    REQUEST_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(30_000),
    /** The request headers must arrive within this. */
    HEADERS_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(10_000),
    /** Idle keep-alive connections are kept this long: above a reverse proxy's idle timeout (60 s is common). */
    KEEP_ALIVE_TIMEOUT_MS: z.coerce.number().int().min(1_000).max(600_000).default(65_000),
    /** A socket with no traffic at all for this long is closed. */
    CONNECTION_TIMEOUT_MS: z.coerce.number().int().min(1_000).max(3_600_000).default(75_000),
    BODY_LIMIT_BYTES: z.coerce.number().int().min(1024).default(1_048_576),
    DB_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(10),
  })
  .refine((c) => c.HEADERS_TIMEOUT_MS <= c.REQUEST_TIMEOUT_MS, {
    message: 'must not exceed REQUEST_TIMEOUT_MS',
    path: ['HEADERS_TIMEOUT_MS'],
  })
  .refine((c) => c.CONNECTION_TIMEOUT_MS > c.KEEP_ALIVE_TIMEOUT_MS, {
    message: 'must exceed KEEP_ALIVE_TIMEOUT_MS, or idle keep-alive connections are cut early',
    path: ['CONNECTION_TIMEOUT_MS'],
  });

export type Config = z.output<typeof ConfigSchema>;

export class ConfigError extends Error {}

export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const parsed = ConfigSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => `  ${issue.path.join('.')}: ${issue.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  return parsed.data;
}
