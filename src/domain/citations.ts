import type { RulesetId } from './types.ts';

export interface CitedParagraph {
  citation: string;
  title: string;
}

const P = (citation: string, title: string): CitedParagraph => ({ citation, title });

const SHARED: readonly CitedParagraph[] = [
  P(
    '15 CFR 742.6(a)(6)(iii)',
    'Licence requirement for 3A090/4A090 by destination (D:1, D:4, D:5 not A:5/A:6, Macau)',
  ),
  P(
    '15 CFR 742.6(a)(6)(iii)(A)',
    'Headquarters rule for 3A090.a/4A090.a items, from 2025-01-13 (90 FR 4544)',
  ),
  P(
    '15 CFR 744.23(a)(3)',
    'Headquarters rule: entities headquartered in (or with an ultimate parent in) D:5 or Macau',
  ),
  P('15 CFR 742.6(b)(10)', 'Licence review policy for 3A090/4A090'),
  P(
    '15 CFR 740.8',
    'License Exceptions Notified Advanced Computing (NAC) and Advanced Computing Authorized (ACA)',
  ),
  P(
    '15 CFR 746.1',
    'Embargoes and other special controls (part 746): exceptions limited for E:1/E:2, Russia, Belarus',
  ),
  P('15 CFR 774, Supp. No. 1, ECCN 3A090 (88 FR 73458)', 'ECCN 3A090 control parameters and Note 2'),
  P('15 CFR 744.11', 'Entity List: licence requirements and policies of Supp. No. 4 to part 744'),
  P('15 CFR 744.21', 'Military end-use and end-user controls; the Military End-User List'),
  P('15 CFR 744.15', 'Unverified List: UVL statement, no licence exceptions'),
  P('15 CFR 764.3', 'Denial orders: the Denied Persons List'),
  P('31 CFR chapter V', 'OFAC sanctions: Specially Designated Nationals (blocked persons)'),
  P(
    'Consolidated Screening List',
    'The trade.gov Consolidated Screening List, other lists and possible matches',
  ),
];

/**
 * The paragraphs each rule pack rests on: the reason catalogue may cite only these (a test holds it to
 * that), so a mistyped or invented paragraph cannot reach an answer.
 */
export const CITATION_TABLE: Readonly<Record<RulesetId, readonly CitedParagraph[]>> = {
  'ai-diffusion-2025': [
    ...SHARED,
    P('90 FR 4544', 'Framework for Artificial Intelligence Diffusion: country allocations and tiers'),
    P('15 CFR 740.27', 'License Exception Artificial Intelligence Authorization (AIA)'),
    P('15 CFR 740.29', 'License Exception Low Processing Performance (LPP)'),
    P('15 CFR 748.15', 'Validated End-User authorizations (UVEU, NVEU)'),
  ],
  'baseline-2023': [
    ...SHARED,
    P('91 FR 1684', 'Case-by-case review for exports to China and Macau below the TPP and bandwidth limits'),
  ],
};

export function isCitedIn(pack: RulesetId, citation: string): boolean {
  return CITATION_TABLE[pack].some((p) => p.citation === citation);
}
