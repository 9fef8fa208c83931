import { legalStatusOn, RULE_PACKS } from '../domain/rulesets.ts';

/** GET /v1/rulesets: every rule pack with its dates and its legal status on `date`. */
export function listRulesets(date: string, defaultRuleset: string) {
  return Object.values(RULE_PACKS).map((pack) => {
    const status = legalStatusOn(pack, date);
    return {
      id: pack.id,
      name: pack.name,
      citation: pack.citation,
      published: pack.published,
      effective: pack.effective,
      complianceDate: pack.complianceDate,
      enforcementStopped: pack.enforcementStopped,
      formallyRescinded: pack.formallyRescinded,
      succeededBy: pack.succeededBy,
      isDefault: pack.id === defaultRuleset,
      statusOn: {
        date,
        status: status.status,
        inForce: status.inForceOnShipDate,
        explanation: status.explanation,
      },
      source: pack.source,
    };
  });
}
