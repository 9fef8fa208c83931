import { isAdvancedEccn, isLesserEccn, isOutsideEccn, toH100Equivalents } from './classify.ts';
import { addTpp, subtractTpp, totalTpp } from './tpp.ts';
import { isD5OrMacauOn, normaliseCountryCode, requiresBaselineLicence } from './country-groups.ts';
import { yearOf } from './dates.ts';
import { formatNumber } from './format.ts';
import { REASON_CITATIONS, type ReasonCode } from './reasons.ts';
import {
  countryAllocationCap,
  getRulePack,
  legalStatusOn,
  type DiffusionQuantities,
  type RulePack,
} from './rulesets.ts';
import type {
  Authorization,
  ClassifiedItem,
  CountryAllocationView,
  Decision,
  DecisionInput,
  DecisionItem,
  LppView,
  Reason,
  ReviewPolicy,
} from './types.ts';

/** 91 FR 1684 (effective 2026-01-15): case-by-case review for China and Macau below these per-chip figures. */
export const CHINA_CASE_BY_CASE = {
  effective: '2026-01-15',
  chipTppBelow: 21_000,
  memoryBandwidthGBsBelow: 6_500,
  codes: ['CN', 'MO'] as readonly string[],
} as const;

/** The day BIS told NVIDIA that H20-class chips need a licence for China and D:5 (NVIDIA 8-K of 2025-04-15). */
const H20_LETTER_DATE = '2025-04-09';

interface PartOutcome {
  allowed: boolean;
  licenseRequired: boolean;
  authorization: Authorization | null;
  reviewPolicy: ReviewPolicy | null;
  reasons: Reason[];
}

interface PoolDraws {
  countryTpp: number;
  lppTpp: number;
  drawsCountry: boolean;
  drawsLpp: boolean;
}

interface Evaluation {
  parts: PartOutcome[];
  warnings: string[];
  countryPool: { capTpp: number; usedTpp: number } | null;
  lppPool: { year: number; capTpp: number; usedTpp: number } | null;
  draws: PoolDraws;
}

const POLICY_SEVERITY: Record<ReviewPolicy, number> = {
  PRESUMPTION_OF_APPROVAL: 1,
  CASE_BY_CASE: 2,
  PRESUMPTION_OF_DENIAL: 3,
};

const NO_DRAWS: PoolDraws = { countryTpp: 0, lppTpp: 0, drawsCountry: false, drawsLpp: false };

function reason(code: ReasonCode, message: string): Reason {
  return { code, message, citation: REASON_CITATIONS[code] };
}

function tpp(value: number): string {
  return `${formatNumber(value)} TPP`;
}

function sumTpp(items: readonly ClassifiedItem[]): number {
  return totalTpp(items);
}

function itemLabel(item: ClassifiedItem): string {
  return item.productId ?? item.description ?? 'unnamed item';
}

/** Names listed in one reason; an order of hundreds of lines would otherwise repeat them all in each reason. */
const MAX_LABELS = 10;

function labels(items: readonly ClassifiedItem[]): string {
  const named = items.slice(0, MAX_LABELS).map(itemLabel).join(', ');
  const rest = items.length - MAX_LABELS;
  return rest > 0 ? `${named} and ${rest} more item${rest === 1 ? '' : 's'}` : named;
}

function toDecisionItem(item: ClassifiedItem): DecisionItem {
  return {
    ...(item.productId !== undefined ? { productId: item.productId } : {}),
    ...(item.description !== undefined ? { description: item.description } : {}),
    quantity: item.quantity,
    eccn: item.eccn,
    tppPerUnit: item.tppPerUnit,
    tpp: item.tpp,
  };
}

function licence(reviewPolicy: ReviewPolicy, reasons: Reason[]): PartOutcome {
  return { allowed: false, licenseRequired: true, authorization: null, reviewPolicy, reasons };
}

function noLicence(authorization: Authorization, reasons: Reason[]): PartOutcome {
  return { allowed: true, licenseRequired: false, authorization, reviewPolicy: null, reasons };
}

