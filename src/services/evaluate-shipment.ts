import { classifyChip, classifySystem } from '../domain/classify.ts';
import { classifyProduct } from '../domain/catalogue.ts';
import { yearOf } from '../domain/dates.ts';
import { decideShipment } from '../domain/decide.ts';
import { ClassificationError } from '../domain/errors.ts';
import { lineTpp } from '../domain/tpp.ts';
import {
  countryAllocationCap,
  getRulePack,
  IN_FORCE_RULESET,
  isRulesetId,
  rulePackInForceOn,
} from '../domain/rulesets.ts';
import { decidingTier } from '../domain/tiers.ts';
import type {
  ClassifiedItem,
  Decision,
  RulesetId,
  RulesetSelection,
  Transaction,
  VerifiedEndUserKind,
} from '../domain/types.ts';
import { validationError, type FieldError } from '../errors.ts';
import type { CountryRecord } from '../repositories/country-repository.ts';
import type { Db } from '../repositories/db.ts';
import type { ProductRecord } from '../repositories/product-repository.ts';
import { findPools, type PoolKey, type QuotaPoolRecord } from '../repositories/quota-repository.ts';
import { didYouMeanCountry } from '../reference/country-suggestions.ts';
import { isoDate, type ServiceContext } from './context.ts';
import { effectiveAllocationTpp } from './countries.ts';
import { recordToSpec } from './products.ts';
import type { ReferenceSource } from './reference-data.ts';
import { screenParties, screeningThresholds, shipmentParties } from './screening.ts';
import type { ScreeningResult } from '../domain/screening.ts';

export interface CatalogueLine {
  productId: string;
  quantity: number;
}

export interface CustomLine {
  description?: string | undefined;
  kind?: 'CHIP' | 'SYSTEM' | undefined;
  /** TPP of one unit (for a system: all its chips together). */
  tpp: number;
  performanceDensity: number | null;
  datacenter: boolean;
  /** For a custom system: how many chips one unit holds. */
  chipsPerUnit?: number | undefined;
  memoryBandwidthGBs?: number | null | undefined;
  quantity: number;
}

export type ShipmentLine = CatalogueLine | CustomLine;

/** A proposed shipment, as POST /v1/checks and POST /v1/shipments receive it (after wire validation). */
export interface ShipmentRequest {
  destination: string;
  items: ShipmentLine[];
  endUser: { name: string; headquarters: string; verifiedEndUser: VerifiedEndUserKind | null };
  consignee?: string | undefined;
  shipDate?: string | undefined;
  ruleset?: string | undefined;
  transaction?: Transaction | undefined;
  exportFrom?: string | undefined;
}

/** The request with its defaults applied: what was actually decided. */
export interface ResolvedRequest {
  destination: string;
  headquarters: string;
  endUserName: string;
  verifiedEndUser: VerifiedEndUserKind | null;
  consignee: string;
  /** The consignee as a party: null when a check names one nobody has shipped to yet. */
  consigneeId: string | null;
  /** Pool subject of the consignee's LPP budget: its party id, so no spelling of a name opens a new budget. */
  consigneeKey: string;
  shipDate: string;
  ruleset: RulesetId;
  rulesetSelection: RulesetSelection;
  transaction: Transaction;
  exportFrom: string | null;
}

export interface PoolRequests {
  country: { code: string; capTpp: number } | null;
  lpp: { consigneeKey: string; year: number; capTpp: number } | null;
}

export interface PoolBalances {
  country: QuotaPoolRecord | null;
  lpp: QuotaPoolRecord | null;
}

export interface PreparedShipment {
  request: ShipmentRequest;
  resolved: ResolvedRequest;
  destination: CountryRecord;
  headquarters: CountryRecord;
  exportFrom: CountryRecord | null;
  items: ClassifiedItem[];
  pack: RulesetId;
  /** The pools a decision reads (country allocation, consignee's LPP budget) where the destination has them. */
  pools: PoolRequests;
  /** The parties screened against the latest restricted-party list; null when no database was given. */
  screening: ScreeningResult | null;
}

export interface Evaluation {
  resolved: ResolvedRequest;
  destination: CountryRecord;
  decision: Decision;
  countryPool: QuotaPoolRecord | null;
  lppPool: QuotaPoolRecord | null;
}

