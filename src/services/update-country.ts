import type { Tier } from '../domain/types.ts';
import { didYouMeanCountry } from '../reference/country-suggestions.ts';
import {
  findCountryForUpdate,
  updateCountry,
  type CountryRecord,
} from '../repositories/country-repository.ts';
import { appendLedger, lockPool } from '../repositories/ledger-repository.ts';
import { inTransaction, LEDGER_TX_OPTIONS } from '../repositories/db.ts';
import { findPool } from '../repositories/quota-repository.ts';
import { AppError } from '../errors.ts';
import { recordAudit } from './audit.ts';
import { announceReferenceChange } from './reference-data.ts';
import type { ServiceContext } from './context.ts';
import { effectiveAllocationTpp } from './countries.ts';

export interface CountryPatch {
  tier?: Tier | undefined;
  allocationTpp?: number | null | undefined;
  govToGovArrangement?: boolean | undefined;
}

/**
 * An officer changes a country's tier, allocation or government-to-government flag. When the effective
 * allocation changes, the pool's cap moves by an ADJUST ledger entry in the same transaction, and the change
 * with its before and after is audited there too. The seed never overwrites the row afterwards.
 */
export async function updateCountryReference(
  ctx: ServiceContext,
  code: string,
  patch: CountryPatch,
): Promise<CountryRecord> {
  const updated = await inTransaction(
    ctx.db,
    async (tx) => {
      const before = await findCountryForUpdate(tx, code);
      if (!before)
        throw new AppError(
          'COUNTRY_NOT_FOUND',
          `No country with ISO 3166-1 code ${code}.${didYouMeanCountry(code)}`,
        );
      const tier = patch.tier ?? before.tier;
      const allocationTpp = patch.allocationTpp === undefined ? before.allocationTpp : patch.allocationTpp;
      if (tier === 'TIER_2' && allocationTpp === null) {
        throw new AppError(
          'VALIDATION_FAILED',
          `A Tier 2 country needs an allocation; send allocationTpp with tier TIER_2.`,
          {
            errors: [
              {
                path: 'body.allocationTpp',
                message: 'required when the country is (or becomes) Tier 2 without one',
              },
            ],
          },
        );
      }
      const after = await updateCountry(
        tx,
        code,
        {
          ...(patch.tier !== undefined ? { tier: patch.tier } : {}),
          ...(patch.allocationTpp !== undefined ? { allocationTpp: patch.allocationTpp } : {}),
          ...(patch.govToGovArrangement !== undefined
            ? { govToGovArrangement: patch.govToGovArrangement }
            : {}),
        },
        ctx.now(),
      );
      const oldCap = effectiveAllocationTpp(before);
      const newCap = effectiveAllocationTpp(after);
      let capAdjustmentTpp = 0;
      if (newCap !== null && newCap !== oldCap) {
        const existing = await findPool(tx, 'COUNTRY_ALLOCATION', code, 0);
        // A pool that does not exist yet opens at the new cap when first used; an existing one is adjusted.
        if (existing) {
          const pool = await lockPool(tx, 'COUNTRY_ALLOCATION', code, 0, newCap, ctx.actor?.keyId ?? null);
          capAdjustmentTpp = newCap - pool.capTpp;
          if (capAdjustmentTpp !== 0) {
            await appendLedger(tx, [
              {
                poolId: pool.id,
                type: 'ADJUST',
                shipmentId: null,
                capDelta: capAdjustmentTpp,
                actorKeyId: ctx.actor?.keyId ?? null,
                note: 'officer changed the allocation',
              },
            ]);
          }
        }
      }
      await announceReferenceChange(tx, `country:${code}`);
      await recordAudit(tx, ctx, {
        action: 'country.update',
        targetType: 'country',
        targetId: code,
        payload: {
          patch,
          before: {
            tier: before.tier,
            allocationTpp: before.allocationTpp,
            govToGovArrangement: before.govToGovArrangement,
            effectiveAllocationTpp: oldCap,
          },
          after: {
            tier: after.tier,
            allocationTpp: after.allocationTpp,
            govToGovArrangement: after.govToGovArrangement,
            effectiveAllocationTpp: newCap,
          },
          capAdjustmentTpp,
        },
      });
      return after;
    },
    LEDGER_TX_OPTIONS,
  );
  ctx.reference.invalidate();
  return updated;
}
