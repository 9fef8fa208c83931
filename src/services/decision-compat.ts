import { groupsOn } from '../domain/country-groups.ts';
import type { CheckResult } from './check-shipment.ts';

/**
 * Shipments keep the decision they were created with. Decisions stored before the outcome, rule-pack
 * selection, notification, transaction and country-group fields existed are read with those fields filled in
 * as they were then implied (an old decision was always an export under a named or default pack, and never
 * used NAC), so one response schema serves old and new rows alike.
 */
export function withCurrentDecisionFields(decision: CheckResult, shipDate: string): CheckResult {
  if ((decision as Partial<CheckResult>).outcome !== undefined) return decision;
  const legacy = decision as Omit<
    CheckResult,
    'outcome' | 'notification' | 'transaction' | 'exportFrom' | 'screening'
  >;
  const { checkId, ruleset, warnings, ...rest } = legacy;
  return {
    outcome: legacy.allowed ? 'ALLOWED' : 'LICENSE_REQUIRED',
    ruleset: { ...ruleset, selectedBy: ruleset.selectedBy ?? 'REQUESTED' },
    warnings,
    checkId,
    ...rest,
    notification: null,
    transaction: 'EXPORT',
    exportFrom: null,
    screening: null,
    destination: {
      ...legacy.destination,
      countryGroups: legacy.destination.countryGroups ?? groupsOn(legacy.destination.code, shipDate),
    },
  };
}