/** An order is as restricted as its most restricted part. */
function combine(parts: readonly PartOutcome[]): Omit<PartOutcome, 'reasons'> {
  const licenseRequired = parts.some((p) => p.licenseRequired);
  let reviewPolicy: ReviewPolicy | null = null;
  for (const part of parts) {
    if (
      part.reviewPolicy &&
      (!reviewPolicy || POLICY_SEVERITY[part.reviewPolicy] > POLICY_SEVERITY[reviewPolicy])
    ) {
      reviewPolicy = part.reviewPolicy;
    }
  }
  // A part shipping under an exception or VEU names the authorization; NLR only when nothing else applies.
  const authorizations = parts.map((p) => p.authorization).filter((a): a is Authorization => a !== null);
  const authorization = licenseRequired ? null : (authorizations.find((a) => a !== 'NLR') ?? 'NLR');
  return {
    allowed: !licenseRequired && parts.every((p) => p.allowed),
    licenseRequired,
    authorization,
    reviewPolicy,
  };
}

/**
 * The destination and headquarters rule of 15 CFR 742.6(a)(6)(iii) (88 FR 73458): a licence for the
 * baseline destination set, and for end users headquartered in D:5 or Macau wherever the item goes.
 */
function baselinePart(
  input: DecisionInput,
  items: readonly ClassifiedItem[],
  chinaCaseByCase: boolean,
): PartOutcome {
  const date = input.shipDate;
  const dest = normaliseCountryCode(input.destination.code);
  const hq = normaliseCountryCode(input.headquarters.code);
  const eccns = [...new Set(items.map((i) => i.eccn))].join('/');
  const destinationCaught = requiresBaselineLicence(dest, date);
  const headquartersCaught = isD5OrMacauOn(hq, date);

  if (!destinationCaught && !headquartersCaught) {
    return noLicence('NLR', [
      reason(
        'BASELINE_NO_LICENSE_REQUIRED',
        `${eccns} items (${labels(items)}): ${input.destination.name} is not in Country Group D:1, D:4 or D:5 (or is also in A:5/A:6) and the end user is not headquartered in D:5 or Macau, so no licence is required.`,
      ),
    ]);
  }

  const reasons: Reason[] = [];
  if (destinationCaught) {
    reasons.push(
      reason(
        'BASELINE_DESTINATION_LICENSE_REQUIRED',
        `${eccns} items (${labels(items)}) to ${input.destination.name}: a licence is required for destinations in Country Group D:1, D:4 or D:5 not also in A:5 or A:6, and for Macau.`,
      ),
    );
  }
  if (headquartersCaught) {
    reasons.push(
      reason(
        'BASELINE_HEADQUARTERS_LICENSE_REQUIRED',
        `${eccns} items (${labels(items)}): the end user is headquartered in ${input.headquarters.name} (D:5 or Macau), which requires a licence wherever the items go (BIS guidance of 2026-05-31 confirms this).`,
      ),
    );
  }

  const denialTriggers = [dest, hq].filter((code) => isD5OrMacauOn(code, date));
  if (denialTriggers.length === 0) {
    reasons.push(
      reason(
        'BASELINE_REVIEW_POLICY',
        'Presumption of approval: neither the destination nor the end user’s headquarters is in D:5 or Macau.',
      ),
    );
    return licence('PRESUMPTION_OF_APPROVAL', reasons);
  }

  const chinaOnly = denialTriggers.every((code) => CHINA_CASE_BY_CASE.codes.includes(code));
  if (chinaCaseByCase && chinaOnly && date >= CHINA_CASE_BY_CASE.effective) {
    const failing = items.filter((item) => {
      const chipTpp = item.chipTpp ?? item.tppPerUnit;
      const bandwidth = item.memoryBandwidthGBs ?? null;
      return !(
        chipTpp < CHINA_CASE_BY_CASE.chipTppBelow &&
        bandwidth !== null &&
        bandwidth < CHINA_CASE_BY_CASE.memoryBandwidthGBsBelow
      );
    });
    if (failing.length === 0) {
      reasons.push(
        reason(
          'CHINA_CASE_BY_CASE_REVIEW',
          `Case-by-case review for China and Macau: every chip has TPP below ${formatNumber(CHINA_CASE_BY_CASE.chipTppBelow)} and DRAM bandwidth below ${formatNumber(CHINA_CASE_BY_CASE.memoryBandwidthGBsBelow)} GB/s (subject to the rule's other conditions and certifications).`,
        ),
      );
      return licence('CASE_BY_CASE', reasons);
    }
    reasons.push(
      reason(
        'BASELINE_REVIEW_POLICY',
        `Presumption of denial for China/Macau: ${labels(failing)} do not show TPP per chip below ${formatNumber(CHINA_CASE_BY_CASE.chipTppBelow)} and a known DRAM bandwidth below ${formatNumber(CHINA_CASE_BY_CASE.memoryBandwidthGBsBelow)} GB/s, so the case-by-case policy of 91 FR 1684 does not apply.`,
      ),
    );
    return licence('PRESUMPTION_OF_DENIAL', reasons);
  }

  reasons.push(
    reason(
      'BASELINE_REVIEW_POLICY',
      `Presumption of denial: ${denialTriggers.join(' and ')} ${denialTriggers.length > 1 ? 'are' : 'is'} in Country Group D:5 or Macau on ${date}.`,
    ),
  );
  return licence('PRESUMPTION_OF_DENIAL', reasons);
}

