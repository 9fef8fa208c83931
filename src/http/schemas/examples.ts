import { ALLOCATION_PERIOD } from '../../domain/rulesets.ts';
import { ERROR_CATALOGUE, type ErrorCode } from '../../errors.ts';
import { describeInForce, listRulesets } from '../../services/rulesets.ts';
import { problemType } from '../plugins/error-handler.ts';

/**
 * Examples for the OpenAPI document, taken from real responses of the service (reference data as seeded,
 * ship date 2025-06-01). The contract tests validate each one against its schema and replay the check
 * requests, so an example cannot drift from what the service does.
 */

/** An OpenAPI Example Object: Swagger UI lists these by summary and pre-fills "Try it out" with the first. */
export interface OpenApiExample {
  summary: string;
  description?: string;
  value: unknown;
}

export type NamedExamples = Record<string, OpenApiExample>;

/**
 * Named examples as zod metadata. Not the JSON Schema `examples` keyword: zod drops that from the input side
 * of any schema that transforms (CountryCodeSchema upper-cases), so request bodies would lose it. The swagger
 * plugin moves `x-examples` onto the media type or parameter that uses the schema.
 */
export function openApiExamples(named: NamedExamples): { 'x-examples': NamedExamples } {
  return { 'x-examples': named };
}

const RESCINDED_WARNING =
  'On ship date 2025-06-01 the Framework for Artificial Intelligence Diffusion (90 FR 4544, pack ai-diffusion-2025) ' +
  'stopped being enforced on 2025-05-13, when BIS announced its rescission (no formal rescission published in the ' +
  'Federal Register). Its compliance date 2025-05-15 was never reached, so it was never enforced. The regime ' +
  'enforced after that is pack baseline-2023. Treat this answer as planning only, not the law of the day.';

const AI_DIFFUSION_RULESET = {
  id: 'ai-diffusion-2025',
  name: 'Framework for Artificial Intelligence Diffusion',
  citation: '90 FR 4544',
  status: 'RESCINDED',
  inForceOnShipDate: false,
  selectedBy: 'REQUESTED',
};

/** A decision screened against an import, with no party listed. */
export const SCREENED_CLEAN = {
  listId: '2f1c7a52-5d0e-4b8f-9a51-6c3e2d1b0a94',
  importedAt: '2026-11-27T08:00:00.000Z',
  matches: [],
};

/** Fields of a plain export decision that no License Exception NAC reached. */
const EXPORT_NO_NOTIFICATION = { notification: null, transaction: 'EXPORT', exportFrom: null };

export const SOUTH_KOREA_CHECK = {
  destination: 'KR',
  items: [{ productId: 'nvidia-h100-sxm', quantity: 10000 }],
  endUser: { name: 'Example Korea Cloud', headquarters: 'KR', verifiedEndUser: null },
  shipDate: '2025-06-01',
};

export const UAE_CHECK = {
  destination: 'AE',
  items: [
    { productId: 'nvidia-h100-sxm', quantity: 2000 },
    { description: 'custom board', tpp: 5200, performanceDensity: 7.1, datacenter: true, quantity: 4 },
  ],
  endUser: { name: 'Example Cloud LLC', headquarters: 'AE', verifiedEndUser: null },
  consignee: 'Example Cloud LLC',
  shipDate: '2025-06-01',
  ruleset: 'ai-diffusion-2025',
};

/** The seed story's buyer: 10,000 GPUs, products not chosen yet. Tier 1 here; PLAN_REQUEST_EXAMPLES adds Tier 2. */
export const SOUTH_KOREA_PLAN = {
  destination: 'KR',
  candidates: [{ productId: 'nvidia-b200' }, { productId: 'nvidia-h200-sxm' }, { productId: 'amd-mi300x' }],
  endUser: { name: 'Example Korea Cloud', headquarters: 'KR', verifiedEndUser: null },
  shipDate: '2025-06-01',
};

export const UAE_PLAN = {
  ...SOUTH_KOREA_PLAN,
  destination: 'AE',
  endUser: { name: 'Example Cloud LLC', headquarters: 'AE', verifiedEndUser: null },
  consignee: 'Example Cloud LLC',
};

