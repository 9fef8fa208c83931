import { assertIsoDate, type IsoDate } from './dates.ts';
import { DomainError } from './errors.ts';
import type { LegalStatus, RulesetId } from './types.ts';

/** The quantities of the AI Diffusion framework (90 FR 4544), kept as data an officer can correct. */
export interface DiffusionQuantities {
  /** Tier 2 country allocation, cumulative over calendar years 2025-2027. */
  tier2AllocationTpp: number;
  /** A government-to-government arrangement doubles the allocation. */
  govToGovAllocationMultiplier: number;
  allocationPeriod: { from: IsoDate; to: IsoDate };
  /** Shipments from this day count toward the allocation. */
  allocationCountsFrom: IsoDate;
  /** License Exception LPP, per ultimate consignee per calendar year (15 CFR 740.29). */
  lppTppPerConsigneePerYear: number;
  sources: Readonly<
    Record<'tier2AllocationTpp' | 'govToGovAllocationMultiplier' | 'lppTppPerConsigneePerYear', string>
  >;
}

export interface RulePack {
  id: RulesetId;
  name: string;
  citation: string;
  published: IsoDate;
  effective: IsoDate;
  /** Day from which compliance is required; null when it is the effective date. */
  complianceDate: IsoDate | null;
  /** Day BIS announced the rescission and stopped enforcing the rule; null if never. */
  enforcementStopped: IsoDate | null;
  /** Day a formal rescission took effect in the Federal Register; null if none was published. */
  formallyRescinded: IsoDate | null;
  /** The pack that governs once this one stops being enforced. */
  succeededBy: RulesetId | null;
  quantities: DiffusionQuantities | null;
  source: string;
}

export const RULE_PACKS: Readonly<Record<RulesetId, RulePack>> = {
  'ai-diffusion-2025': {
    id: 'ai-diffusion-2025',
    name: 'Framework for Artificial Intelligence Diffusion',
    citation: '90 FR 4544',
    published: '2025-01-15',
    effective: '2025-01-13',
    complianceDate: '2025-05-15',
    // BIS announced the rescission and told enforcement staff not to enforce on 2025-05-13; no rescission
    // notice had appeared in the Federal Register as of mid-2026.
    enforcementStopped: '2025-05-13',
    formallyRescinded: null,
    succeededBy: 'baseline-2023',
    quantities: {
      tier2AllocationTpp: 790_000_000,
      govToGovAllocationMultiplier: 2,
      allocationPeriod: { from: '2025-01-01', to: '2027-12-31' },
      allocationCountsFrom: '2025-01-13',
      lppTppPerConsigneePerYear: 26_900_000,
      sources: {
        tier2AllocationTpp:
          '90 FR 4544 (15 CFR 742.6(b)(10)); the ~49,900 H100e equivalent is confirmed by secondary sources, the literal TPP figure is to be verified',
        govToGovAllocationMultiplier:
          'White House fact sheet summaries and SemiAnalysis: doubled under a government-to-government arrangement',
        lppTppPerConsigneePerYear:
          '15 CFR 740.29 as added by 90 FR 4544 (confirmed on the bis.gov interactive EAR)',
      },
    },
    source:
      'https://www.federalregister.gov/documents/2025/01/15/2025-00636/framework-for-artificial-intelligence-diffusion',
  },
  'baseline-2023': {
    id: 'baseline-2023',
    name: 'Advanced computing controls of October 2023 as amended',
    citation: '88 FR 73458 (as amended by 89 FR 23876, 89 FR 96790, 91 FR 1684, 91 FR 5091)',
    published: '2023-10-25',
    effective: '2023-11-17',
    complianceDate: null,
    enforcementStopped: null,
    formallyRescinded: null,
    succeededBy: null,
    quantities: null,
    source: 'https://www.govinfo.gov/content/pkg/FR-2023-10-25/html/2023-23055.htm',
  },
};

export function isRulesetId(id: string): id is RulesetId {
  return Object.hasOwn(RULE_PACKS, id);
}

export function getRulePack(id: string): RulePack {
  if (!isRulesetId(id)) {
    throw new DomainError('UNKNOWN_RULESET', `Unknown rule pack '${id}'`, {
      id,
      known: Object.keys(RULE_PACKS),
    });
  }
  return RULE_PACKS[id];
}

/** The Tier 2 allocation cap of a pack, doubled for a country with a government-to-government arrangement. */
export function countryAllocationCap(pack: RulePack, govToGovArrangement: boolean): number | null {
  if (pack.quantities === null) return null;
  return effectiveAllocation(pack.quantities.tier2AllocationTpp, govToGovArrangement, pack);
}

/** The pack whose country allocations the quota ledger keeps (countries' allocations and their pools). */
export const ALLOCATION_PACK: RulePack = RULE_PACKS['ai-diffusion-2025'];

