import { ClassificationError } from './errors.ts';
import { formatNumber } from './format.ts';
import type { ChipEccn, Peak, SystemEccn } from './types.ts';

export const ECCN_3A090_CITATION = '15 CFR 774, Supp. No. 1, ECCN 3A090 (88 FR 73458)';

/** ECCN 3A090 parameters as revised by 88 FR 73458 (effective 2023-11-17); `>=` lower bounds, `<` upper. */
export const THRESHOLDS_3A090 = {
  /** 3A090.a.1: TPP >= 4800. */
  a1Tpp: 4800,
  /** 3A090.a.2: TPP >= 1600 and PD >= 5.92. */
  a2Tpp: 1600,
  a2Density: 5.92,
  /** 3A090.b.1: 2400 <= TPP < 4800 and 1.6 <= PD < 5.92. */
  b1Tpp: 2400,
  b1Density: 1.6,
  /** 3A090.b.2: TPP >= 1600 and 3.2 <= PD < 5.92. */
  b2Tpp: 1600,
  b2Density: 3.2,
  /** Note 2 to 3A090: not designed or marketed for data centres and TPP < 4800. */
  note2Tpp: 4800,
} as const;

/** One NVIDIA H100 SXM (1,979 dense FP8 TFLOPS x 8): the unit in which the AI Diffusion quotas were framed. */
export const H100_TPP = 15832;

/** Removes binary floating-point noise; TPP is stored with three decimals. */
export function roundTpp(value: number): number {
  return Math.round(value * 1000) / 1000;
}

export function toH100Equivalents(tpp: number): number {
  return Math.round((tpp / H100_TPP) * 10) / 10;
}

/**
 * TPP = 2 x MacTOPS x bit length (Technical Note to 3A090). A datasheet's dense TOPS already counts a MAC as
 * two operations, so TOPS x bit length, taking the precision that gives the largest product.
 */
export function computeTpp(peaks: readonly Peak[]): number {
  if (peaks.length === 0) {
    throw new ClassificationError(
      'PEAKS_REQUIRED',
      'At least one dense peak figure is needed to compute TPP',
    );
  }
  let best = 0;
  for (const peak of peaks) {
    if (
      !Number.isFinite(peak.tops) ||
      peak.tops < 0 ||
      !Number.isFinite(peak.bitLength) ||
      peak.bitLength <= 0
    ) {
      throw new ClassificationError(
        'INVALID_PEAK',
        `Peak '${peak.precision}' needs non-negative TOPS and a positive bit length`,
        { precision: peak.precision, tops: peak.tops, bitLength: peak.bitLength },
      );
    }
    best = Math.max(best, peak.tops * peak.bitLength);
  }
  return roundTpp(best);
}

/** PD = TPP / applicable die area (Technical Note to 3A090); unknown when the die area is unknown. */
export function performanceDensity(tpp: number, dieAreaMm2: number | null): number | null {
  if (dieAreaMm2 === null) return null;
  if (!Number.isFinite(dieAreaMm2) || dieAreaMm2 <= 0) {
    throw new ClassificationError('INVALID_DIE_AREA', 'Die area must be a positive number of mm²', {
      dieAreaMm2,
    });
  }
  return tpp / dieAreaMm2;
}

export type Paragraph3A090 = '3A090.a.1' | '3A090.a.2' | '3A090.b.1' | '3A090.b.2';

export interface ChipClassificationInput {
  tpp: number;
  performanceDensity: number | null;
  /** Designed or marketed for use in data centres (Note 2 to 3A090). */
  datacenter: boolean;
}

export interface ChipClassification {
  eccn: ChipEccn;
  /** The sub-paragraph met, or null when outside 3A090. */
  paragraph: Paragraph3A090 | null;
  /** True when Note 2 is what takes the chip out of 3A090. */
  note2Applied: boolean;
  basis: string;
}

function tppText(tpp: number): string {
  return `TPP ${formatNumber(tpp)}`;
}

function pdText(pd: number): string {
  return `performance density ${formatNumber(pd)}`;
}

/** 3A090 without Note 2; null when the answer needs a performance density that is unknown. */
function paragraphMet(tpp: number, pd: number | null): Paragraph3A090 | 'OUTSIDE' | null {
  const t = THRESHOLDS_3A090;
  if (tpp >= t.a1Tpp) return '3A090.a.1';
  if (tpp < t.a2Tpp) return 'OUTSIDE';
  if (pd === null) return null;
  if (pd >= t.a2Density) return '3A090.a.2';
  if (tpp >= t.b1Tpp && pd >= t.b1Density) return '3A090.b.1';
  if (pd >= t.b2Density) return '3A090.b.2';
  return 'OUTSIDE';
}

function paragraphBasis(paragraph: Paragraph3A090, tpp: number, pd: number | null): string {
  const t = THRESHOLDS_3A090;
  const pdPart = pd === null ? '' : pdText(pd);
  switch (paragraph) {
    case '3A090.a.1':
      return `3A090.a.1: ${tppText(tpp)} >= ${formatNumber(t.a1Tpp)}`;
    case '3A090.a.2':
      return `3A090.a.2: ${tppText(tpp)} >= ${formatNumber(t.a2Tpp)} and ${pdPart} >= ${t.a2Density}`;
    case '3A090.b.1':
      return `3A090.b.1: ${formatNumber(t.b1Tpp)} <= ${tppText(tpp)} < ${formatNumber(t.a1Tpp)} and ${t.b1Density} <= ${pdPart} < ${t.a2Density}`;
    case '3A090.b.2':
      return `3A090.b.2: ${tppText(tpp)} >= ${formatNumber(t.b2Tpp)} and ${t.b2Density} <= ${pdPart} < ${t.a2Density}`;
  }
}

