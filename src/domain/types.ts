import type { IsoDate } from './dates.ts';
import type { ReasonCode } from './reasons.ts';
import type { ScreeningResult } from './screening.ts';
import type { ReviewPolicy, RulesetId } from './vocabulary.ts';

export type { IsoDate } from './dates.ts';
// Defined in a leaf module so that reasons.ts and screening.ts, which types.ts itself imports, need not import
// types.ts back (tests/unit/architecture.test.ts: no import circles).
export { RULESET_IDS, REVIEW_POLICIES } from './vocabulary.ts';
export type { RulesetId, ReviewPolicy } from './vocabulary.ts';

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

export const LEGAL_STATUSES = [
  'NOT_YET_EFFECTIVE',
  'EFFECTIVE_COMPLIANCE_PENDING',
  'IN_FORCE',
  'RESCINDED',
] as const;
export type LegalStatus = (typeof LEGAL_STATUSES)[number];

/** NAC and ACA are the License Exceptions of 15 CFR 740.8 (as split by 89 FR 23876). */
export const AUTHORIZATIONS = ['AIA', 'LPP', 'VEU', 'NLR', 'NAC', 'ACA'] as const;
export type Authorization = (typeof AUTHORIZATIONS)[number];

/**
 * The one word a person acts on (API.md, "Outcome"): ship now; ship once BIS has been notified and has not
 * objected (NAC); apply for a licence; or a person must look first (the data cannot support an answer).
 */
export const OUTCOMES = ['ALLOWED', 'NOTIFICATION_REQUIRED', 'LICENSE_REQUIRED', 'REVIEW'] as const;
export type Outcome = (typeof OUTCOMES)[number];

/**
 * EXPORT: out of the United States; REEXPORT: from one foreign country to another; TRANSFER: within one
 * foreign country (in-country transfer). 91 FR 1684 covers exports only (RULES.md 6).
 */
export const TRANSACTIONS = ['EXPORT', 'REEXPORT', 'TRANSFER'] as const;
export type Transaction = (typeof TRANSACTIONS)[number];

/** How the rule pack of a decision was chosen. */
export const RULESET_SELECTIONS = ['REQUESTED', 'IN_FORCE', 'DEFAULT'] as const;
export type RulesetSelection = (typeof RULESET_SELECTIONS)[number];

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
   * Designed or marketed for data centres (Note 2 to 3A090); decides which items License Exceptions NAC
   * and ACA reach (15 CFR 740.8). Unknown (undefined) is treated as a datacentre item: never eligible for
   * the consumer-card path.
   */
  datacenter?: boolean;
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
  /** How the pack was chosen; REQUESTED when absent. */
  rulesetSelection?: RulesetSelection;
  shipDate: IsoDate;
  /** EXPORT when absent. */
  transaction?: Transaction;
  /** The country a REEXPORT leaves; null or absent otherwise. */
  exportFrom?: { code: string; name: string } | null;
  destination: {
    code: string;
    name: string;
    /**
     * The tier as the country's record holds it. The deciding tier follows D:5 on the ship date unless an
     * officer set the record to another tier than the seed (see decidingTier).
     */
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
  /**
   * What the parties' screening found (API.md, "Screening"); null or absent when it was not performed, which
   * the answer says.
   */
  screening?: ScreeningResult | null;
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
  selectedBy: RulesetSelection;
}

/** What License Exception NAC asks of the exporter before the shipment may go (15 CFR 740.8). */
export interface NotificationDuty {
  exception: 'NAC';
  submitTo: string;
  /** Days BIS has to object after the notification is received. */
  waitingDays: number;
  /** The last day to notify so that the waiting period ends by the ship date. */
  notifyBy: IsoDate;
  contents: string[];
  citation: string;
}

export interface DecisionDestination {
  code: string;
  name: string;
  /** Only under a pack that has tiers (ai-diffusion-2025): the tier that decided, on the ship date. */
  tier?: Tier;
  /** Country Groups of Supp. No. 1 to part 740 the destination belongs to on the ship date. */
  countryGroups: string[];
}

/** What a reservation of this shipment would hold, in TPP, for the quota ledger. */
export interface QuotaHolds {
  countryTpp: number;
  lppTpp: number;
  /** The calendar year of the consignee's LPP pool when the destination has one; otherwise null. */
  lppYear: number | null;
}

/**
 * The check response of API.md, minus `checkId` (the service adds it), plus `holds`. The legal status comes
 * first (outcome, ruleset, warnings): a reader who stops after three fields knows what the answer is worth.
 */
export interface Decision {
  outcome: Outcome;
  ruleset: RulesetSummary;
  warnings: string[];
  allowed: boolean;
  licenseRequired: boolean;
  authorization: Authorization | null;
  reviewPolicy: ReviewPolicy | null;
  /** Set when License Exception NAC applies; null otherwise. */
  notification: NotificationDuty | null;
  transaction: Transaction;
  /** The country a REEXPORT leaves; null for an export (from the United States) or a transfer. */
  exportFrom: string | null;
  destination: DecisionDestination;
  items: DecisionItem[];
  totalTpp: number;
  h100Equivalents: number;
  quota: { countryAllocation: CountryAllocationView | null; lpp: LppView | null };
  reasons: Reason[];
  /** The import the parties were screened against and its matches; null when no screening was performed. */
  screening: ScreeningResult | null;
  holds: QuotaHolds;
}
