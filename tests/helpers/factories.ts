import { randomBytes, randomUUID } from 'node:crypto';
import type { Role } from '../../src/http/access.ts';
import { hashApiKey } from '../../src/services/api-keys.ts';
import type { PrismaClient } from '../../src/repositories/db.ts';
import { buildCountrySeeds } from '../../src/reference/countries.ts';
import { seededRandom, seedFor } from './seed.ts';

/** A fresh organisation (exporter), so that a test's records are its own. */
export async function createOrganisation(
  db: PrismaClient,
  name = `Test exporter ${randomUUID().slice(0, 8)}`,
) {
  return db.organisation.create({ data: { name, country: 'US' } });
}

/**
 * Creates an API key row directly and returns the secret, as an officer would have handed it out. Vendor and
 * procurement keys belong to an organisation: the one given, or a fresh one of their own.
 */
export async function createApiKey(
  db: PrismaClient,
  role: Role,
  name = `test ${role}`,
  options: { organisationId?: string; expiresAt?: Date } = {},
): Promise<{ id: string; key: string; organisationId: string | null }> {
  const key = `gec_test_${randomBytes(24).toString('base64url')}`;
  const exporter = role === 'vendor' || role === 'procurement';
  const organisationId = exporter ? (options.organisationId ?? (await createOrganisation(db)).id) : null;
  const row = await db.apiKey.create({
    data: {
      name,
      role,
      keyHash: hashApiKey(key),
      prefix: key.slice(0, 10),
      organisationId,
      expiresAt: options.expiresAt ?? null,
    },
  });
  return { id: row.id, key, organisationId };
}

export function bearer(key: string): { authorization: string } {
  return { authorization: `Bearer ${key}` };
}

const ISO_CODES = new Set(buildCountrySeeds().map((c) => c.code));
const LETTERS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
/** Codes tests use as "no such country": never created, so they stay unknown while other files run. */
export const UNKNOWN_CODES = new Set(['XZ', 'XQ', 'QQ', 'QZ']);
/**
 * Two-letter codes that are not ISO 3166-1 countries: safe for tests to create without touching real rows.
 * Q* codes and UNKNOWN_CODES are left out for tests that need a code nobody has.
 */
const SPARE_CODES = [...LETTERS]
  .flatMap((a) => [...LETTERS].map((b) => a + b))
  .filter((code) => !ISO_CODES.has(code))
  .filter((code) => !UNKNOWN_CODES.has(code) && !code.startsWith('Q'));

/** Seeded per run and per file (see seed.ts), created on first use inside a test. */
let random: (() => number) | undefined;

/**
 * A fresh Tier 2 test country with its own (small) allocation, so a test can fill it without disturbing
 * any other test running in parallel on the same database.
 */
export async function createTier2Country(
  db: PrismaClient,
  options: { allocationTpp?: number; govToGovArrangement?: boolean; name?: string } = {},
): Promise<string> {
  random ??= seededRandom(seedFor('spare country codes'));
  for (let attempt = 0; attempt < 50; attempt += 1) {
    const code = SPARE_CODES[Math.floor(random() * SPARE_CODES.length)] as string;
    const created = await db.country.createMany({
      data: [
        {
          code,
          name: options.name ?? `Testland ${randomUUID().slice(0, 8)}`,
          tier: 'TIER_2',
          tierSource: 'test fixture',
          allocationTpp: options.allocationTpp ?? 790_000_000,
          allocationSource: 'test fixture',
          govToGovArrangement: options.govToGovArrangement ?? false,
          officerModifiedAt: new Date(),
        },
      ],
      skipDuplicates: true,
    });
    if (created.count === 1) return code;
  }
  throw new Error('No spare two-letter code left for a test country');
}

let licenseSerial = 0;
/** A BIS-shaped licence number (a letter and seven digits) that no other test in this run uses. */
export function uniqueLicenseNumber(): string {
  licenseSerial += 1;
  const digits = String((process.pid % 1000) * 10_000 + (licenseSerial % 10_000)).padStart(7, '0');
  return `T${digits.slice(-7)}`;
}
