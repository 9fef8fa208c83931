import type { Prisma } from '../generated/prisma/client.ts';
import { AppError } from '../errors.ts';
import { prismaErrorCode, toNumber, toNumberOrNull, type Db } from './db.ts';

export interface PrecisionPeak {
  precision: string;
  tops: number;
  bitLength: number;
}

export interface ProductRecord {
  id: string;
  vendor: string;
  name: string;
  kind: 'CHIP' | 'SYSTEM';
  datacenter: boolean;
  peaks: PrecisionPeak[];
  dieAreaMm2: number | null;
  memoryBandwidthGBs: number | null;
  componentId: string | null;
  componentCount: number | null;
  tpp: number;
  performanceDensity: number | null;
  eccn: string;
  source: string;
  confidence: string;
}

type ProductRow = Prisma.ProductGetPayload<object>;

function toRecord(row: ProductRow): ProductRecord {
  return {
    id: row.id,
    vendor: row.vendor,
    name: row.name,
    kind: row.kind === 'SYSTEM' ? 'SYSTEM' : 'CHIP',
    datacenter: row.datacenter,
    peaks: row.peaks as unknown as PrecisionPeak[],
    dieAreaMm2: toNumberOrNull(row.dieAreaMm2),
    memoryBandwidthGBs: toNumberOrNull(row.memoryBandwidthGBs),
    componentId: row.componentId,
    componentCount: row.componentCount,
    tpp: toNumber(row.tpp),
    performanceDensity: toNumberOrNull(row.performanceDensity),
    eccn: row.eccn,
    source: row.source,
    confidence: row.confidence,
  };
}

function toData(product: ProductRecord): Prisma.ProductCreateInput {
  return { ...product, peaks: product.peaks as unknown as Prisma.InputJsonValue };
}

export async function listProducts(db: Db): Promise<ProductRecord[]> {
  const rows = await db.product.findMany({ orderBy: { id: 'asc' } });
  return rows.map(toRecord);
}

export async function findProduct(db: Db, id: string): Promise<ProductRecord | null> {
  const row = await db.product.findUnique({ where: { id } });
  return row ? toRecord(row) : null;
}

export async function findProducts(db: Db, ids: string[]): Promise<Map<string, ProductRecord>> {
  const rows = await db.product.findMany({ where: { id: { in: ids } } });
  return new Map(rows.map((row) => [row.id, toRecord(row)]));
}

export async function insertProduct(
  db: Db,
  product: ProductRecord,
  createdByOfficer: Date,
): Promise<ProductRecord> {
  try {
    const row = await db.product.create({
      data: { ...toData(product), officerModifiedAt: createdByOfficer },
    });
    return toRecord(row);
  } catch (error) {
    if (prismaErrorCode(error) === 'P2002') {
      throw new AppError('PRODUCT_EXISTS', `A product with id "${product.id}" already exists.`, {
        cause: error,
      });
    }
    throw error;
  }
}

/** Inserts missing catalogue products and refreshes seeded ones no officer has changed. */
export async function upsertProductSeeds(
  db: Db,
  products: ProductRecord[],
): Promise<{ inserted: number; refreshed: number }> {
  const existing = new Map((await db.product.findMany()).map((row) => [row.id, row]));
  let inserted = 0;
  let refreshed = 0;
  for (const product of products) {
    const current = existing.get(product.id);
    if (current === undefined) {
      await db.product.createMany({
        data: [toData(product)],
        skipDuplicates: true,
      });
      inserted += 1;
      continue;
    }
    if (current.officerModifiedAt !== null) continue;
    if (JSON.stringify(toRecord(current)) === JSON.stringify(product)) continue;
    const { count } = await db.product.updateMany({
      where: { id: product.id, officerModifiedAt: null },
      data: toData(product),
    });
    refreshed += count;
  }
  return { inserted, refreshed };
}