/** Reads the pools a decision needs; the ledger passes a reader that creates and locks them. */
export type PoolReader = (
  db: Db,
  pools: {
    country: { code: string; capTpp: number } | null;
    lpp: { consigneeKey: string; year: number; capTpp: number } | null;
  },
) => Promise<{ country: QuotaPoolRecord | null; lpp: QuotaPoolRecord | null }>;

export const readPools: PoolReader = async (db, pools) => {
  const keys: PoolKey[] = [];
  if (pools.country) keys.push({ kind: 'COUNTRY_ALLOCATION', subject: pools.country.code, year: 0 });
  if (pools.lpp) keys.push({ kind: 'LPP', subject: pools.lpp.consigneeKey, year: pools.lpp.year });
  const found = await findPools(db, keys);
  return {
    country: found.find((p) => p.kind === 'COUNTRY_ALLOCATION') ?? null,
    lpp: found.find((p) => p.kind === 'LPP') ?? null,
  };
};

/** The consignee a decision is about, resolved to a party before preparing (see parties.ts). */
export interface ConsigneeRef {
  /** null: no party with this identity exists yet (a check does not record one). */
  id: string | null;
  name: string;
  /** The folded identity (party-identity.ts); names the LPP budget of a consignee not yet recorded. */
  identityKey: string;
}

/** The LPP pool subject: the party id; an unrecorded consignee has used nothing, under a subject no party has. */
export function lppSubject(consignee: ConsigneeRef): string {
  return consignee.id ?? `unrecorded:${consignee.identityKey}`;
}

/**
 * The same classified line for another quantity: TPP scales with the units, nothing else changes. Checks and plans
 * both size lines here, so a plan's boundary is computed exactly as a check totals its order.
 */
export function itemWithQuantity(item: ClassifiedItem, quantity: number): ClassifiedItem {
  return { ...item, quantity, tpp: lineTpp(item.tppPerUnit, quantity) };
}

function isCatalogueLine(line: ShipmentLine): line is CatalogueLine {
  return 'productId' in line;
}

function classifyCustom(line: CustomLine, path: string, errors: FieldError[]): ClassifiedItem | null {
  try {
    const kind = line.kind ?? 'CHIP';
    const chipsPerUnit = kind === 'SYSTEM' ? (line.chipsPerUnit ?? 1) : 1;
    const chip = classifyChip({
      tpp: line.tpp / chipsPerUnit,
      performanceDensity: line.performanceDensity,
      datacenter: line.datacenter,
    });
    const unit =
      kind === 'SYSTEM'
        ? classifySystem(
            {
              tpp: line.tpp / chipsPerUnit,
              performanceDensity: line.performanceDensity,
              eccn: chip.eccn,
              note2Applied: chip.note2Applied,
            },
            chipsPerUnit,
          )
        : { eccn: chip.eccn, note2Applied: chip.note2Applied };
    return itemWithQuantity(
      {
        ...(line.description !== undefined ? { description: line.description } : {}),
        quantity: line.quantity,
        eccn: unit.eccn,
        tppPerUnit: line.tpp,
        tpp: 0,
        note2Applied: unit.note2Applied,
        datacenter: line.datacenter,
        chipTpp: line.tpp / chipsPerUnit,
        memoryBandwidthGBs: line.memoryBandwidthGBs ?? null,
      },
      line.quantity,
    );
  } catch (error) {
    if (error instanceof ClassificationError) {
      errors.push({ path: `${path}.performanceDensity`, message: error.message });
      return null;
    }
    throw error;
  }
}

function classifyCatalogue(
  line: CatalogueLine,
  product: ProductRecord,
  components: Map<string, ProductRecord>,
): ClassifiedItem {
  const component = (id: string) => {
    const found = components.get(id);
    return found ? recordToSpec(found) : undefined;
  };
  const c = classifyProduct(recordToSpec(product), component);
  return itemWithQuantity(
    {
      productId: product.id,
      quantity: line.quantity,
      eccn: c.eccn,
      tppPerUnit: c.tpp,
      tpp: 0,
      note2Applied: c.note2Applied,
      datacenter: product.datacenter,
      chipTpp: c.chipTpp,
      memoryBandwidthGBs: c.memoryBandwidthGBs,
    },
    line.quantity,
  );
}

/**
 * Everything about a proposed shipment that does not depend on quota balances: the request validated against the
 * reference data (unknown codes and products are 400 with their paths), its defaults applied and its lines
 * classified, and the pools a decision on it reads.
 */