export const PLAN_REQUEST_EXAMPLES: NamedExamples = {
  southKorea: { summary: 'South Korea (Tier 1): B200, H200 or MI300X?', value: SOUTH_KOREA_PLAN },
  uae: { summary: 'UAE (Tier 2): B200, H200 or MI300X, with and without a licence', value: UAE_PLAN },
};

export const SHIPMENT_REQUEST_EXAMPLES: NamedExamples = {
  southKorea: {
    summary: 'South Korea: 10,000 H100 for a Korean end user (Tier 1, License Exception AIA)',
    value: SOUTH_KOREA_CHECK,
  },
  uae: {
    summary: 'UAE: 2,000 H100 and 4 custom boards (Tier 2, licence within the allocation)',
    value: UAE_CHECK,
  },
};

export const DECISION_EXAMPLES: NamedExamples = {
  southKorea: {
    summary: 'South Korea: allowed under License Exception AIA, no quota used',
    value: {
      outcome: 'ALLOWED',
      ruleset: { ...AI_DIFFUSION_RULESET, selectedBy: 'DEFAULT' },
      warnings: [RESCINDED_WARNING],
      checkId: '68eac1e9-9e83-4fd4-b42f-1be4cf5084f1',
      allowed: true,
      licenseRequired: false,
      authorization: 'AIA',
      reviewPolicy: null,
      ...EXPORT_NO_NOTIFICATION,
      destination: { code: 'KR', name: 'South Korea', tier: 'TIER_1', countryGroups: ['A:5'] },
      consignee: { id: null, name: 'Example Korea Cloud' },
      items: [
        { productId: 'nvidia-h100-sxm', quantity: 10000, eccn: '3A090.a', tppPerUnit: 15832, tpp: 158320000 },
      ],
      totalTpp: 158320000,
      h100Equivalents: 10000,
      quota: { countryAllocation: null, lpp: null },
      reasons: [
        {
          code: 'TIER1_AIA',
          message:
            '3A090.a/4A090.a items (nvidia-h100-sxm, 158,320,000 TPP) to South Korea for an end user headquartered in ' +
            'South Korea, both Tier 1: License Exception AIA; no quota is used.',
          citation: '15 CFR 740.27',
        },
      ],
      screening: SCREENED_CLEAN,
    },
  },
  uae: {
    summary: 'UAE: licence required, presumption of approval, drawing on the country allocation',
    value: {
      outcome: 'LICENSE_REQUIRED',
      ruleset: AI_DIFFUSION_RULESET,
      warnings: [RESCINDED_WARNING],
      checkId: '5d0b6ff0-d687-414a-bd85-6d825ace3578',
      allowed: false,
      licenseRequired: true,
      authorization: null,
      reviewPolicy: 'PRESUMPTION_OF_APPROVAL',
      ...EXPORT_NO_NOTIFICATION,
      destination: { code: 'AE', name: 'United Arab Emirates', tier: 'TIER_2', countryGroups: ['D:4'] },
      consignee: { id: null, name: 'Example Cloud LLC' },
      items: [
        { productId: 'nvidia-h100-sxm', quantity: 2000, eccn: '3A090.a', tppPerUnit: 15832, tpp: 31664000 },
        { description: 'custom board', quantity: 4, eccn: '3A090.a', tppPerUnit: 5200, tpp: 20800 },
      ],
      totalTpp: 31684800,
      h100Equivalents: 2001.3,
      quota: {
        countryAllocation: {
          applies: true,
          capTpp: 790000000,
          usedTpp: 0,
          remainingTpp: 790000000,
          thisShipmentTpp: 31684800,
          remainingAfterTpp: 758315200,
        },
        lpp: {
          year: 2025,
          applies: false,
          capTpp: 26900000,
          usedTpp: 0,
          remainingTpp: 26900000,
          thisShipmentTpp: 0,
          remainingAfterTpp: 26900000,
        },
      },
      reasons: [
        {
          code: 'LPP_LIMIT_EXCEEDED',
          message:
            '3A090.a/4A090.a items (nvidia-h100-sxm, custom board, 31,684,800 TPP): consignee Example Cloud LLC has used ' +
            '0 TPP of its 2025 LPP limit of 26,900,000 TPP; this shipment would bring it to 31,684,800 TPP, over the ' +
            'limit, so License Exception LPP is not available.',
          citation: '15 CFR 740.29',
        },
        {
          code: 'TIER2_LICENSE_WITHIN_ALLOCATION',
          message:
            "Licence required; United Arab Emirates has 790,000,000 TPP of its 790,000,000 TPP allocation left, enough for this shipment's " +
            '31,684,800 TPP: presumption of approval, and the licence would consume that much allocation.',
          citation: '90 FR 4544',
        },
      ],
      screening: SCREENED_CLEAN,
    },
  },
};

