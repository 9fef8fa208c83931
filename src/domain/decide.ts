import { isAdvancedEccn, isLesserEccn, isOutsideEccn, toH100Equivalents } from './classify.ts';
import { addTpp, subtractTpp, totalTpp } from './tpp.ts';
import { groupsOn, isD5OrMacauOn, normaliseCountryCode, requiresBaselineLicence } from './country-groups.ts';
import { yearOf } from './dates.ts';
import { formatNumber } from './format.ts';
import {
  ADVANCED_COMPUTING_EXCEPTIONS,
  exceptionRoute,
  isAdvancedComputingExceptionItem,
  nacNotifyBy,
} from './license-exceptions.ts';
import { HEADQUARTERS_RULE_CITATIONS, REASON_CITATIONS, type ReasonCode } from './reasons.ts';
import {
  countryAllocationCap,
  getRulePack,
  legalStatusOn,
  type DiffusionQuantities,
  type RulePack,
} from './rulesets.ts';
import { reviewPolicyOf, type ScreeningMatch, type ScreeningResult } from './screening.ts';
import { decidingTier } from './tiers.ts';
import type {
  Authorization,
  ClassifiedItem,
  CountryAllocationView,
  Decision,
  DecisionDestination,
  DecisionInput,
  DecisionItem,
  LppView,
  NotificationDuty,
  Outcome,
  Reason,
  ReviewPolicy,
  Tier,
  Transaction,
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

const AUTHORIZATION_PRECEDENCE: readonly Authorization[] = ['NAC', 'LPP', 'VEU', 'AIA', 'ACA', 'NLR'];

const NO_DRAWS: PoolDraws = { countryTpp: 0, lppTpp: 0, drawsCountry: false, drawsLpp: false };

function reason(code: ReasonCode, message: string, citation: string = REASON_CITATIONS[code]): Reason {
  return { code, message, citation };
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

/** License Exception NAC: no licence, but not allowed until BIS has been notified and has not objected. */
function notified(reasons: Reason[]): PartOutcome {
  return { allowed: false, licenseRequired: false, authorization: 'NAC', reviewPolicy: null, reasons };
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
  // One authorization names the order: NAC first (it still asks a notification of the exporter), then the ones
  // that draw on or rest on a quota or an authorization, then ACA, and NLR only when nothing else applies.
  const authorizations = parts.map((p) => p.authorization).filter((a): a is Authorization => a !== null);
  const authorization = licenseRequired
    ? null
    : (AUTHORIZATION_PRECEDENCE.find((a) => authorizations.includes(a)) ?? 'NLR');
  return {
    allowed: !licenseRequired && parts.every((p) => p.allowed),
    licenseRequired,
    authorization,
    reviewPolicy,
  };
}

function eccnList(items: readonly ClassifiedItem[]): string {
  return [...new Set(items.map((i) => i.eccn))].join('/');
}

const CHINA_CASE_BY_CASE_TRANSACTION: Transaction = 'EXPORT';

/**
 * The items that License Exception NAC or ACA lets go without a licence (15 CFR 740.8, RULES.md 6): the
 * consumer 3A090.a path and datacentre 3A090.b items. Neither uses the allocation or LPP.
 */
function exceptionPart(
  input: DecisionInput,
  items: readonly ClassifiedItem[],
  kind: 'NAC' | 'ACA',
): PartOutcome {
  const what = `${eccnList(items)} items (${labels(items)}, ${items
    .map((i) =>
      i.eccn.endsWith('.a')
        ? 'not designed or marketed for data centres, TPP of 4,800 or more'
        : 'designed or marketed for data centres',
    )
    .filter((v, i, all) => all.indexOf(v) === i)
    .join('; ')})`;
  if (kind === 'ACA') {
    return noLicence('ACA', [
      reason(
        'ACA_AUTHORIZED',
        `${what} to ${input.destination.name}: License Exception ACA (Advanced Computing Authorized) covers them, with no licence and no notification; neither the destination nor the end user's headquarters is in D:5 or Macau. No allocation and no LPP are used.`,
      ),
    ]);
  }
  const why =
    input.shipDate < ADVANCED_COMPUTING_EXCEPTIONS.acaAvailableFrom
      ? `before ${ADVANCED_COMPUTING_EXCEPTIONS.acaAvailableFrom} (89 FR 23876) every shipment under this exception needed a notification`
      : `the destination or the end user's headquarters is in D:5 or Macau`;
  return notified([
    reason(
      'NAC_NOTIFICATION_REQUIRED',
      `${what} to ${input.destination.name}: License Exception NAC (Notified Advanced Computing) covers them once BIS has been notified and has not objected within ${ADVANCED_COMPUTING_EXCEPTIONS.nacWaitingDays} days (${why}). Notify by ${nacNotifyBy(input.shipDate)} to ship on ${input.shipDate}. No allocation and no LPP are used.`,
    ),
  ]);
}

/** The headquarters rule's paragraph for these items on the ship date (RULES.md 6). */
function headquartersCitation(items: readonly ClassifiedItem[], date: string): string {
  const advanced = items.some((i) => isAdvancedEccn(i.eccn));
  return advanced && date >= HEADQUARTERS_RULE_CITATIONS.movedOn
    ? HEADQUARTERS_RULE_CITATIONS.advancedAfterMove
    : HEADQUARTERS_RULE_CITATIONS.before;
}

/**
 * The destination and headquarters rule of 15 CFR 742.6(a)(6)(iii) and 744.23(a)(3) (88 FR 73458): a licence
 * for the baseline destination set, and for end users headquartered in D:5 or Macau wherever the item goes;
 * the items License Exception NAC or ACA reaches go under it instead.
 */
function baselineParts(
  input: DecisionInput,
  items: readonly ClassifiedItem[],
  chinaCaseByCase: boolean,
): PartOutcome[] {
  const date = input.shipDate;
  const dest = normaliseCountryCode(input.destination.code);
  const hq = normaliseCountryCode(input.headquarters.code);
  const destinationCaught = requiresBaselineLicence(dest, date);
  const headquartersCaught = isD5OrMacauOn(hq, date);

  if (!destinationCaught && !headquartersCaught) {
    return [
      noLicence('NLR', [
        reason(
          'BASELINE_NO_LICENSE_REQUIRED',
          `${eccnList(items)} items (${labels(items)}): ${input.destination.name} is not in Country Group D:1, D:4 or D:5 (or is also in A:5/A:6) and the end user is not headquartered in D:5 or Macau, so no licence is required.`,
        ),
      ]),
    ];
  }

  const parts: PartOutcome[] = [];
  const eligible = items.filter(isAdvancedComputingExceptionItem);
  const licensed = items.filter((i) => !isAdvancedComputingExceptionItem(i));
  const extra: Reason[] = [];
  if (eligible.length > 0) {
    const route = exceptionRoute(dest, hq, date);
    if (route.kind === 'EMBARGOED') {
      licensed.push(...eligible);
      extra.push(
        reason(
          'EXCEPTION_UNAVAILABLE_EMBARGO',
          `${labels(eligible)}: License Exceptions NAC and ACA are not available where ${route.code} is the destination or the headquarters: ${route.citation} governs.`,
        ),
      );
    } else {
      parts.push(exceptionPart(input, eligible, route.kind));
    }
  }
  if (licensed.length > 0) {
    parts.push(
      baselineLicencePart(input, licensed, chinaCaseByCase, { destinationCaught, headquartersCaught, extra }),
    );
  }
  return parts;
}

function baselineLicencePart(
  input: DecisionInput,
  items: readonly ClassifiedItem[],
  chinaCaseByCase: boolean,
  caught: { destinationCaught: boolean; headquartersCaught: boolean; extra: Reason[] },
): PartOutcome {
  const date = input.shipDate;
  const dest = normaliseCountryCode(input.destination.code);
  const hq = normaliseCountryCode(input.headquarters.code);
  const reasons: Reason[] = [...caught.extra];
  if (caught.destinationCaught) {
    reasons.push(
      reason(
        'BASELINE_DESTINATION_LICENSE_REQUIRED',
        `${eccnList(items)} items (${labels(items)}) to ${input.destination.name}: a licence is required for destinations in Country Group D:1, D:4 or D:5 not also in A:5 or A:6, and for Macau.`,
      ),
    );
  }
  if (caught.headquartersCaught) {
    // The paragraph depends on the item class and the date: one reason per citation.
    const advanced = items.filter((i) => isAdvancedEccn(i.eccn));
    const lesser = items.filter((i) => !isAdvancedEccn(i.eccn));
    for (const group of [advanced, lesser]) {
      if (group.length === 0) continue;
      reasons.push(
        reason(
          'BASELINE_HEADQUARTERS_LICENSE_REQUIRED',
          `${eccnList(group)} items (${labels(group)}): the end user is headquartered in ${input.headquarters.name} (D:5 or Macau), which requires a licence wherever the items go (BIS guidance of 2026-05-31 confirms this).`,
          headquartersCitation(group, date),
        ),
      );
    }
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
    // 91 FR 1684 reaches exports from the United States to China or Macau only (RULES.md 6): a reexport, an
    // in-country transfer, or a China-headquartered end user located elsewhere keeps the presumption of denial.
    const transaction = input.transaction ?? 'EXPORT';
    const destinationInScope = CHINA_CASE_BY_CASE.codes.includes(dest);
    if (transaction !== CHINA_CASE_BY_CASE_TRANSACTION || !destinationInScope) {
      const why = !destinationInScope
        ? `the destination is ${input.destination.name}, not China or Macau (an end user headquartered there but located elsewhere is not covered)`
        : transaction === 'REEXPORT'
          ? `this is a reexport${input.exportFrom ? ` from ${input.exportFrom.name}` : ''}, not an export from the United States`
          : 'this is an in-country transfer, not an export from the United States';
      reasons.push(
        reason(
          'CHINA_CASE_BY_CASE_OUT_OF_SCOPE',
          `The case-by-case policy of 91 FR 1684 covers exports from the United States to China or Macau only; ${why}. Presumption of denial.`,
        ),
      );
      return licence('PRESUMPTION_OF_DENIAL', reasons);
    }
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

/**
 * Why a claimed VEU is not an authorization here (90 FR 4544, RULES.md 6), or null when it can be: a Universal
 * VEU must be headquartered in Tier 1 and cannot authorize exports into Tier 3 (D:5 or Macau); a National VEU
 * cannot be headquartered in D:5 or Macau and is authorised for named Tier 2 countries only.
 */
function veuIneligibility(
  veu: 'UVEU' | 'NVEU',
  destinationTier: Tier,
  hq: { name: string; tier: Tier },
): Reason | null {
  const problems: string[] = [];
  if (veu === 'UVEU') {
    if (hq.tier !== 'TIER_1')
      problems.push(
        `a Universal VEU must be headquartered in Tier 1, and the end user's headquarters is in ${hq.name} (${hq.tier.replace('_', ' ')})`,
      );
    if (destinationTier === 'TIER_3')
      problems.push('a Universal VEU cannot authorize exports into Tier 3 (D:5 or Macau)');
  } else {
    if (hq.tier === 'TIER_3')
      problems.push(
        `a National VEU cannot be headquartered in D:5 or Macau, and the end user's headquarters is in ${hq.name}`,
      );
    if (destinationTier !== 'TIER_2')
      problems.push('a National VEU is authorised for named Tier 2 countries only');
  }
  if (problems.length === 0) return null;
  return reason(
    'VEU_NOT_ELIGIBLE',
    `The claimed ${veu} is not an authorization for this shipment: ${problems.join('; ')}. The answer follows the ordinary path.`,
  );
}

function evaluateDiffusion(
  input: DecisionInput,
  pack: RulePack,
  quantities: DiffusionQuantities,
): Evaluation {
  const { destination: dest, headquarters: hq } = input;
  // Consumer 3A090.a items (not for data centres, TPP >= 4800) go under NAC/ACA wherever AIA does not already
  // cover them: 90 FR 4544 widened ACA to every destination outside D:5 and Macau (RULES.md 6).
  const aiaCovers = dest.tier === 'TIER_1' && hq.tier === 'TIER_1';
  const consumerRoute = exceptionRoute(dest.code, hq.code, input.shipDate);
  const consumer =
    aiaCovers || consumerRoute.kind === 'EMBARGOED'
      ? []
      : input.items.filter((i) => isAdvancedEccn(i.eccn) && isAdvancedComputingExceptionItem(i));
  const advanced = input.items.filter((i) => isAdvancedEccn(i.eccn) && !consumer.includes(i));
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

  if (consumer.length > 0 && consumerRoute.kind !== 'EMBARGOED') {
    parts.push(exceptionPart(input, consumer, consumerRoute.kind));
  }

  const veu = input.endUser.verifiedEndUser;
  const veuRefusal = veu === null ? null : veuIneligibility(veu, dest.tier, hq);
  if (advanced.length > 0) {
    const what = `3A090.a/4A090.a items (${labels(advanced)}, ${tpp(advancedTpp)})`;
    if (dest.tier === 'TIER_3' || hq.tier === 'TIER_3') {
      const reasons: Reason[] = veuRefusal ? [veuRefusal] : [];
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
      if (veu !== null && veuRefusal === null) {
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
        const refused = veuRefusal ? [veuRefusal] : [];
        const lppAfter = addTpp(lppPool.usedTpp, advancedTpp);
        if (lppAfter <= lppPool.capTpp) {
          draws = { ...NO_DRAWS, lppTpp: advancedTpp, drawsLpp: true };
          parts.push(
            noLicence('LPP', [
              ...refused,
              reason(
                'LPP_WITHIN_LIMIT',
                `${what}: consignee ${input.consignee} has used ${tpp(lppPool.usedTpp)} of its ${year} LPP limit of ${tpp(lppPool.capTpp)}; this shipment brings it to ${tpp(lppAfter)}, within the limit. License Exception LPP; the country allocation is not used.`,
              ),
            ]),
          );
        } else {
          const reasons = [
            ...refused,
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

  if (lesser.length > 0) parts.push(...baselineParts(input, lesser, false));
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
  if (controlled.length > 0) parts.push(...baselineParts(input, controlled, true));
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

const PARTY_LABEL = { CONSIGNEE: 'consignee', END_USER: 'end user' } as const;

function matchLabel(match: ScreeningMatch): string {
  const who = match.party
    ? `The ${PARTY_LABEL[match.party]} ${match.partyName ?? ''}`.trimEnd()
    : 'The party';
  const where = match.countries.length > 0 ? ` (${match.countries.join(', ')})` : '';
  const alias = match.matchedName !== match.entryName ? `, listed also as "${match.matchedName}"` : '';
  return `${who} matches "${match.entryName}"${alias}${where} on the ${match.source}, score ${match.score}`;
}

/**
 * What the parties' screening means for the decision (API.md, "Screening"): an Entity List or Military
 * End-User hit needs a licence with the entry's policy, citing its notice; a Denied Persons or SDN hit needs a
 * licence (the other agency's) with a presumption of denial; an Unverified List hit, a hit on any other list and
 * every possible match ask for a person's review. `review` is true when any of those did.
 */
function screeningParts(screening: ScreeningResult): { parts: PartOutcome[]; review: boolean } {
  const parts: PartOutcome[] = [];
  let review = false;
  for (const match of screening.matches) {
    const label = matchLabel(match);
    if (match.kind === 'POSSIBLE_MATCH') {
      review = true;
      parts.push({
        allowed: false,
        licenseRequired: false,
        authorization: null,
        reviewPolicy: null,
        reasons: [
          reason(
            'SCREENING_POSSIBLE_MATCH',
            `${label}: a possible match, below the hit threshold. A person must decide whether it is the listed party before anything ships.`,
          ),
        ],
      });
      continue;
    }
    const requirement = match.licenseRequirement ? ` Licence requirement: ${match.licenseRequirement}.` : '';
    const policy = match.licensePolicy ? ` Licence policy: ${match.licensePolicy}.` : '';
    switch (match.list) {
      case 'EL':
      case 'MEU': {
        const code = match.list === 'EL' ? 'ENTITY_LIST_MATCH' : 'MEU_LIST_MATCH';
        parts.push(
          licence(reviewPolicyOf(match.licensePolicy), [
            reason(
              code,
              `${label}: a licence is required whatever the destination's tier.${requirement}${policy}`,
              match.federalRegisterNotice ?? REASON_CITATIONS[code],
            ),
          ]),
        );
        break;
      }
      case 'DPL':
        parts.push(
          licence('PRESUMPTION_OF_DENIAL', [
            reason(
              'DENIED_PERSONS_LIST_MATCH',
              `${label}: a denial order bars this party from export transactions; nothing may ship to it without BIS authorization.`,
            ),
          ]),
        );
        break;
      case 'SDN':
        parts.push(
          licence('PRESUMPTION_OF_DENIAL', [
            reason(
              'SDN_LIST_MATCH',
              `${label}: the party is blocked by OFAC; dealings with it are prohibited without an OFAC licence.`,
            ),
          ]),
        );
        break;
      case 'UVL':
        review = true;
        parts.push({
          allowed: false,
          licenseRequired: false,
          authorization: null,
          reviewPolicy: null,
          reasons: [
            reason(
              'UNVERIFIED_LIST_MATCH',
              `${label}: the Unverified List bars License Exceptions and needs a UVL statement from the party before any shipment; a person must review it.`,
            ),
          ],
        });
        break;
      case 'OTHER':
        review = true;
        parts.push({
          allowed: false,
          licenseRequired: false,
          authorization: null,
          reviewPolicy: null,
          reasons: [
            reason(
              'OTHER_LIST_MATCH',
              `${label}: a restricted-party list this service does not decide on; a person must review it.${requirement}`,
            ),
          ],
        });
        break;
    }
  }
  return { parts, review };
}

function notificationDuty(input: DecisionInput): NotificationDuty {
  return {
    exception: 'NAC',
    submitTo: ADVANCED_COMPUTING_EXCEPTIONS.nacSubmitTo,
    waitingDays: ADVANCED_COMPUTING_EXCEPTIONS.nacWaitingDays,
    notifyBy: nacNotifyBy(input.shipDate),
    contents: [
      'the items: ECCN, description, quantity and TPP of each',
      `the destination (${input.destination.name}) and, for a reexport, the country it leaves`,
      `the ultimate consignee (${input.consignee}) and the end user (${input.endUser.name}), with addresses`,
      'the end use',
    ],
    citation: REASON_CITATIONS.NAC_NOTIFICATION_REQUIRED,
  };
}

function outcomeOf(combined: Omit<PartOutcome, 'reasons'>, reviewRequired: boolean): Outcome {
  // A person must look first whatever the rules say: the data cannot support an answer (API.md, "Outcome").
  if (reviewRequired) return 'REVIEW';
  if (combined.licenseRequired) return 'LICENSE_REQUIRED';
  if (combined.authorization === 'NAC') return 'NOTIFICATION_REQUIRED';
  return combined.allowed ? 'ALLOWED' : 'LICENSE_REQUIRED';
}

/**
 * Decides a shipment under one rule pack (RULES.md 5 and 6). Pure: countries and products come in resolved and
 * classified, quota balances come in as read, and nothing is reserved here.
 */
export function decideShipment(input: DecisionInput): Decision {
  const pack = getRulePack(input.pack);
  const legal = legalStatusOn(pack, input.shipDate);
  const tiered = pack.quantities !== null;
  // Tiers follow D:5 on the ship date (RULES.md 6), for every item class.
  const decided: DecisionInput = tiered
    ? {
        ...input,
        destination: {
          ...input.destination,
          tier: decidingTier(input.destination.code, input.destination.tier, input.shipDate),
        },
        headquarters: {
          ...input.headquarters,
          tier: decidingTier(input.headquarters.code, input.headquarters.tier, input.shipDate),
        },
      }
    : input;
  const evaluation =
    pack.quantities !== null ? evaluateDiffusion(decided, pack, pack.quantities) : evaluateBaseline(decided);
  const screened = input.screening ? screeningParts(input.screening) : { parts: [], review: false };
  const combined = combine([...evaluation.parts, ...screened.parts]);
  const outcome = outcomeOf(combined, screened.review);

  // A shipment presumed denied holds nothing, whatever a part of it would otherwise have drawn; neither does
  // one whose party is, or may be, a listed party (reservations are refused for it).
  const draws =
    combined.reviewPolicy === 'PRESUMPTION_OF_DENIAL' || (input.screening?.matches.length ?? 0) > 0
      ? NO_DRAWS
      : evaluation.draws;
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
  if (!input.screening || input.screening.listId === null) {
    warnings.push(
      'The parties were not screened against the restricted-party lists (no screening list has been imported): the Entity List and the other lists of the Consolidated Screening List may still apply.',
    );
  }

  // The baseline has no tiers: show the country groups that drove the answer, never a diffusion tier.
  const destination: DecisionDestination = {
    code: input.destination.code.toUpperCase(),
    name: input.destination.name,
    ...(tiered ? { tier: decided.destination.tier } : {}),
    countryGroups: groupsOn(input.destination.code, input.shipDate),
  };

  const totalTpp = sumTpp(input.items);
  return {
    outcome,
    ruleset: {
      id: pack.id,
      name: pack.name,
      citation: pack.citation,
      status: legal.status,
      inForceOnShipDate: legal.inForceOnShipDate,
      selectedBy: input.rulesetSelection ?? 'REQUESTED',
    },
    warnings,
    allowed: outcome === 'ALLOWED',
    licenseRequired: combined.licenseRequired,
    authorization: combined.authorization,
    reviewPolicy: combined.reviewPolicy,
    notification: combined.authorization === 'NAC' ? notificationDuty(input) : null,
    transaction: input.transaction ?? 'EXPORT',
    exportFrom: input.exportFrom?.code.toUpperCase() ?? null,
    destination,
    items: input.items.map(toDecisionItem),
    totalTpp,
    h100Equivalents: toH100Equivalents(totalTpp),
    quota: { countryAllocation, lpp },
    reasons: [...evaluation.parts, ...screened.parts].flatMap((p) => p.reasons),
    screening: input.screening ?? null,
    holds: {
      countryTpp: countryAllocation?.thisShipmentTpp ?? 0,
      lppTpp: lpp?.thisShipmentTpp ?? 0,
      lppYear: lpp?.year ?? null,
    },
  };
}
