import { classifyProduct, type ProductSpec } from '../domain/catalogue.ts';
import { AppError } from '../errors.ts';
import { inTransaction, type Db } from '../repositories/db.ts';
import {
  findProduct,
  insertProduct,
  listProducts,
  type PrecisionPeak,
  type ProductRecord,
} from '../repositories/product-repository.ts';
import { recordAudit } from './audit.ts';
import { announceReferenceChange } from './reference-data.ts';
import type { ServiceContext } from './context.ts';

export function recordToSpec(record: ProductRecord): ProductSpec {
  return {
    id: record.id,
    vendor: record.vendor,
    name: record.name,
    kind: record.kind,
    datacenter: record.datacenter,
    peaks: record.peaks,
    dieAreaMm2: record.dieAreaMm2,
    memoryBandwidthGBs: record.memoryBandwidthGBs,
    ...(record.componentId !== null ? { componentId: record.componentId } : {}),
    ...(record.componentCount !== null ? { componentCount: record.componentCount } : {}),
    source: record.source,
    confidence: record.confidence,
  };
}

/** Computes TPP, PD and ECCN from the datasheet inputs with the same classifier the decision engine uses. */
export function specToRecord(
  spec: ProductSpec,
  lookupComponent: (id: string) => ProductSpec | undefined,
): ProductRecord {
  const classification = classifyProduct(spec, lookupComponent);
  return {
    id: spec.id,
    vendor: spec.vendor,
    name: spec.name,
    kind: spec.kind,
    datacenter: spec.datacenter,
    peaks: spec.peaks.map((p): PrecisionPeak => ({
      precision: p.precision,
      tops: p.tops,
      bitLength: p.bitLength,
    })),
    dieAreaMm2: spec.dieAreaMm2,
    memoryBandwidthGBs: spec.memoryBandwidthGBs,
    componentId: spec.componentId ?? null,
    componentCount: spec.componentCount ?? null,
    tpp: classification.tpp,
    performanceDensity: classification.performanceDensity,
    eccn: classification.eccn,
    source: spec.source,
    confidence: spec.confidence,
  };
}

export async function getProducts(ctx: Pick<ServiceContext, 'db'>): Promise<ProductRecord[]> {
  return listProducts(ctx.db);
}

export async function requireProduct(db: Db, id: string): Promise<ProductRecord> {
  const product = await findProduct(db, id);
  if (!product) throw new AppError('PRODUCT_NOT_FOUND', `No product with id "${id}".`);
  return product;
}

export async function getProduct(ctx: Pick<ServiceContext, 'db'>, id: string): Promise<ProductRecord> {
  return requireProduct(ctx.db, id);
}

/** An officer adds a product: its classification is computed, never taken from the caller. Audited. */
export async function createProduct(ctx: ServiceContext, spec: ProductSpec): Promise<ProductRecord> {
  const product = await inTransaction(ctx.db, async (tx) => {
    const component = spec.componentId ? await findProduct(tx, spec.componentId) : null;
    const record = specToRecord(spec, (id) =>
      component && component.id === id ? recordToSpec(component) : undefined,
    );
    const created = await insertProduct(tx, record, ctx.now());
    await announceReferenceChange(tx, `product:${spec.id}`);
    await recordAudit(tx, ctx, {
      action: 'product.create',
      targetType: 'product',
      targetId: created.id,
      payload: { before: null, after: created },
    });
    return created;
  });
  ctx.reference.invalidate();
  return product;
}
