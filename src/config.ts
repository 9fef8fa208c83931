import { z } from 'zod';
import { IN_FORCE_RULESET, isRulesetId, RULE_PACKS } from './domain/rulesets.ts';

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
      .refine((id) => id === IN_FORCE_RULESET || isRulesetId(id), {
        message: `must be one of ${[...Object.keys(RULE_PACKS), IN_FORCE_RULESET].join(', ')}`,
      })
      .default('ai-diffusion-2025'),
    /** How long a licence hold on a country allocation lasts before it is released, in days. */
    HOLD_TTL_DAYS: z.coerce.number().int().min(1).max(3650).default(180),
    RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).default(6000),
    BODY_LIMIT_BYTES: z.coerce.number().int().min(1024).default(1_048_576),
    DB_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(10),
    /** Screening score at or above which a party is a hit (licence required, reservations refused). */
    SCREENING_HIT_THRESHOLD: z.coerce.number().min(0.3).max(1).default(0.9),
    /**
     * Score at or above which a party is a possible match (REVIEW). At least 0.3: pg_trgm's index finds candidates
     * from a similarity of 0.3.
     */
    SCREENING_REVIEW_THRESHOLD: z.coerce.number().min(0.3).max(1).default(0.6),
    /** Added to the score when the party's country is one of the entry's. */
    SCREENING_COUNTRY_BONUS: z.coerce.number().min(0).max(0.5).default(0.1),
    /** Subtracted when both have countries and none agrees: the same name elsewhere is a possible match. */
    SCREENING_COUNTRY_MISMATCH_PENALTY: z.coerce.number().min(0).max(0.5).default(0.15),
    /** Largest body POST /v1/screening-lists accepts (the CSL file is tens of MB; the CLI streams any size). */
    SCREENING_IMPORT_BODY_LIMIT_BYTES: z.coerce.number().int().min(1024).default(134_217_728),
  })
  .refine((c) => c.SCREENING_REVIEW_THRESHOLD <= c.SCREENING_HIT_THRESHOLD, {
    message: 'must not be above SCREENING_HIT_THRESHOLD',
    path: ['SCREENING_REVIEW_THRESHOLD'],
  });

export type Config = z.infer<typeof ConfigSchema>;

export class ConfigError extends Error {}

export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const parsed = ConfigSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => `  ${issue.path.join('.')}: ${issue.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  return parsed.data;
}