function outsideBasis(tpp: number, pd: number | null): string {
  const t = THRESHOLDS_3A090;
  if (tpp < t.a2Tpp) return `Outside 3A090: ${tppText(tpp)} < ${formatNumber(t.a2Tpp)}`;
  const pdPart = pd === null ? 'unknown performance density' : pdText(pd);
  if (tpp >= t.b1Tpp) {
    return `Outside 3A090: ${tppText(tpp)} < ${formatNumber(t.a1Tpp)} and ${pdPart} < ${t.b1Density}`;
  }
  return `Outside 3A090: ${tppText(tpp)} < ${formatNumber(t.b1Tpp)} and ${pdPart} < ${t.b2Density}`;
}

/**
 * Classifies an integrated circuit under ECCN 3A090 (88 FR 73458). Never guesses: when the answer turns on
 * performance density and that is unknown, it throws PERFORMANCE_DENSITY_REQUIRED.
 */
export function classifyChip(input: ChipClassificationInput): ChipClassification {
  const { tpp, performanceDensity: pd, datacenter } = input;
  if (!Number.isFinite(tpp) || tpp < 0) {
    throw new ClassificationError('INVALID_TPP', 'TPP must be a non-negative number', { tpp });
  }
  if (pd !== null && (!Number.isFinite(pd) || pd < 0)) {
    throw new ClassificationError('INVALID_PERFORMANCE_DENSITY', 'Performance density must be non-negative', {
      performanceDensity: pd,
    });
  }
  const met = paragraphMet(tpp, pd);

  // Note 2 to 3A090 excludes the chip whatever its density, so an unknown PD does not block the answer.
  if (!datacenter && tpp < THRESHOLDS_3A090.note2Tpp) {
    // Only say Note 2 applied when it made the difference (or when PD is unknown and it is what decides).
    const note2Applied = met !== 'OUTSIDE';
    return {
      eccn: 'OUTSIDE_3A090',
      paragraph: null,
      note2Applied,
      basis: note2Applied
        ? `Note 2 to 3A090: not designed or marketed for data centres and ${tppText(tpp)} < ${formatNumber(THRESHOLDS_3A090.note2Tpp)}`
        : outsideBasis(tpp, pd),
    };
  }

  if (met === null) {
    throw new ClassificationError(
      'PERFORMANCE_DENSITY_REQUIRED',
      `With ${tppText(tpp)} the 3A090 classification depends on performance density; give the applicable die area`,
      { tpp },
    );
  }
  if (met === 'OUTSIDE') {
    return { eccn: 'OUTSIDE_3A090', paragraph: null, note2Applied: false, basis: outsideBasis(tpp, pd) };
  }
  return {
    eccn: met.startsWith('3A090.a') ? '3A090.a' : '3A090.b',
    paragraph: met,
    note2Applied: false,
    basis: paragraphBasis(met, tpp, pd),
  };
}

export interface SystemClassification {
  tpp: number;
  /** The component chip's PD: 4A090 turns on the chips inside, not on the system. */
  performanceDensity: number | null;
  eccn: SystemEccn;
  note2Applied: boolean;
  basis: string;
}

const SYSTEM_ECCN: Record<ChipEccn, SystemEccn> = {
  '3A090.a': '4A090.a',
  '3A090.b': '4A090.b',
  OUTSIDE_3A090: 'OUTSIDE_4A090',
};

/**
 * 4A090.a/.b cover computers, assemblies and components containing 3A090.a/.b chips (88 FR 73458); the
 * system's TPP is that of its chips together (an 8-GPU server has the TPP of its 8 GPUs).
 */
export function classifySystem(
  component: { tpp: number; performanceDensity: number | null; eccn: ChipEccn; note2Applied: boolean },
  count: number,
): SystemClassification {
  if (!Number.isInteger(count) || count < 1) {
    throw new ClassificationError(
      'INVALID_COMPONENT_COUNT',
      'A system needs a positive whole number of chips',
      {
        count,
      },
    );
  }
  const eccn = SYSTEM_ECCN[component.eccn];
  const tpp = roundTpp(component.tpp * count);
  const basis =
    eccn === 'OUTSIDE_4A090'
      ? `Outside 4A090: its ${count} chips are outside 3A090; ${tppText(tpp)} in total`
      : `${eccn}: contains ${count} ${component.eccn} chips of ${tppText(component.tpp)} each, ${tppText(tpp)} in total`;
  return {
    tpp,
    performanceDensity: component.performanceDensity,
    eccn,
    note2Applied: component.note2Applied,
    basis,
  };
}

export function isAdvancedEccn(eccn: string): eccn is '3A090.a' | '4A090.a' {
  return eccn === '3A090.a' || eccn === '4A090.a';
}

export function isLesserEccn(eccn: string): eccn is '3A090.b' | '4A090.b' {
  return eccn === '3A090.b' || eccn === '4A090.b';
}

export function isOutsideEccn(eccn: string): eccn is 'OUTSIDE_3A090' | 'OUTSIDE_4A090' {
  return eccn === 'OUTSIDE_3A090' || eccn === 'OUTSIDE_4A090';
}