const TIER2_SOURCE =
  '90 FR 4544: every destination not in Tier 1 (Supp. No. 5 (a)) or Tier 3 (D:5 and Macau)';
const ALLOCATION_SOURCE =
  '90 FR 4544 (15 CFR 742.6(b)): 790,000,000 TPP per Tier 2 country for calendar years 2025-2027 (~49,900 H100e); ' +
  'doubled under a government-to-government arrangement';
const SEEDED_AT = '2026-11-28T11:24:46.437Z';

function tier2Country(code: string, name: string) {
  return {
    code,
    name,
    tier: 'TIER_2',
    tierSource: TIER2_SOURCE,
    allocationTpp: 790000000,
    allocationSource: ALLOCATION_SOURCE,
    govToGovArrangement: false,
    effectiveAllocationTpp: 790000000,
    officerModified: false,
    updatedAt: SEEDED_AT,
  };
}

export const COUNTRY_EXAMPLES: NamedExamples = {
  uae: {
    summary: 'United Arab Emirates: Tier 2, with its allocation balance',
    value: {
      ...tier2Country('AE', 'United Arab Emirates'),
      quota: {
        capTpp: 790000000,
        reservedTpp: 0,
        shippedTpp: 0,
        usedTpp: 0,
        remainingTpp: 790000000,
        capH100e: 49898.9,
        remainingH100e: 49898.9,
      },
    },
  },
  southKorea: {
    summary: 'South Korea: Tier 1, no allocation',
    value: {
      code: 'KR',
      name: 'South Korea',
      tier: 'TIER_1',
      tierSource:
        '90 FR 4544, Supp. No. 5 to 15 CFR part 740, paragraph (a) (License Exception AIA destinations)',
      allocationTpp: null,
      allocationSource: null,
      govToGovArrangement: false,
      effectiveAllocationTpp: null,
      officerModified: false,
      updatedAt: SEEDED_AT,
      quota: null,
    },
  },
};

export const COUNTRY_LIST_EXAMPLES: NamedExamples = {
  tier2: {
    summary: '?tier=TIER_2 (first two of the list)',
    value: { data: [tier2Country('AD', 'Andorra'), tier2Country('AE', 'United Arab Emirates')] },
  },
};

const H100 = {
  id: 'nvidia-h100-sxm',
  vendor: 'NVIDIA',
  name: 'H100 SXM5 80GB',
  kind: 'CHIP',
  datacenter: true,
  peaks: [
    { precision: 'FP8', tops: 1979, bitLength: 8 },
    { precision: 'INT8', tops: 1979, bitLength: 8 },
    { precision: 'BF16', tops: 989.5, bitLength: 16 },
    { precision: 'FP16', tops: 989.5, bitLength: 16 },
    { precision: 'FP64', tops: 67, bitLength: 64 },
  ],
  dieAreaMm2: 814,
  memoryBandwidthGBs: 3350,
  componentId: null,
  componentCount: null,
  tpp: 15832,
  performanceDensity: 19.4496,
  eccn: '3A090.a',
  h100Equivalents: 1,
  source:
    'NVIDIA H100 datasheet, sparse figures halved; SemiAnalysis on the AI Diffusion rule (2025) gives 15,831 TPP and ' +
    'an 814 mm² GH100 die. The H100-equivalent basis.',
  confidence: 'high: TPP and die area confirmed by a secondary source; other datasheet values from memory',
};

