import { SEED_PRODUCTS } from './catalogue.ts';
import { ADVANCED_COMPUTING_EXCEPTIONS } from './license-exceptions.ts';
import { RULE_PACKS } from './rulesets.ts';

/** A figure in the seed data that an officer should confirm against the primary source (RULES.md 7). */
export interface UncertainFigure {
  area: 'rule pack' | 'country groups' | 'licence exceptions' | 'product';
  what: string;
  value: string;
  why: string;
  source: string;
}

/** Confidence labels that mark a product's datasheet figures as settled. */
const SETTLED = /^high\b/i;

/**
 * Every figure of the seed data marked uncertain: the ones RULES.md 7 names, and every catalogue product whose
 * confidence is not "high". Pure: the CLI `npm run data:uncertain` prints it for an officer's review.
 */
export function uncertainFigures(): UncertainFigure[] {
  const diffusion = RULE_PACKS['ai-diffusion-2025'].quantities;
  const figures: UncertainFigure[] = [];
  if (diffusion) {
    figures.push(
      {
        area: 'rule pack',
        what: 'ai-diffusion-2025: Tier 2 country allocation (TPP)',
        value: diffusion.tier2AllocationTpp.toString(),
        why: 'the ~49,900 H100e equivalent is confirmed; the literal TPP figure is not',
        source: diffusion.sources.tier2AllocationTpp,
      },
      {
        area: 'rule pack',
        what: 'ai-diffusion-2025: government-to-government allocation multiplier',
        value: diffusion.govToGovAllocationMultiplier.toString(),
        why: 'secondary sources only',
        source: diffusion.sources.govToGovAllocationMultiplier,
      },
      {
        area: 'rule pack',
        what: 'ai-diffusion-2025: NVEU cumulative caps',
        value: 'not held (each authorization carries its own)',
        why: 'the NVEU schedule is not reliably known',
        source: 'RULES.md 4 and 7',
      },
      {
        area: 'rule pack',
        what: 'ai-diffusion-2025: LPP notification mechanics',
        value: 'not modelled',
        why: 'not reliably known',
        source: 'RULES.md 7',
      },
    );
  }
  figures.push(
    {
      area: 'country groups',
      what: 'Belarus (BY) in Country Group D:4',
      value: 'member',
      why: 'one machine-readable source plus memory',
      source: 'RULES.md 7; country-groups.json',
    },
    {
      area: 'country groups',
      what: 'Macau (MO) in Country Group D:4',
      value: 'member',
      why: 'one machine-readable source plus memory',
      source: 'RULES.md 7; country-groups.json',
    },
    {
      area: 'licence exceptions',
      what: 'License Exception NAC: days BIS has to object',
      value: ADVANCED_COMPUTING_EXCEPTIONS.nacWaitingDays.toString(),
      why: 'taken from RULES.md 6; confirm against 15 CFR 740.8',
      source: 'RULES.md 6',
    },
    {
      area: 'licence exceptions',
      what: 'ACA widened to every destination outside D:5 and Macau under ai-diffusion-2025',
      value: 'applied to consumer 3A090.a items',
      why: 'secondary sources; confirm against 90 FR 4544',
      source: 'RULES.md 6',
    },
  );
  for (const product of SEED_PRODUCTS) {
    if (SETTLED.test(product.confidence)) continue;
    figures.push({
      area: 'product',
      what: `${product.id} (${product.vendor} ${product.name}): datasheet figures`,
      value: [
        ...product.peaks.map((p) => `${p.precision} ${p.tops} x ${p.bitLength} bit`),
        `die ${product.dieAreaMm2 ?? 'unknown'} mm²`,
        `bandwidth ${product.memoryBandwidthGBs ?? 'unknown'} GB/s`,
      ].join('; '),
      why: product.confidence,
      source: product.source,
    });
  }
  return figures;
}