export async function prepareShipment(
  ctx: Pick<ServiceContext, 'config' | 'now'> & { db?: Db },
  request: ShipmentRequest,
  reference: ReferenceSource,
  consigneeRef: ConsigneeRef,
): Promise<PreparedShipment> {
  const errors: FieldError[] = [];
  const shipDate = request.shipDate ?? isoDate(ctx.now());
  const asked = request.ruleset ?? ctx.config.DEFAULT_RULESET;
  const rulesetSelection: RulesetSelection =
    asked === IN_FORCE_RULESET ? 'IN_FORCE' : request.ruleset === undefined ? 'DEFAULT' : 'REQUESTED';
  // "in-force": the pack legally in force on the ship date (API.md, "Batch checks and records").
  const rulesetId = asked === IN_FORCE_RULESET ? rulePackInForceOn(shipDate) : asked;
  if (rulesetId === null) {
    errors.push({
      path: request.ruleset === undefined ? 'body.shipDate' : 'body.ruleset',
      message: `no rule pack was in force on ${shipDate}; name one (GET /v1/rulesets lists them and their dates)`,
    });
  } else if (!isRulesetId(rulesetId)) {
    errors.push({
      path: 'body.ruleset',
      message: `unknown rule pack "${rulesetId}"; GET /v1/rulesets lists them, or use "in-force"`,
    });
  }
  const destinationCode = request.destination.toUpperCase();
  const headquartersCode = request.endUser.headquarters.toUpperCase();
  const exportFromCode = request.exportFrom?.toUpperCase() ?? null;
  const productIds = [...new Set(request.items.filter(isCatalogueLine).map((line) => line.productId))];
  const [countries, products] = await Promise.all([
    reference.countries([
      ...new Set([destinationCode, headquartersCode, ...(exportFromCode ? [exportFromCode] : [])]),
    ]),
    productIds.length > 0
      ? reference.products(productIds)
      : Promise.resolve(new Map<string, ProductRecord>()),
  ]);
  const destination = countries.get(destinationCode);
  const hq = countries.get(headquartersCode);
  if (!destination)
    errors.push({
      path: 'body.destination',
      message: `unknown country code ${destinationCode}.${didYouMeanCountry(destinationCode)}`,
    });
  if (!hq)
    errors.push({
      path: 'body.endUser.headquarters',
      message: `unknown country code ${headquartersCode}.${didYouMeanCountry(headquartersCode)}`,
    });
  const exportFrom = exportFromCode ? (countries.get(exportFromCode) ?? null) : null;
  if (exportFromCode && !exportFrom)
    errors.push({
      path: 'body.exportFrom',
      message: `unknown country code ${exportFromCode}.${didYouMeanCountry(exportFromCode)}`,
    });

  const componentIds = [...products.values()]
    .map((p) => p.componentId)
    .filter((id): id is string => id !== null && !products.has(id));
  const components = new Map(products);
  if (componentIds.length > 0)
    for (const [id, p] of await reference.products(componentIds)) components.set(id, p);

  const items: ClassifiedItem[] = [];
  request.items.forEach((line, index) => {
    const path = `body.items[${index}]`;
    if (isCatalogueLine(line)) {
      const product = products.get(line.productId);
      if (!product) {
        errors.push({
          path: `${path}.productId`,
          message: `unknown product "${line.productId}"; GET /v1/products lists them`,
        });
        return;
      }
      items.push(classifyCatalogue(line, product, components));
      return;
    }
    const item = classifyCustom(line, path, errors);
    if (item) items.push(item);
  });

  if (errors.length > 0 || !destination || !hq || rulesetId === null || !isRulesetId(rulesetId))
    throw validationError(errors);

  const pack = getRulePack(rulesetId);
  const resolved: ResolvedRequest = {
    destination: destination.code,
    headquarters: hq.code,
    endUserName: request.endUser.name,
    verifiedEndUser: request.endUser.verifiedEndUser,
    consignee: consigneeRef.name,
    consigneeId: consigneeRef.id,
    consigneeKey: lppSubject(consigneeRef),
    shipDate,
    ruleset: pack.id,
    rulesetSelection,
    transaction: request.transaction ?? 'EXPORT',
    exportFrom: exportFrom?.code ?? null,
  };

  // Every decision screens its parties (API.md, "Screening"), outside any lock.
  const screening = ctx.db
    ? await screenParties(
        ctx.db,
        screeningThresholds(ctx.config),
        shipmentParties({
          consignee: consigneeRef.name,
          endUserName: request.endUser.name,
          destination: destination.code,
          headquarters: hq.code,
        }),
      )
    : null;

  // Quotas exist only where the pack has them and the destination is Tier 2 on the ship date (a country that
  // left D:5 gets the pack's allocation from that day unless an officer recorded another).
  const hasQuotas =
    pack.quantities !== null && decidingTier(destination.code, destination.tier, shipDate) === 'TIER_2';
  const allocation = hasQuotas
    ? (effectiveAllocationTpp(destination) ?? countryAllocationCap(pack, destination.govToGovArrangement))
    : null;
  const year = yearOf(shipDate);
  return {
    request,
    resolved,
    destination,
    headquarters: hq,
    exportFrom,
    items,
    pack: pack.id,
    screening,
    pools: {
      country: hasQuotas && allocation !== null ? { code: destination.code, capTpp: allocation } : null,
      lpp:
        hasQuotas && pack.quantities
          ? { consigneeKey: resolved.consigneeKey, year, capTpp: pack.quantities.lppTppPerConsigneePerYear }
          : null,
    },
  };
}