function outsidePart(
  input: DecisionInput,
  items: readonly ClassifiedItem[],
): { part: PartOutcome; warning: string } {
  const note2 = items.filter((i) => i.note2Applied);
  const part = noLicence('NLR', [
    reason(
      'OUTSIDE_3A090_4A090',
      `${labels(items)}: outside ECCNs 3A090 and 4A090${note2.length > 0 ? ` (Note 2 to 3A090 for ${labels(note2)})` : ''}; no licence is required under this rule pack. This is not a clearance.`,
    ),
  ]);
  const chinaOrD5 =
    isD5OrMacauOn(input.destination.code, input.shipDate) ||
    isD5OrMacauOn(input.headquarters.code, input.shipDate);
  const letter =
    chinaOrD5 && input.shipDate >= H20_LETTER_DATE
      ? ` This order goes to, or for an end user headquartered in, China, Macau or D:5: since ${H20_LETTER_DATE} BIS has required a licence for NVIDIA H20-class chips there by 'is-informed' letter.`
      : ` For China, Hong Kong, Macau and D:5, the BIS 'is-informed' letter of ${H20_LETTER_DATE} required a licence for NVIDIA H20-class chips.`;
  return {
    part,
    warning: `Items outside 3A090/4A090 (${labels(items)}) are not cleared: other EAR controls may still apply, such as the end-use and end-user controls of 15 CFR part 744.${letter}`,
  };
}