export const PRODUCT_EXAMPLES: NamedExamples = {
  h100: { summary: 'NVIDIA H100 SXM: 1,979 dense FP8 TFLOPS x 8 = 15,832 TPP, 3A090.a', value: H100 },
};

export const PRODUCT_LIST_EXAMPLES: NamedExamples = {
  catalogue: { summary: 'The catalogue (one entry shown)', value: { data: [H100] } },
};

export const CREATE_PRODUCT_EXAMPLES: NamedExamples = {
  chip: {
    summary: 'A data-centre chip described by its datasheet',
    value: {
      id: 'acme-x1',
      vendor: 'Acme',
      name: 'X1 accelerator',
      kind: 'CHIP',
      datacenter: true,
      peaks: [{ precision: 'fp8', tops: 800, bitLength: 8 }],
      dieAreaMm2: 600,
      memoryBandwidthGBs: 3000,
      source: 'Acme X1 datasheet rev. B',
    },
  },
};

export const CREATED_PRODUCT_EXAMPLES: NamedExamples = {
  chip: {
    summary: 'TPP 800 x 8 = 6,400 and density 10.67 computed: 3A090.a',
    value: {
      id: 'acme-x1',
      vendor: 'Acme',
      name: 'X1 accelerator',
      kind: 'CHIP',
      datacenter: true,
      peaks: [{ precision: 'fp8', tops: 800, bitLength: 8 }],
      dieAreaMm2: 600,
      memoryBandwidthGBs: 3000,
      componentId: null,
      componentCount: null,
      tpp: 6400,
      performanceDensity: 10.6667,
      eccn: '3A090.a',
      h100Equivalents: 0.4,
      source: 'Acme X1 datasheet rev. B',
      confidence: 'officer-entered',
    },
  },
};

export const RULESET_LIST_EXAMPLES: NamedExamples = {
  onShipDate: {
    summary: '?date=2025-06-01: AI Diffusion already rescinded, the 2023 controls in force',
    value: { data: listRulesets('2025-06-01', 'ai-diffusion-2025'), inForce: describeInForce('2025-06-01') },
  },
};

export const HEALTH_EXAMPLES: NamedExamples = {
  up: { summary: 'The process is up', value: { status: 'ok' } },
};

export const READINESS_EXAMPLES: NamedExamples = {
  ready: { summary: 'PostgreSQL answered', value: { status: 'ready', database: 'ok' } },
};

const EXAMPLE_REQUEST_ID = '3ee45ff7-80db-41c4-8749-3e82225fd8b6';
const EXAMPLE_SHIPMENT_ID = '0b9f6c1e-2f7a-4c43-9d53-7a1f1c2b3d4e';
const EXAMPLE_API_KEY_ID = '7c1d3b5e-9a42-4f0e-8d6b-2e5f4a3c1b0d';

function problemExample(
  summary: string,
  code: ErrorCode,
  detail: string,
  instance: string,
  errors?: { path: string; message: string }[],
): OpenApiExample {
  const { status, title } = ERROR_CATALOGUE[code];
  const value = {
    type: problemType(code),
    title,
    status,
    detail,
    code,
    requestId: EXAMPLE_REQUEST_ID,
    instance,
  };
  return { summary, value: errors === undefined ? value : { ...value, errors } };
}

/**
 * Problem examples by status, added to the problem responses of the document. The route declares which statuses
 * it can return; the swagger plugin picks, for each operation, the examples whose `instance` is on the same
 * resource, or all of them when none is (then `code` says which case each one is).
 */