/** The prepared shipment with its consignee recorded as a party: its LPP budget is now the party's. */
export function withConsignee(prepared: PreparedShipment, consignee: ConsigneeRef): PreparedShipment {
  const consigneeKey = lppSubject(consignee);
  return {
    ...prepared,
    resolved: { ...prepared.resolved, consignee: consignee.name, consigneeId: consignee.id, consigneeKey },
    pools: { ...prepared.pools, lpp: prepared.pools.lpp ? { ...prepared.pools.lpp, consigneeKey } : null },
  };
}

/** The engine's decision on a prepared shipment, given the current balances of its pools. Pure. */
export function decidePrepared(prepared: PreparedShipment, balances: PoolBalances): Decision {
  const { request, resolved, destination, headquarters, items, pools } = prepared;
  const used = (pool: QuotaPoolRecord | null): number => (pool ? pool.reservedTpp + pool.shippedTpp : 0);
  return decideShipment({
    pack: prepared.pack,
    rulesetSelection: resolved.rulesetSelection,
    shipDate: resolved.shipDate,
    transaction: resolved.transaction,
    exportFrom: prepared.exportFrom
      ? { code: prepared.exportFrom.code, name: prepared.exportFrom.name }
      : null,
    destination: {
      code: destination.code,
      name: destination.name,
      tier: destination.tier,
      allocationTpp: pools.country?.capTpp ?? null,
      govToGovArrangement: destination.govToGovArrangement,
    },
    headquarters: { code: headquarters.code, name: headquarters.name, tier: headquarters.tier },
    endUser: { name: request.endUser.name, verifiedEndUser: request.endUser.verifiedEndUser },
    consignee: resolved.consignee,
    items,
    screening: prepared.screening,
    quota: {
      country: pools.country
        ? { capTpp: balances.country?.capTpp ?? pools.country.capTpp, usedTpp: used(balances.country) }
        : null,
      lpp: pools.lpp
        ? {
            year: pools.lpp.year,
            capTpp: balances.lpp?.capTpp ?? pools.lpp.capTpp,
            usedTpp: used(balances.lpp),
          }
        : null,
    },
  });
}

/**
 * Prepares a shipment, reads its pools and decides. Checks call it with plain reads; reservations prepare once
 * and decide under the pools' row locks. Both go through the same two steps, so they give the same answer for
 * the same state.
 */
export async function evaluateShipment(
  db: Db,
  ctx: Pick<ServiceContext, 'config' | 'now'>,
  request: ShipmentRequest,
  poolReader: PoolReader,
  reference: ReferenceSource,
  consignee: ConsigneeRef,
): Promise<Evaluation> {
  const prepared = await prepareShipment({ ...ctx, db }, request, reference, consignee);
  const balances = await poolReader(db, prepared.pools);
  return {
    resolved: prepared.resolved,
    destination: prepared.destination,
    decision: decidePrepared(prepared, balances),
    countryPool: balances.country,
    lppPool: balances.lpp,
  };
}