function evaluateDiffusion(
  input: DecisionInput,
  pack: RulePack,
  quantities: DiffusionQuantities,
): Evaluation {
  const { destination: dest, headquarters: hq } = input;
  const advanced = input.items.filter((i) => isAdvancedEccn(i.eccn));
  const lesser = input.items.filter((i) => isLesserEccn(i.eccn));
  const outside = input.items.filter((i) => isOutsideEccn(i.eccn));
  const advancedTpp = sumTpp(advanced);
  const year = yearOf(input.shipDate);
  const parts: PartOutcome[] = [];
  const warnings: string[] = [];
  let draws: PoolDraws = NO_DRAWS;

  // Only Tier 2 destinations have an allocation and an LPP budget (90 FR 4544; 15 CFR 740.29).
  const tier2 = dest.tier === 'TIER_2';
  const countryPool = tier2
    ? {
        capTpp:
          input.quota.country?.capTpp ??
          dest.allocationTpp ??
          countryAllocationCap(pack, dest.govToGovArrangement) ??
          quantities.tier2AllocationTpp,
        usedTpp: input.quota.country?.usedTpp ?? 0,
      }
    : null;
  const lppPool = tier2
    ? {
        year,
        capTpp: input.quota.lpp?.capTpp ?? quantities.lppTppPerConsigneePerYear,
        usedTpp: input.quota.lpp?.year === year ? input.quota.lpp.usedTpp : 0,
      }
    : null;
  if (tier2 && input.quota.lpp && input.quota.lpp.year !== year) {
    warnings.push(
      `The LPP balance given is for ${input.quota.lpp.year}, not ${year}, the calendar year of the ship date; LPP limits are per calendar year (15 CFR 740.29), so ${year} use was taken as 0.`,
    );
  }

  if (advanced.length > 0) {
    const what = `3A090.a/4A090.a items (${labels(advanced)}, ${tpp(advancedTpp)})`;
    if (dest.tier === 'TIER_3' || hq.tier === 'TIER_3') {
      const reasons: Reason[] = [];
      if (dest.tier === 'TIER_3') {
        reasons.push(
          reason(
            'TIER3_DESTINATION',
            `${what} to ${dest.name}, a Tier 3 destination (D:5 or Macau): licence required, presumption of denial.`,
          ),
        );
      }
      if (hq.tier === 'TIER_3') {
        reasons.push(
          reason(
            'TIER3_HEADQUARTERS',
            `${what}: the end user is headquartered in ${hq.name}, Tier 3: licence required wherever located, presumption of denial.`,
          ),
        );
      }
      parts.push(licence('PRESUMPTION_OF_DENIAL', reasons));
    } else if (dest.tier === 'TIER_1') {
      if (hq.tier === 'TIER_1') {
        parts.push(
          noLicence('AIA', [
            reason(
              'TIER1_AIA',
              `${what} to ${dest.name} for an end user headquartered in ${hq.name}, both Tier 1: License Exception AIA; no quota is used.`,
            ),
          ]),
        );
      } else {
        parts.push(
          licence('CASE_BY_CASE', [
            reason(
              'TIER1_DESTINATION_NON_TIER1_HEADQUARTERS',
              `${what} to ${dest.name} (Tier 1), but the end user is headquartered in ${hq.name} (Tier 2): License Exception AIA needs a Tier 1 headquarters, so a licence is required (case-by-case).`,
            ),
          ]),
        );
      }
    } else if (countryPool && lppPool) {
      const veu = input.endUser.verifiedEndUser;
      if (veu !== null) {
        parts.push(
          noLicence('VEU', [
            reason(
              'VEU_AUTHORIZED',
              `${what}: ${input.endUser.name} holds a ${veu === 'UVEU' ? 'Universal' : 'National'} VEU authorization; no country allocation is used.`,
            ),
          ]),
        );
        warnings.push(
          `Shipping under ${veu} is allowed only within that authorization's own conditions and cumulative limits, which this check does not hold; confirm the shipment fits them (15 CFR 748.15).`,
        );
      } else {
        const lppAfter = addTpp(lppPool.usedTpp, advancedTpp);
        if (lppAfter <= lppPool.capTpp) {
          draws = { ...NO_DRAWS, lppTpp: advancedTpp, drawsLpp: true };
          parts.push(
            noLicence('LPP', [
              reason(
                'LPP_WITHIN_LIMIT',
                `${what}: consignee ${input.consignee} has used ${tpp(lppPool.usedTpp)} of its ${year} LPP limit of ${tpp(lppPool.capTpp)}; this shipment brings it to ${tpp(lppAfter)}, within the limit. License Exception LPP; the country allocation is not used.`,
              ),
            ]),
          );
        } else {
          const reasons = [
            reason(
              'LPP_LIMIT_EXCEEDED',
              `${what}: consignee ${input.consignee} has used ${tpp(lppPool.usedTpp)} of its ${year} LPP limit of ${tpp(lppPool.capTpp)}; this shipment would bring it to ${tpp(lppAfter)}, over the limit, so License Exception LPP is not available.`,
            ),
          ];
          const remaining = Math.max(0, subtractTpp(countryPool.capTpp, countryPool.usedTpp));
          if (advancedTpp <= remaining) {
            draws = { ...NO_DRAWS, countryTpp: advancedTpp, drawsCountry: true };
            reasons.push(
              reason(
                'TIER2_LICENSE_WITHIN_ALLOCATION',
                `Licence required; ${dest.name} has ${tpp(remaining)} of its ${tpp(countryPool.capTpp)} allocation left, enough for this shipment's ${tpp(advancedTpp)}: presumption of approval, and the licence would consume that much allocation.`,
              ),
            );
            parts.push(licence('PRESUMPTION_OF_APPROVAL', reasons));
          } else {
            reasons.push(
              reason(
                'TIER2_ALLOCATION_EXCEEDED',
                `Licence required; ${dest.name} has only ${tpp(remaining)} of its ${tpp(countryPool.capTpp)} allocation left, ${tpp(subtractTpp(advancedTpp, remaining))} short of this shipment's ${tpp(advancedTpp)}: presumption of denial.`,
              ),
            );
            parts.push(licence('PRESUMPTION_OF_DENIAL', reasons));
          }
        }
        const { allocationCountsFrom, allocationPeriod } = quantities;
        if (
          draws.drawsCountry &&
          (input.shipDate < allocationCountsFrom || input.shipDate > allocationPeriod.to)
        ) {
          warnings.push(
            `Ship date ${input.shipDate} is outside the allocation period of ${pack.citation} (shipments from ${allocationCountsFrom} through ${allocationPeriod.to} count); the allocation figures are applied as given.`,
          );
        }
      }
    }
  }

  if (lesser.length > 0) parts.push(baselinePart(input, lesser, false));
  if (outside.length > 0) {
    const { part, warning } = outsidePart(input, outside);
    parts.push(part);
    warnings.push(warning);
  }
  return { parts, warnings, countryPool, lppPool, draws };
}

