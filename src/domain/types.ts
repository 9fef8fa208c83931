import type { IsoDate } from './dates.ts';
import type { ReasonCode } from './reasons.ts';

export type { IsoDate } from './dates.ts';

export const TIERS = ['TIER_1', 'TIER_2', 'TIER_3'] as const;
export type Tier = (typeof TIERS)[number];

/** Never "cleared": an item outside 3A090/4A090 may still be caught by other EAR controls. */
export const CHIP_ECCNS = ['3A090.a', '3A090.b', 'OUTSIDE_3A090'] as const;
export type ChipEccn = (typeof CHIP_ECCNS)[number];
export const SYSTEM_ECCNS = ['4A090.a', '4A090.b', 'OUTSIDE_4A090'] as const;
export type SystemEccn = (typeof SYSTEM_ECCNS)[number];
export type Eccn = ChipEccn | SystemEccn;

export const PRODUCT_KINDS = ['CHIP', 'SYSTEM'] as const;
export type ProductKind = (typeof PRODUCT_KINDS)[number];

/** One dense (non-sparse) datasheet peak: `tops` TOPS or TFLOPS at `bitLength` bits. */
export interface Peak {
  precision: string;
  tops: number;
  bitLength: number;
}

export const RULESET_IDS = ['ai-diffusion-2025', 'baseline-2023'] as const;
export type RulesetId = (typeof RULESET_IDS)[number];

export const LEGAL_STATUSES = [
  'NOT_YET_EFFECTIVE',
  'EFFECTIVE_COMPLIANCE_PENDING',
  'IN_FORCE',
  'RESCINDED',
] as const;
export type LegalStatus = (typeof LEGAL_STATUSES)[number];

export const AUTHORIZATIONS = ['AIA', 'LPP', 'VEU', 'NLR'] as const;
export type Authorization = (typeof AUTHORIZATIONS)[number];

export const REVIEW_POLICIES = ['PRESUMPTION_OF_APPROVAL', 'CASE_BY_CASE', 'PRESUMPTION_OF_DENIAL'] as const;
export type ReviewPolicy = (typeof REVIEW_POLICIES)[number];

export const VERIFIED_END_USER_KINDS = ['UVEU', 'NVEU'] as const;
export type VerifiedEndUserKind = (typeof VERIFIED_END_USER_KINDS)[number];

/** A line of the order, already classified by the caller (see classifyProduct / classifyChip). */
export interface ClassifiedItem {
  productId?: string;
  description?: string;
  quantity: number;
  eccn: Eccn;
  tppPerUnit: number;
  /** tppPerUnit x quantity. */
  tpp: number;
  note2Applied: boolean;
  /**
   * TPP of one chip in the item: for a system, its component's TPP; defaults to tppPerUnit. Only the
   * baseline-2023 pack reads it (91 FR 1684 tests TPP per chip).
   */
  chipTpp?: number | null;
  /** DRAM bandwidth of one chip in GB/s; only the baseline-2023 pack reads it (91 FR 1684). */
  memoryBandwidthGBs?: number | null;
}

export interface DecisionInput {
  pack: RulesetId;
  shipDate: IsoDate;
  destination: {
    code: string;
    name: string;
    tier: Tier;
    /** The country's allocation cap in TPP as the caller holds it; null for Tier 1/3. */
    allocationTpp: number | null;
    govToGovArrangement: boolean;
  };
  /** Where the end user (or its ultimate parent) is headquartered. */
  headquarters: { code: string; name: string; tier: Tier };
  endUser: { name: string; verifiedEndUser: VerifiedEndUserKind | null };
  consignee: string;
  items: ClassifiedItem[];
  /** Balances read by the caller; the engine does the arithmetic and the deciding. */
  quota: {
    country: { capTpp: number; usedTpp: number } | null;
    lpp: { year: number; capTpp: number; usedTpp: number } | null;
  };
}

export interface DecisionItem {
  productId?: string;
  description?: string;
  quantity: number;
  eccn: Eccn;
  tppPerUnit: number;
  tpp: number;
}

export interface CountryAllocationView {
  /** Whether this shipment draws on the pool. */
  applies: boolean;
  capTpp: number;
  usedTpp: number;
  remainingTpp: number;
  /** What this shipment draws (0 when it does not apply). */
  thisShipmentTpp: number;
  remainingAfterTpp: number;
}

export interface LppView extends CountryAllocationView {
  year: number;
}

export interface Reason {
  code: ReasonCode;
  message: string;
  citation: string;
}

export interface RulesetSummary {
  id: RulesetId;
  name: string;
  citation: string;
  status: LegalStatus;
  inForceOnShipDate: boolean;
}

/** What a reservation of this shipment would hold, in TPP, for the quota ledger. */
export interface QuotaHolds {
  countryTpp: number;
  lppTpp: number;
  /** The calendar year of the consignee's LPP pool when the destination has one; otherwise null. */
  lppYear: number | null;
}

/** The check response of API.md, minus `checkId` (the service adds it), plus `holds`. */
export interface Decision {
  allowed: boolean;
  licenseRequired: boolean;
  authorization: Authorization | null;
  reviewPolicy: ReviewPolicy | null;
  destination: { code: string; name: string; tier: Tier };
  items: DecisionItem[];
  totalTpp: number;
  h100Equivalents: number;
  quota: { countryAllocation: CountryAllocationView | null; lpp: LppView | null };
  reasons: Reason[];
  ruleset: RulesetSummary;
  warnings: string[];
  holds: QuotaHolds;
}