export const PROBLEM_EXAMPLES: Record<number, NamedExamples> = {
  400: {
    validation: problemExample(
      'A field fails validation; errors[] has one entry per field',
      'VALIDATION_FAILED',
      'The request body is invalid.',
      '/v1/checks',
      [
        { path: 'body.items[0].quantity', message: 'must be at least 1' },
        { path: 'body', message: 'Unrecognized key: "colour"' },
      ],
    ),
  },
  401: {
    missing: problemExample(
      'No Authorization header',
      'UNAUTHENTICATED',
      'Send an API key as "Authorization: Bearer <key>".',
      '/v1/checks',
    ),
    unknown: problemExample(
      'Unknown or revoked key',
      'UNAUTHENTICATED',
      'The API key is unknown or revoked.',
      '/v1/checks',
    ),
  },
  403: {
    role: problemExample(
      'The role may not call this operation',
      'FORBIDDEN',
      'The auditor role may not call POST /v1/checks.',
      '/v1/checks',
    ),
  },
  404: {
    country: problemExample(
      'Unknown country',
      'COUNTRY_NOT_FOUND',
      'No country with ISO 3166-1 code XX.',
      '/v1/countries/XX',
    ),
    product: problemExample(
      'Unknown product',
      'PRODUCT_NOT_FOUND',
      'No product with id "nope".',
      '/v1/products/nope',
    ),
    shipment: problemExample(
      'Unknown shipment',
      'SHIPMENT_NOT_FOUND',
      `No shipment with id ${EXAMPLE_SHIPMENT_ID}.`,
      `/v1/shipments/${EXAMPLE_SHIPMENT_ID}`,
    ),
    apiKey: problemExample(
      'Unknown API key',
      'API_KEY_NOT_FOUND',
      `No API key with id ${EXAMPLE_API_KEY_ID}.`,
      `/v1/api-keys/${EXAMPLE_API_KEY_ID}`,
    ),
  },
  409: {
    productExists: problemExample(
      'The product id is taken',
      'PRODUCT_EXISTS',
      'A product with id "acme-x1" already exists.',
      '/v1/products',
    ),
    idempotencyKeyReused: problemExample(
      'The Idempotency-Key was used for another body',
      'IDEMPOTENCY_KEY_REUSED',
      `Idempotency-Key "po-4711-line-1" was used for a different request (shipment ${EXAMPLE_SHIPMENT_ID}); use a new key for a new shipment.`,
      '/v1/shipments',
    ),
    shipmentState: problemExample(
      'The shipment is in a state that does not allow this',
      'SHIPMENT_STATE_CONFLICT',
      'The shipment was cancelled and its hold released; it cannot be shipped. Create a new shipment.',
      `/v1/shipments/${EXAMPLE_SHIPMENT_ID}/ship`,
    ),
  },
  413: {
    tooLarge: problemExample(
      'Body over the configured limit',
      'PAYLOAD_TOO_LARGE',
      'Request body is too large',
      '/v1/checks',
    ),
  },
  415: {
    mediaType: problemExample(
      'Not JSON',
      'UNSUPPORTED_MEDIA_TYPE',
      'Unsupported Media Type: text/plain',
      '/v1/checks',
    ),
  },
  429: {
    rateLimited: problemExample(
      'Too many requests for this key (Retry-After says when to come back)',
      'RATE_LIMITED',
      'Rate limit of 6000 requests for this API key a minute exceeded; retry in 42 s.',
      '/v1/checks',
    ),
  },
  500: {
    internal: problemExample(
      'A bug; details are in the server log under requestId',
      'INTERNAL',
      'An unexpected error occurred. Quote the requestId when reporting it.',
      '/v1/checks',
    ),
  },
  503: {
    database: problemExample(
      'The database is unreachable (with Retry-After); calls recover by themselves when it returns',
      'DATABASE_UNAVAILABLE',
      'The database is unreachable; retry in 1 s.',
      '/v1/checks',
    ),
  },
};