function evaluateBaseline(input: DecisionInput): Evaluation {
  const controlled = input.items.filter((i) => !isOutsideEccn(i.eccn));
  const outside = input.items.filter((i) => isOutsideEccn(i.eccn));
  const parts: PartOutcome[] = [];
  const warnings: string[] = [];
  if (controlled.length > 0) parts.push(baselinePart(input, controlled, true));
  if (outside.length > 0) {
    const { part, warning } = outsidePart(input, outside);
    parts.push(part);
    warnings.push(warning);
  }
  return { parts, warnings, countryPool: null, lppPool: null, draws: NO_DRAWS };
}

function poolView(
  pool: { capTpp: number; usedTpp: number },
  draws: boolean,
  drawTpp: number,
): CountryAllocationView {
  const remainingTpp = Math.max(0, subtractTpp(pool.capTpp, pool.usedTpp));
  const thisShipmentTpp = draws ? drawTpp : 0;
  return {
    applies: draws,
    capTpp: pool.capTpp,
    usedTpp: pool.usedTpp,
    remainingTpp,
    thisShipmentTpp,
    remainingAfterTpp: subtractTpp(remainingTpp, thisShipmentTpp),
  };
}

/**
 * Decides a shipment under one rule pack (RULES.md 5). Pure: countries and products come in resolved and
 * classified, quota balances come in as read, and nothing is reserved here.
 */
export function decideShipment(input: DecisionInput): Decision {
  const pack = getRulePack(input.pack);
  const legal = legalStatusOn(pack, input.shipDate);
  const evaluation =
    pack.quantities !== null ? evaluateDiffusion(input, pack, pack.quantities) : evaluateBaseline(input);
  const outcome = combine(evaluation.parts);

  // A shipment presumed denied holds nothing, whatever a part of it would otherwise have drawn.
  const draws = outcome.reviewPolicy === 'PRESUMPTION_OF_DENIAL' ? NO_DRAWS : evaluation.draws;
  const countryAllocation = evaluation.countryPool
    ? poolView(evaluation.countryPool, draws.drawsCountry, draws.countryTpp)
    : null;
  const lpp: LppView | null = evaluation.lppPool
    ? { year: evaluation.lppPool.year, ...poolView(evaluation.lppPool, draws.drawsLpp, draws.lppTpp) }
    : null;

  const warnings: string[] = [];
  if (!legal.inForceOnShipDate) warnings.push(legal.explanation);
  if (input.items.length === 0) warnings.push('The order has no items.');
  warnings.push(...evaluation.warnings);

  const totalTpp = sumTpp(input.items);
  return {
    allowed: outcome.allowed,
    licenseRequired: outcome.licenseRequired,
    authorization: outcome.authorization,
    reviewPolicy: outcome.reviewPolicy,
    destination: {
      code: input.destination.code.toUpperCase(),
      name: input.destination.name,
      tier: input.destination.tier,
    },
    items: input.items.map(toDecisionItem),
    totalTpp,
    h100Equivalents: toH100Equivalents(totalTpp),
    quota: { countryAllocation, lpp },
    reasons: evaluation.parts.flatMap((p) => p.reasons),
    ruleset: {
      id: pack.id,
      name: pack.name,
      citation: pack.citation,
      status: legal.status,
      inForceOnShipDate: legal.inForceOnShipDate,
    },
    warnings,
    holds: {
      countryTpp: countryAllocation?.thisShipmentTpp ?? 0,
      lppTpp: lpp?.thisShipmentTpp ?? 0,
      lppYear: lpp?.year ?? null,
    },
  };
}
