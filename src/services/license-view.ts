import { licenseStatus, tppRemaining, type LicenseStatus } from '../domain/license-coverage.ts';
import { AppError } from '../errors.ts';
import type { Db } from '../repositories/db.ts';
import { findLicense, listLicenses, type LicenseRecord } from '../repositories/license-repository.ts';
import { findPoolsByIds } from '../repositories/quota-repository.ts';
import type { QuotaPoolRecord } from '../repositories/quota-repository.ts';
import { isoDate, type ServiceContext } from './context.ts';
import { organisationScope } from './shipment-access.ts';

export interface LicenseView {
  id: string;
  number: string;
  organisationId: string;
  destination: string;
  consigneeId: string;
  eccns: string[];
  tppAuthorized: number;
  tppUsed: number;
  tppHeld: number;
  tppRemaining: number;
  status: LicenseStatus;
  validFrom: string;
  validUntil: string;
  conditions: string | null;
  revokedAt: string | null;
  revokeReason: string | null;
  createdAt: string;
}

/** The licence with its balance from its ledger pool: used = consumed by shipments, held = attached, unshipped. */
export function toLicenseView(
  license: LicenseRecord,
  pool: QuotaPoolRecord | null,
  today: string,
): LicenseView {
  const balance = {
    tppAuthorized: pool?.capTpp ?? license.tppAuthorized,
    tppUsed: pool?.shippedTpp ?? 0,
    tppHeld: pool?.reservedTpp ?? 0,
  };
  return {
    id: license.id,
    number: license.number,
    organisationId: license.organisationId,
    destination: license.destination,
    consigneeId: license.consigneeId,
    eccns: license.eccns,
    ...balance,
    tppRemaining: tppRemaining(balance),
    status: licenseStatus({ ...license, revoked: license.revokedAt !== null }, balance, today),
    validFrom: license.validFrom,
    validUntil: license.validUntil,
    conditions: license.conditions,
    revokedAt: license.revokedAt?.toISOString() ?? null,
    revokeReason: license.revokeReason,
    createdAt: license.createdAt.toISOString(),
  };
}

export async function licenseViews(db: Db, licenses: LicenseRecord[], now: Date): Promise<LicenseView[]> {
  const pools = new Map(
    (
      await findPoolsByIds(
        db,
        licenses.map((l) => l.poolId),
      )
    ).map((p) => [p.id, p]),
  );
  return licenses.map((license) => toLicenseView(license, pools.get(license.poolId) ?? null, isoDate(now)));
}

/** A licence the caller may see: its own organisation's for procurement keys, any for officers and auditors. */
export async function findVisibleLicense(
  db: Db,
  actor: ServiceContext['actor'],
  id: string,
): Promise<LicenseRecord> {
  const license = await findLicense(db, id);
  const scope = organisationScope(actor);
  if (!license || (scope !== null && license.organisationId !== scope)) {
    throw new AppError('LICENSE_NOT_FOUND', `No licence with id ${id}.`);
  }
  return license;
}

export async function getLicense(
  ctx: Pick<ServiceContext, 'db' | 'actor' | 'now'>,
  input: { id: string },
): Promise<LicenseView> {
  const license = await findVisibleLicense(ctx.db, ctx.actor, input.id);
  const [view] = await licenseViews(ctx.db, [license], ctx.now());
  if (!view) throw new Error('licence view lost');
  return view;
}

export async function getLicenses(
  ctx: Pick<ServiceContext, 'db' | 'actor' | 'now'>,
  input: { limit: number },
): Promise<LicenseView[]> {
  const licenses = await listLicenses(ctx.db, { organisationId: organisationScope(ctx.actor) }, input.limit);
  return licenseViews(ctx.db, licenses, ctx.now());
}
