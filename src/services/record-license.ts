import { randomUUID } from 'node:crypto';
import { controlledEccns } from '../domain/license-coverage.ts';
import { AppError, validationError } from '../errors.ts';
import { findCountry } from '../repositories/country-repository.ts';
import { lockPool } from '../repositories/ledger-repository.ts';
import { findLicenseByNumber, insertLicense } from '../repositories/license-repository.ts';
import { findOrganisation } from '../repositories/organisation-repository.ts';
import { recordAudit } from './audit.ts';
import type { ServiceContext } from './context.ts';
import { LEDGER_TX_OPTIONS } from './ledger-holds.ts';
import { toLicenseView, type LicenseView } from './license-view.ts';
import { registerParty, requireParty } from './parties.ts';
import { isoDate } from './context.ts';

export interface RecordLicenseInput {
  number: string;
  organisationId: string;
  destination: string;
  consigneeId?: string | undefined;
  consignee?: string | undefined;
  eccns: string[];
  tppAuthorized: number;
  validFrom: string;
  validUntil: string;
  conditions?: string | undefined;
}

/**
 * Records a BIS licence (officer). Its TPP opens a LICENSE pool in the quota ledger, capped at tppAuthorized by
 * an ADJUST entry, in the same transaction as the licence and its audit record, so the licence's balance is the
 * sum of its entries from the first moment.
 */
export async function recordLicense(ctx: ServiceContext, input: RecordLicenseInput): Promise<LicenseView> {
  if (input.validUntil < input.validFrom) {
    throw validationError([{ path: 'body.validUntil', message: 'must not be before validFrom' }]);
  }
  if (controlledEccns(input.eccns).length === 0) {
    throw validationError([
      { path: 'body.eccns', message: 'must name at least one controlled ECCN (3A090 or 4A090)' },
    ]);
  }
  if ((input.consigneeId === undefined) === (input.consignee === undefined)) {
    throw validationError([
      { path: 'body.consigneeId', message: 'give exactly one of consigneeId and consignee' },
    ]);
  }
  const destination = input.destination.toUpperCase();
  if (!(await findCountry(ctx.db, destination))) {
    throw validationError([{ path: 'body.destination', message: `unknown country code ${destination}` }]);
  }
  if (!(await findOrganisation(ctx.db, input.organisationId))) {
    throw new AppError('ORGANISATION_NOT_FOUND', `No organisation with id ${input.organisationId}.`);
  }
  // Before the consignee is recorded: a refused licence must leave nothing behind, not even a new party.
  if (await findLicenseByNumber(ctx.db, input.number)) {
    throw new AppError('LICENSE_NUMBER_TAKEN', `Licence ${input.number} is already recorded.`);
  }
  const consignee =
    input.consigneeId !== undefined
      ? await requireParty(ctx.db, input.consigneeId, 'body.consigneeId')
      : (await registerParty(ctx, { name: input.consignee ?? '', country: destination }, 'body.consignee'))
          .party;
  if (consignee.country !== destination) {
    throw validationError([
      {
        path: 'body.consigneeId',
        message: `party ${consignee.id} is in ${consignee.country}, not ${destination}`,
      },
    ]);
  }
  const id = randomUUID();
  return ctx.db.$transaction(async (tx) => {
    const pool = await lockPool(tx, 'LICENSE', id, 0, input.tppAuthorized, ctx.actor?.keyId ?? null);
    const license = await insertLicense(tx, {
      id,
      number: input.number,
      organisationId: input.organisationId,
      destination,
      consigneeId: consignee.id,
      eccns: [...new Set(input.eccns)].sort(),
      tppAuthorized: input.tppAuthorized,
      validFrom: input.validFrom,
      validUntil: input.validUntil,
      conditions: input.conditions ?? null,
      poolId: pool.id,
    });
    const view = toLicenseView(license, pool, isoDate(ctx.now()));
    await recordAudit(tx, ctx, {
      action: 'license.create',
      targetType: 'license',
      targetId: id,
      payload: { input, after: view },
    });
    return view;
  }, LEDGER_TX_OPTIONS);
}
