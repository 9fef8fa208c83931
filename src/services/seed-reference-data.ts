import { findSeedProduct, SEED_PRODUCTS } from '../domain/catalogue.ts';
import { buildCountrySeeds } from '../reference/countries.ts';
import { upsertCountrySeeds } from '../repositories/country-repository.ts';
import { advisoryTransactionLock, inTransaction, type PrismaClient } from '../repositories/db.ts';

const SEED_LOCK = 0x73656564; // 'seed'
import { upsertProductSeeds } from '../repositories/product-repository.ts';
import { specToRecord } from './products.ts';
import { announceReferenceChange } from './reference-data.ts';

export interface SeedResult {
  countries: { inserted: number; refreshed: number };
  products: { inserted: number; refreshed: number };
}

/**
 * Startup work, not a request: instances starting together queue on the seed lock, and a busy machine may take
 * longer than Prisma's 5 s default for the whole load (seen on a loaded CI machine).
 */
const SEED_TX_OPTIONS = { maxWait: 60_000, timeout: 120_000 };

/**
 * Loads the reference data: every ISO 3166-1 country with its tier, and the GPU catalogue. Idempotent, run at
 * every start and by `npm run db:seed`; rows an officer changed are never overwritten.
 */
export async function seedReferenceData(db: PrismaClient): Promise<SeedResult> {
  const products = SEED_PRODUCTS.map((spec) => specToRecord(spec, findSeedProduct));
  return inTransaction(
    db,
    async (tx) => {
      // One loader at a time across processes: two instances starting together must not race on inserts.
      await advisoryTransactionLock(tx, SEED_LOCK);
      const countries = await upsertCountrySeeds(tx, buildCountrySeeds());
      const productResult = await upsertProductSeeds(tx, products);
      const changed =
        countries.inserted + countries.refreshed + productResult.inserted + productResult.refreshed;
      if (changed > 0) await announceReferenceChange(tx, 'seed');
      return { countries, products: productResult };
    },
    SEED_TX_OPTIONS,
  );
}