/** A real UAE reservation (2,000 H100, over LPP: the allocation is held while the licence is sought). */
export const SHIPMENT_CREATED_EXAMPLES: NamedExamples = {
  uaePendingLicense: {
    summary: 'UAE: 2,000 H100 hold the allocation (PENDING_LICENSE)',
    value: {
      id: 'c21de37a-bdc9-41dd-b6b5-d22c6305dba7',
      status: 'PENDING_LICENSE',
      decision: {
        outcome: 'LICENSE_REQUIRED',
        ruleset: AI_DIFFUSION_RULESET,
        warnings: [RESCINDED_WARNING],
        checkId: 'c21de37a-bdc9-41dd-b6b5-d22c6305dba7',
        allowed: false,
        licenseRequired: true,
        authorization: null,
        reviewPolicy: 'PRESUMPTION_OF_APPROVAL',
        ...EXPORT_NO_NOTIFICATION,
        destination: {
          code: 'AE',
          name: 'United Arab Emirates',
          tier: 'TIER_2',
          countryGroups: ['D:4'],
        },
        consignee: { id: '8f14e45f-ceea-467f-a0e6-9b7c1d2e3f40', name: 'Example Cloud LLC' },
        items: [
          {
            productId: 'nvidia-h100-sxm',
            quantity: 2000,
            eccn: '3A090.a',
            tppPerUnit: 15832,
            tpp: 31664000,
          },
        ],
        totalTpp: 31664000,
        h100Equivalents: 2000,
        quota: {
          countryAllocation: {
            applies: true,
            capTpp: 790000000,
            usedTpp: 0,
            remainingTpp: 790000000,
            thisShipmentTpp: 31664000,
            remainingAfterTpp: 758336000,
          },
          lpp: {
            year: 2025,
            applies: false,
            capTpp: 26900000,
            usedTpp: 0,
            remainingTpp: 26900000,
            thisShipmentTpp: 0,
            remainingAfterTpp: 26900000,
          },
        },
        reasons: [
          {
            code: 'LPP_LIMIT_EXCEEDED',
            message:
              '3A090.a/4A090.a items (nvidia-h100-sxm, 31,664,000 TPP): consignee Example Cloud LLC has used 0 TPP of its 2025 LPP limit of 26,900,000 TPP; this shipment would bring it to 31,664,000 TPP, over the limit, so License Exception LPP is not available.',
            citation: '15 CFR 740.29',
          },
          {
            code: 'TIER2_LICENSE_WITHIN_ALLOCATION',
            message:
              "Licence required; United Arab Emirates has 790,000,000 TPP of its 790,000,000 TPP allocation left, enough for this shipment's 31,664,000 TPP: presumption of approval, and the licence would consume that much allocation.",
            citation: '90 FR 4544',
          },
        ],
        screening: SCREENED_CLEAN,
      },
      holds: {
        countryTpp: 31664000,
        lppTpp: 0,
        lppYear: 2025,
        licenseTpp: 0,
      },
      organisationId: '5b0c7e1f-2d3a-4e5f-8a9b-0c1d2e3f4a5b',
      externalReference: 'PO-2025-0042',
      destination: 'AE',
      consignee: { id: '8f14e45f-ceea-467f-a0e6-9b7c1d2e3f40', name: 'Example Cloud LLC' },
      shipDate: '2025-06-01',
      licenseId: null,
      holdExpiresAt: '2027-05-27T11:38:38.505Z',
      createdAt: '2026-11-28T11:38:38.505Z',
      updatedAt: '2026-11-28T11:38:38.505Z',
      shippedAt: null,
      cancelledAt: null,
      cancelReason: null,
    },
  },
};

export const SHIPMENT_EXAMPLES: NamedExamples = {
  uaeShipped: {
    summary: 'The UAE shipment after it shipped under licence',
    value: {
      ...(SHIPMENT_CREATED_EXAMPLES.uaePendingLicense?.value as Record<string, unknown>),
      ...{
        status: 'SHIPPED',
        holds: { countryTpp: 0, lppTpp: 0, lppYear: 2025, licenseTpp: 0 },
        licenseId: '0d6c5b4a-3f2e-4d1c-9b8a-7f6e5d4c3b2a',
        holdExpiresAt: null,
        updatedAt: '2026-11-28T11:38:38.765Z',
        shippedAt: '2026-11-28T11:38:38.756Z',
      },
    },
  },
};

