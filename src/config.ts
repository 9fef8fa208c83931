import { z } from 'zod';
import { IN_FORCE_RULESET, isRulesetId, RULE_PACKS } from './domain/rulesets.ts';
import { isPublicKey, isSigningKey } from './crypto/audit-signing.ts';

/**
 * At least 32 bytes written as hex or base64(url): the form `openssl rand -hex 32` or `-base64 32` prints.
 * Randomness itself cannot be checked; a passphrase or a word with a prefix is refused by its alphabet or length.
 */
export function isStrongSecret(value: string): boolean {
  if (/^[0-9a-fA-F]+$/.test(value)) return value.length >= 64;
  if (/^[A-Za-z0-9+/]+={0,2}$/.test(value) || /^[A-Za-z0-9_-]+={0,2}$/.test(value)) {
    return Buffer.from(value, 'base64').length >= 32;
  }
  return false;
}

const PostgresUrl = z.string().regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// URL');
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
export const ConfigSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().min(1).default('127.0.0.1'),
  /** Required by the service (src/server.ts); unset, the launcher and the CLIs use the embedded PostgreSQL. */
  DATABASE_URL: PostgresUrl.optional(),
  /** Migrations need the owner role; the service's own role may not create tables. Default DATABASE_URL. */
  MIGRATION_DATABASE_URL: PostgresUrl.optional(),
  /** Whether src/server.ts applies pending migrations before listening (a release step otherwise). */
  MIGRATE_ON_START: z
    .enum(['true', 'false'], { message: 'must be true or false' })
    .default('false')
    .transform((value) => value === 'true'),
  DATA_DIR: z.string().min(1).default('./.data'),
  /** Port of the embedded PostgreSQL when DATABASE_URL is not set (launcher only). */
  EMBEDDED_PG_PORT: z.coerce.number().int().min(1024).max(65535).default(54329),
  LOG_LEVEL: LogLevel.default('info'),
  BOOTSTRAP_OFFICER_KEY: z
    .string()
    .refine(isStrongSecret, {
      message:
        'must be at least 32 random bytes written as hex (64+ characters) or base64/base64url (43+ characters), e.g. $(openssl rand -hex 32): it is an officer credential',
    })
    .optional(),
  DEFAULT_RULESET: z
    .string()
    .refine((id) => id === IN_FORCE_RULESET || isRulesetId(id), {
      message: `must be one of ${[...Object.keys(RULE_PACKS), IN_FORCE_RULESET].join(', ')}`,
    })
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
  NODE_ENV: z.string().optional(),
  /** Ed25519 private key that signs audit checkpoints; required when NODE_ENV=production. */
  AUDIT_SIGNING_KEY: z
    .string()
    .refine(isSigningKey, {
      message:
        'must be an Ed25519 private key: PKCS#8 PEM (openssl genpkey -algorithm ed25519) or a 32-byte seed in hex or base64',
    })
    .optional(),
  /** Public keys of earlier signing keys whose checkpoints stay trusted, comma-separated. */
  AUDIT_TRUSTED_PUBLIC_KEYS: z
    .string()
    .refine((v) => v.split(',').every((k) => k.trim() === '' || isPublicKey(k)), {
      message: 'must be Ed25519 public keys (raw 32 bytes in base64 or hex, or SPKI PEM), comma-separated',
    })
    .optional(),
  AUDIT_CHECKPOINT_EVERY: z.coerce.number().int().min(0).default(1000),
  AUDIT_CHECKPOINT_INTERVAL_SECONDS: z.coerce.number().int().min(0).default(60),
  /** Most bytes of event content one audit listing or verification page holds in memory. */
  AUDIT_PAGE_BYTES: z.coerce.number().int().min(65_536).default(4_194_304),
  /** Request body bytes admitted at once (by Content-Length); beyond it requests are 503 until some finish. */
  ADMISSION_MAX_BYTES: z.coerce.number().int().min(65_536).default(4_194_304),
  /** Order lines evaluated at once across all callers; beyond it 503. */
  ADMISSION_MAX_LINES: z.coerce.number().int().min(1).default(6_000),
  /** Order lines one API key may have in evaluation at once; beyond it 429. */
  ADMISSION_MAX_LINES_PER_KEY: z.coerce.number().int().min(1).default(2_000),
  /** Orders (or batches) of more lines than this are heavy and take turns in the heavy lane. */
  ADMISSION_HEAVY_LINES: z.coerce.number().int().min(1).default(50),
  /** Heavy orders evaluated at once per process; the rest wait in arrival order (already admitted). */
  ADMISSION_HEAVY_CONCURRENCY: z.coerce.number().int().min(1).default(1),
  /** Screening score at or above which a party is a hit (licence required, reservations refused). */
  SCREENING_HIT_THRESHOLD: z.coerce.number().min(0.3).max(1).default(0.9),
  /**
   * Score at or above which a party is a possible match (REVIEW), at most the hit threshold, and at least 0.1
   * above SCREENING_COUNTRY_BONUS: the search asks pg_trgm for names from (this - bonus) up, and a name that
   * shares no trigram with the party must never be a possible match on its country alone.
   */
  SCREENING_REVIEW_THRESHOLD: z.coerce.number().min(0.3).max(1).default(0.6),
  /** Added to the score when the party's country is one of the entry's. */
  SCREENING_COUNTRY_BONUS: z.coerce.number().min(0).max(0.5).default(0.1),
  /** Subtracted when both have countries and none agrees: the same name elsewhere is a possible match. */
  SCREENING_COUNTRY_MISMATCH_PENALTY: z.coerce.number().min(0).max(0.5).default(0.15),
  /** Largest body POST /v1/screening-lists accepts (the CSL file is tens of MB; the CLI streams any size). */
  SCREENING_IMPORT_BODY_LIMIT_BYTES: z.coerce.number().int().min(1024).default(134_217_728),
});

