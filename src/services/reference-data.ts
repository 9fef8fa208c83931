import { findCountries, listCountries, type CountryRecord } from '../repositories/country-repository.ts';
import { notify, type Db, type PrismaClient } from '../repositories/db.ts';
import { findProducts, listProducts, type ProductRecord } from '../repositories/product-repository.ts';

/** PostgreSQL channel on which every reference-data change is announced (on commit) to every process. */
export const REFERENCE_DATA_CHANNEL = 'reference_data_changed';

/** Where the evaluation reads countries and products from. */
export interface ReferenceSource {
  countries(codes: string[]): Promise<Map<string, CountryRecord>>;
  products(ids: string[]): Promise<Map<string, ProductRecord>>;
}

/** Announces a reference-data change; inside a transaction, PostgreSQL delivers it only if that commits. */
export async function announceReferenceChange(tx: Db, what: string): Promise<void> {
  await notify(tx, REFERENCE_DATA_CHANNEL, what);
}

function pick<T>(all: Map<string, T>, keys: string[]): Map<string, T> {
  const out = new Map<string, T>();
  for (const key of keys) {
    const value = all.get(key);
    if (value !== undefined) out.set(key, value);
  }
  return out;
}

/**
 * Countries and products held in memory for checks, which read them on every request: ~250 + ~20 rows that
 * change only when an officer edits them. Every change is announced on REFERENCE_DATA_CHANNEL and each process
 * drops its copy when it hears it (server.ts listens); this process also drops it at once when it makes the change.
 * The copy is also refreshed after `maxAgeMs`, a bound on staleness should a notification ever be missed.
 */
export class ReferenceDataCache implements ReferenceSource {
  private snapshot: {
    countries: Map<string, CountryRecord>;
    products: Map<string, ProductRecord>;
    loadedAt: number;
  } | null = null;
  private loading: Promise<void> | null = null;
  private generation = 0;

  constructor(
    private readonly db: PrismaClient,
    private readonly maxAgeMs = 60_000,
    private readonly clock: () => number = Date.now,
  ) {}

  invalidate(): void {
    this.generation += 1;
    this.snapshot = null;
  }

  async countries(codes: string[]): Promise<Map<string, CountryRecord>> {
    return this.withMisses(pick((await this.current()).countries, codes), codes, (missing) =>
      findCountries(this.db, missing),
    );
  }

  async products(ids: string[]): Promise<Map<string, ProductRecord>> {
    return this.withMisses(pick((await this.current()).products, ids), ids, (missing) =>
      findProducts(this.db, missing),
    );
  }

  /**
   * A key the copy lacks is looked up in the database (one indexed query, as without a cache), so a row added a
   * moment ago by another process is found at once; finding one means the copy is behind, so it is dropped.
   */
  private async withMisses<T>(
    found: Map<string, T>,
    keys: string[],
    lookup: (missing: string[]) => Promise<Map<string, T>>,
  ): Promise<Map<string, T>> {
    const missing = keys.filter((key) => !found.has(key));
    if (missing.length === 0) return found;
    const fresh = await lookup(missing);
    if (fresh.size > 0) this.invalidate();
    for (const [key, value] of fresh) found.set(key, value);
    return found;
  }

  private async current(): Promise<NonNullable<ReferenceDataCache['snapshot']>> {
    for (;;) {
      const snapshot = this.snapshot;
      if (snapshot && this.clock() - snapshot.loadedAt < this.maxAgeMs) return snapshot;
      this.loading ??= this.load().finally(() => {
        this.loading = null;
      });
      await this.loading;
    }
  }

  private async load(): Promise<void> {
    const generation = this.generation;
    const loadedAt = this.clock();
    const [countries, products] = await Promise.all([listCountries(this.db, {}), listProducts(this.db)]);
    // A change announced while we were reading may not be in what we read: keep nothing, read again.
    if (generation !== this.generation) return;
    this.snapshot = {
      countries: new Map(countries.map((c) => [c.code, c])),
      products: new Map(products.map((p) => [p.id, p])),
      loadedAt,
    };
  }
}