/**
 * A country's allocation as its pool starts from it: its own figure (an officer may correct it), times the
 * pack's multiplier under a government-to-government arrangement.
 */
export function effectiveAllocation(
  allocationTpp: number,
  govToGovArrangement: boolean,
  pack: RulePack = ALLOCATION_PACK,
): number {
  const multiplier = pack.quantities?.govToGovAllocationMultiplier ?? 1;
  return govToGovArrangement ? allocationTpp * multiplier : allocationTpp;
}

/** The allocation period as people write it: "2025-2027" (calendar years, inclusive), from the pack. */
export const ALLOCATION_PERIOD: string = periodLabel(ALLOCATION_PACK);

function periodLabel(pack: RulePack): string {
  const period = pack.quantities?.allocationPeriod;
  if (!period) throw new Error(`rule pack ${pack.id} keeps no country allocations`);
  return `${period.from.slice(0, 4)}-${period.to.slice(0, 4)}`;
}

export function lppCap(pack: RulePack): number | null {
  return pack.quantities?.lppTppPerConsigneePerYear ?? null;
}

export interface LegalStatusOnDate {
  status: LegalStatus;
  inForceOnShipDate: boolean;
  explanation: string;
}

/** The day enforcement ended, whichever came first of the announced stop and a formal rescission. */
function endOfEnforcement(pack: RulePack): IsoDate | null {
  const ends = [pack.enforcementStopped, pack.formallyRescinded]
    .filter((d): d is IsoDate => d !== null)
    .sort();
  return ends[0] ?? null;
}

/**
 * Whether a pack bound exporters on a date. A pack is in force from its compliance date (or its effective
 * date when it has none) until enforcement ends; for ai-diffusion-2025 that window is empty, because
 * enforcement stopped on 2025-05-13, two days before compliance became mandatory on 2025-05-15.
 */
export function legalStatusOn(pack: RulePack, date: IsoDate): LegalStatusOnDate {
  assertIsoDate(date, 'ship date');
  const label = `${pack.name} (${pack.citation}, pack ${pack.id})`;
  const end = endOfEnforcement(pack);
  const enforceFrom = pack.complianceDate ?? pack.effective;
  const neverEnforced = end !== null && end <= enforceFrom;
  const successor = pack.succeededBy ? ` The regime enforced after that is pack ${pack.succeededBy}.` : '';
  const planning = ' Treat this answer as planning only, not the law of the day.';

  if (date < pack.effective) {
    return {
      status: 'NOT_YET_EFFECTIVE',
      inForceOnShipDate: false,
      explanation:
        `Ship date ${date} is before ${pack.effective}, the effective date of the ${label}; the pack was not in force on that date.` +
        (neverEnforced
          ? ` It never came into force: enforcement stopped on ${end} before its compliance date ${pack.complianceDate}.`
          : '') +
        planning,
    };
  }
  if (end !== null && date >= end) {
    const how =
      pack.formallyRescinded === end
        ? `was rescinded in the Federal Register with effect from ${end}`
        : `stopped being enforced on ${end}, when BIS announced its rescission (no formal rescission published in the Federal Register)`;
    return {
      status: 'RESCINDED',
      inForceOnShipDate: false,
      explanation:
        `On ship date ${date} the ${label} ${how}.` +
        (neverEnforced
          ? ` Its compliance date ${pack.complianceDate} was never reached, so it was never enforced.`
          : '') +
        successor +
        planning,
    };
  }
  if (pack.complianceDate !== null && date < pack.complianceDate) {
    return {
      status: 'EFFECTIVE_COMPLIANCE_PENDING',
      inForceOnShipDate: false,
      explanation:
        `Ship date ${date} falls after the effective date ${pack.effective} of the ${label} but before its compliance date ${pack.complianceDate}, so its requirements were not yet binding.` +
        (neverEnforced
          ? ` Enforcement stopped on ${end}, before that compliance date, so they never became binding.`
          : '') +
        planning,
    };
  }
  return {
    status: 'IN_FORCE',
    inForceOnShipDate: true,
    explanation: `The ${label} was in force on ship date ${date} (compliance required from ${enforceFrom}).`,
  };
}

/** The ruleset a request may name instead of a pack id: the pack legally in force on the ship date. */
export const IN_FORCE_RULESET = 'in-force';

/**
 * The pack that bound exporters on a date, or null when none did (before 2023-11-17). ai-diffusion-2025 was
 * never in force (enforcement stopped before its compliance date), so from 2023-11-17 this is baseline-2023.
 */
export function rulePackInForceOn(date: IsoDate): RulesetId | null {
  const inForce = Object.values(RULE_PACKS).filter((pack) => legalStatusOn(pack, date).inForceOnShipDate);
  return inForce[0]?.id ?? null;
}