export type Config = z.output<typeof ConfigSchema>;

export class ConfigError extends Error {}

export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const parsed = ConfigSchema.superRefine((config, issues) => {
    if (config.HEADERS_TIMEOUT_MS > config.REQUEST_TIMEOUT_MS) {
      issues.addIssue({
        code: 'custom',
        path: ['HEADERS_TIMEOUT_MS'],
        message: 'must not exceed REQUEST_TIMEOUT_MS',
      });
    }
    if (config.CONNECTION_TIMEOUT_MS <= config.KEEP_ALIVE_TIMEOUT_MS) {
      issues.addIssue({
        code: 'custom',
        path: ['CONNECTION_TIMEOUT_MS'],
        message: 'must exceed KEEP_ALIVE_TIMEOUT_MS, or idle keep-alive connections are cut early',
      });
    }
    if (config.NODE_ENV === 'production' && config.AUDIT_SIGNING_KEY === undefined) {
      issues.addIssue({
        code: 'custom',
        path: ['AUDIT_SIGNING_KEY'],
        message:
          'is required when NODE_ENV=production: without it checkpoints are signed by a key that dies with the process',
      });
    }
    if (config.SCREENING_REVIEW_THRESHOLD > config.SCREENING_HIT_THRESHOLD) {
      issues.addIssue({
        code: 'custom',
        path: ['SCREENING_REVIEW_THRESHOLD'],
        message: 'must not be above SCREENING_HIT_THRESHOLD',
      });
    }
    if (config.SCREENING_REVIEW_THRESHOLD - config.SCREENING_COUNTRY_BONUS < 0.1 - 1e-9) {
      issues.addIssue({
        code: 'custom',
        path: ['SCREENING_REVIEW_THRESHOLD'],
        message:
          'must be at least 0.1 above SCREENING_COUNTRY_BONUS: a name that shares almost nothing with a listed one must not become a possible match on its country alone',
      });
    }
  }).safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => `  ${issue.path.join('.')}: ${issue.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  return parsed.data;
}

/**
 * Only where the database is: for the database commands (src/cli/db.ts), which run as a release step without
 * the service's secrets (a migrate job in production has no audit signing key, and needs none).
 */
export function loadDatabaseConfig(
  env: Record<string, string | undefined> = process.env,
): Pick<Config, 'DATABASE_URL' | 'DATA_DIR'> {
  const parsed = ConfigSchema.pick({ DATABASE_URL: true, DATA_DIR: true }).safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => `  ${issue.path.join('.')}: ${issue.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  return parsed.data;
}
