import { IN_FORCE_RULESET, legalStatusOn, RULE_PACKS, rulePackInForceOn } from '../domain/rulesets.ts';

/** What `"ruleset": "in-force"` selects on a date, and why (GET /v1/rulesets). */
export function describeInForce(date: string) {
  const id = rulePackInForceOn(date);
  const diffusion = RULE_PACKS['ai-diffusion-2025'];
  return {
    name: IN_FORCE_RULESET as typeof IN_FORCE_RULESET,
    date,
    id,
    explanation:
      (id === null
        ? `No pack was in force on ${date}: the earliest, ${RULE_PACKS['baseline-2023'].id}, took effect on ${RULE_PACKS['baseline-2023'].effective}; a check with "in-force" for that date is refused (400).`
        : `"ruleset": "in-force" selects the pack legally in force on the ship date: on ${date} that is ${id}.`) +
      ` ${diffusion.id} was never in force: enforcement stopped on ${diffusion.enforcementStopped}, before its compliance date ${diffusion.complianceDate}, so "in-force" never selects it. The answer names the pack it used (ruleset.id) and says ruleset.selectedBy = "IN_FORCE".`,
  };
}

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