export const QUOTA_EXAMPLES: NamedExamples = {
  uae: {
    summary: 'UAE after 2,000 H100 shipped',
    value: {
      country: 'AE',
      name: 'United Arab Emirates',
      tier: 'TIER_2',
      govToGovArrangement: false,
      period: ALLOCATION_PERIOD,
      capTpp: 790000000,
      reservedTpp: 0,
      shippedTpp: 31664000,
      usedTpp: 31664000,
      remainingTpp: 758336000,
      capH100e: 49898.9,
      reservedH100e: 0,
      shippedH100e: 2000,
      remainingH100e: 47898.9,
    },
  },
};

export const QUOTA_LIST_EXAMPLES: NamedExamples = {
  one: {
    summary: 'A list of one country (the real list has one entry per Tier 2 country with an allocation)',
    value: { data: [QUOTA_EXAMPLES.uae?.value] },
  },
};

export const SHIP_BODY_EXAMPLES: NamedExamples = {
  licensed: {
    summary: 'Shipped under the attached licence (the number is checked against it)',
    value: { licenseNumber: 'D123456' },
  },
};

export const COUNTRY_PATCH_EXAMPLES: NamedExamples = {
  govToGov: {
    summary: 'Record a government-to-government arrangement (doubles the allocation)',
    value: { govToGovArrangement: true },
  },
};

export const PLAN_EXAMPLES: NamedExamples = {
  southKorea: {
    summary: 'South Korea (Tier 1): no quota limits any of them under AIA',
    value: {
      planId: 'c1d8c892-7589-43c7-99b6-4833568aa707',
      destination: {
        code: 'KR',
        name: 'South Korea',
        tier: 'TIER_1',
        countryGroups: ['A:5'],
      },
      shipDate: '2025-06-01',
      candidates: [
        {
          productId: 'nvidia-b200',
          eccn: '3A090.a',
          tppPerUnit: 36000,
          h100Equivalents: 2.3,
          maxUnits: {
            withoutLicense: null,
            withLicenseWithinAllocation: null,
          },
          authorization: 'AIA',
          limitedBy: {
            withoutLicense: null,
            withLicenseWithinAllocation: null,
          },
        },
        {
          productId: 'nvidia-h200-sxm',
          eccn: '3A090.a',
          tppPerUnit: 15832,
          h100Equivalents: 1,
          maxUnits: {
            withoutLicense: null,
            withLicenseWithinAllocation: null,
          },
          authorization: 'AIA',
          limitedBy: {
            withoutLicense: null,
            withLicenseWithinAllocation: null,
          },
        },
        {
          productId: 'amd-mi300x',
          eccn: '3A090.a',
          tppPerUnit: 20919.2,
          h100Equivalents: 1.3,
          maxUnits: {
            withoutLicense: null,
            withLicenseWithinAllocation: null,
          },
          authorization: 'AIA',
          limitedBy: {
            withoutLicense: null,
            withLicenseWithinAllocation: null,
          },
        },
      ],
      pools: {
        countryAllocation: null,
        lpp: null,
      },
      ruleset: { ...AI_DIFFUSION_RULESET, selectedBy: 'DEFAULT' },
      warnings: [RESCINDED_WARNING],
    },
  },
  uae: {
    summary: 'UAE (Tier 2), fresh balances: the LPP budget without a licence, the allocation with one',
    value: {
      planId: 'a66b7ca2-2119-4ad3-acd6-a31b663ce1d2',
      destination: {
        code: 'AE',
        name: 'United Arab Emirates',
        tier: 'TIER_2',
        countryGroups: ['D:4'],
      },
      shipDate: '2025-06-01',
      candidates: [
        {
          productId: 'nvidia-b200',
          eccn: '3A090.a',
          tppPerUnit: 36000,
          h100Equivalents: 2.3,
          maxUnits: {
            withoutLicense: 747,
            withLicenseWithinAllocation: 21944,
          },
          authorization: 'LPP',
          limitedBy: {
            withoutLicense: 'LPP',
            withLicenseWithinAllocation: 'COUNTRY_ALLOCATION',
          },
        },
        {
          productId: 'nvidia-h200-sxm',
          eccn: '3A090.a',
          tppPerUnit: 15832,
          h100Equivalents: 1,
          maxUnits: {
            withoutLicense: 1699,
            withLicenseWithinAllocation: 49898,
          },
          authorization: 'LPP',
          limitedBy: {
            withoutLicense: 'LPP',
            withLicenseWithinAllocation: 'COUNTRY_ALLOCATION',
          },
        },
        {
          productId: 'amd-mi300x',
          eccn: '3A090.a',
          tppPerUnit: 20919.2,
          h100Equivalents: 1.3,
          maxUnits: {
            withoutLicense: 1285,
            withLicenseWithinAllocation: 37764,
          },
          authorization: 'LPP',
          limitedBy: {
            withoutLicense: 'LPP',
            withLicenseWithinAllocation: 'COUNTRY_ALLOCATION',
          },
        },
      ],
      pools: {
        countryAllocation: {
          capTpp: 790000000,
          usedTpp: 0,
          remainingTpp: 790000000,
        },
        lpp: {
          year: 2025,
          capTpp: 26900000,
          usedTpp: 0,
          remainingTpp: 26900000,
        },
      },
      ruleset: AI_DIFFUSION_RULESET,
      warnings: [RESCINDED_WARNING],
    },
  },
};

