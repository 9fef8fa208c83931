import { effectiveAllocation } from '../domain/rulesets.ts';
import { AppError } from '../errors.ts';
import type { Tier } from '../domain/types.ts';
import { findCountry, listCountries, type CountryRecord } from '../repositories/country-repository.ts';
import type { Db } from '../repositories/db.ts';
import { findPool, findPools, type QuotaPoolRecord } from '../repositories/quota-repository.ts';
import type { ServiceContext } from './context.ts';
import { didYouMeanCountry } from '../reference/country-suggestions.ts';

export interface QuotaSummary {
  capTpp: number;
  reservedTpp: number;
  shippedTpp: number;
  usedTpp: number;
  remainingTpp: number;
}

/** The allocation a country's pool starts from: multiplied under a government-to-government arrangement (90 FR 4544). */
export function effectiveAllocationTpp(
  country: Pick<CountryRecord, 'allocationTpp' | 'govToGovArrangement'>,
): number | null {
  if (country.allocationTpp === null) return null;
  return effectiveAllocation(country.allocationTpp, country.govToGovArrangement);
}

/** Current balances of a country's allocation; a country nobody has reserved against yet has a full one. */
export async function countryQuotaSummary(db: Db, country: CountryRecord): Promise<QuotaSummary | null> {
  const cap = effectiveAllocationTpp(country);
  if (cap === null || country.tier !== 'TIER_2') return null;
  return summarisePool(cap, await findPool(db, 'COUNTRY_ALLOCATION', country.code, 0));
}

function summarisePool(cap: number, pool: QuotaPoolRecord | null): QuotaSummary {
  const capTpp = pool?.capTpp ?? cap;
  const reservedTpp = pool?.reservedTpp ?? 0;
  const shippedTpp = pool?.shippedTpp ?? 0;
  const usedTpp = reservedTpp + shippedTpp;
  // An officer may lower a cap below what is already held; nothing is left then, as the decision engine says.
  return { capTpp, reservedTpp, shippedTpp, usedTpp, remainingTpp: Math.max(0, capTpp - usedTpp) };
}

export async function getCountries(
  ctx: Pick<ServiceContext, 'db'>,
  input: { tier?: Tier | undefined },
): Promise<CountryRecord[]> {
  return listCountries(ctx.db, input);
}

export async function requireCountry(db: Db, code: string): Promise<CountryRecord> {
  const country = await findCountry(db, code);
  if (!country)
    throw new AppError(
      'COUNTRY_NOT_FOUND',
      `No country with ISO 3166-1 code ${code}.${didYouMeanCountry(code)}`,
    );
  return country;
}

export async function getCountry(
  ctx: Pick<ServiceContext, 'db'>,
  code: string,
): Promise<{ country: CountryRecord; quota: QuotaSummary | null }> {
  const country = await requireCountry(ctx.db, code);
  return { country, quota: await countryQuotaSummary(ctx.db, country) };
}

/** GET /v1/quotas/{code}: the allocation of a Tier 2 country; other tiers have none. */
export async function getCountryQuota(
  ctx: Pick<ServiceContext, 'db'>,
  code: string,
): Promise<{ country: CountryRecord; quota: QuotaSummary }> {
  const country = await requireCountry(ctx.db, code);
  const quota = await countryQuotaSummary(ctx.db, country);
  if (quota === null) {
    throw new AppError(
      'NO_ALLOCATION',
      `${country.name} (${country.code}) is ${country.tier.replace('_', ' ')} and has no country allocation under the AI Diffusion framework.`,
    );
  }
  return { country, quota };
}

/**
 * GET /v1/quotas: every Tier 2 country that has an allocation, with its balances, read in two queries (the
 * countries, then all their pools at once) so the console's allocation chart costs the same for 1 or 200 rows.
 */
export async function listCountryQuotas(
  ctx: Pick<ServiceContext, 'db'>,
): Promise<{ country: CountryRecord; quota: QuotaSummary }[]> {
  const countries = (await listCountries(ctx.db, { tier: 'TIER_2' })).flatMap((country) => {
    const cap = effectiveAllocationTpp(country);
    return cap === null ? [] : [{ country, cap }];
  });
  const pools = await findPools(
    ctx.db,
    countries.map(({ country }) => ({ kind: 'COUNTRY_ALLOCATION' as const, subject: country.code, year: 0 })),
  );
  const poolBySubject = new Map(pools.map((pool) => [pool.subject, pool]));
  return countries.map(({ country, cap }) => ({
    country,
    quota: summarisePool(cap, poolBySubject.get(country.code) ?? null),
  }));
}