export const BATCH_REQUEST_EXAMPLES: NamedExamples = {
  twoChecks: {
    summary: 'South Korea and the UAE in one batch',
    value: { checks: [SOUTH_KOREA_CHECK, UAE_CHECK] },
  },
};

export const BATCH_RESULT_EXAMPLES: NamedExamples = {
  answeredAndRefused: {
    summary: 'One check answered, one refused on its own (UK is not an ISO 3166-1 code)',
    value: {
      data: [
        { index: 0, decision: DECISION_EXAMPLES.southKorea?.value },
        {
          index: 1,
          problem: {
            type: problemType('VALIDATION_FAILED'),
            title: ERROR_CATALOGUE.VALIDATION_FAILED.title,
            status: 400,
            detail: 'body.destination: unknown country code UK. Did you mean GB (United Kingdom)?',
            code: 'VALIDATION_FAILED',
            requestId: '7b0f0c55-4a57-4a64-a4b8-3c8f1b0e9d21',
            instance: '/v1/checks/batch',
            errors: [
              {
                path: 'body.checks[1].destination',
                message: 'unknown country code UK. Did you mean GB (United Kingdom)?',
              },
            ],
          },
        },
      ],
    },
  },
};

export const CSV_BATCH_EXAMPLE = [
  'order,destination,endUserName,endUserHeadquarters,shipDate,productId,quantity',
  'PO-1001,KR,Example Korea Cloud,KR,2025-06-01,nvidia-h100-sxm,10000',
  'PO-1002,AE,Example Cloud LLC,AE,2025-06-01,nvidia-h100-sxm,2000',
  'PO-1002,,,,,nvidia-h200-sxm,10',
  '',
].join('\n');

export const BATCH_CSV_RESULT_EXAMPLE = [
  'index,order,checkId,allowed,licenseRequired,authorization,reviewPolicy,destination,totalTpp,h100Equivalents,reasons,ruleset,inForceOnShipDate,errorCode,errorDetail',
  '0,PO-1001,68eac1e9-9e83-4fd4-b42f-1be4cf5084f1,true,false,AIA,,KR,158320000,10000,TIER1_AIA,ai-diffusion-2025,false,,',
  '1,PO-1002,0e5d3d7c-0c55-4d3b-9d8e-2f1c6a0b7e11,false,true,,PRESUMPTION_OF_APPROVAL,AE,31822320,2010,LPP_LIMIT_EXCEEDED TIER2_LICENSE_WITHIN_ALLOCATION,ai-diffusion-2025,false,,',
  '',
].join('\n');

export const CHECK_RECORD_HTML_EXAMPLE =
  '<!doctype html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n<title>Export check 68eac1e9-9e83-4fd4-b42f-1be4cf5084f1</title>\n' +
  '<style>…</style>\n</head>\n<body>\n<h1>Export compliance check: South Korea (KR)</h1>\n' +
  '<div class="verdict allowed">Allowed under License Exception/authorization AIA</div>\n…';
