/**
 * The closed catalogue of domain errors. Services and the domain throw AppError with one of these codes;
 * the HTTP error handler maps codes to statuses here and nowhere else.
 */
export const ERROR_CATALOGUE = {
  VALIDATION_FAILED: { status: 400, title: 'Validation failed' },
  IDEMPOTENCY_KEY_REQUIRED: { status: 400, title: 'Idempotency-Key header required' },
  UNAUTHENTICATED: { status: 401, title: 'Authentication required' },
  FORBIDDEN: { status: 403, title: 'Forbidden' },
  NOT_FOUND: { status: 404, title: 'Not found' },
  COUNTRY_NOT_FOUND: { status: 404, title: 'Country not found' },
  PRODUCT_NOT_FOUND: { status: 404, title: 'Product not found' },
  SHIPMENT_NOT_FOUND: { status: 404, title: 'Shipment not found' },
  CHECK_NOT_FOUND: { status: 404, title: 'Check not found' },
  API_KEY_NOT_FOUND: { status: 404, title: 'API key not found' },
  ORGANISATION_NOT_FOUND: { status: 404, title: 'Organisation not found' },
  PARTY_NOT_FOUND: { status: 404, title: 'Party not found' },
  LICENSE_NOT_FOUND: { status: 404, title: 'Licence not found' },
  RULESET_NOT_FOUND: { status: 404, title: 'Rule pack not found' },
  NO_ALLOCATION: { status: 404, title: 'Country has no allocation' },
  METHOD_NOT_ALLOWED: { status: 405, title: 'Method not allowed' },
  PRODUCT_EXISTS: { status: 409, title: 'Product already exists' },
  IDEMPOTENCY_KEY_REUSED: { status: 409, title: 'Idempotency-Key reused with a different request' },
  SHIPMENT_STATE_CONFLICT: { status: 409, title: 'Shipment is not in a state that allows this' },
  REQUEST_TIMEOUT: { status: 408, title: 'Request timeout' },
  SCREENING_HIT: { status: 409, title: 'A party is on a restricted-party list' },
  SCREENING_REVIEW_REQUIRED: { status: 409, title: 'A party may be on a restricted-party list' },
  EXTERNAL_REFERENCE_TAKEN: { status: 409, title: 'External reference already used by another shipment' },
  LICENSE_NUMBER_TAKEN: { status: 409, title: 'Licence number already recorded' },
  LICENSE_REQUIRED: { status: 409, title: 'A licence must be attached before this shipment ships' },
  LICENSE_WRONG_ORGANISATION: { status: 409, title: 'Licence belongs to another organisation' },
  LICENSE_WRONG_DESTINATION: { status: 409, title: 'Licence is for another destination' },
  LICENSE_WRONG_CONSIGNEE: { status: 409, title: 'Licence is for another consignee' },
  LICENSE_ECCN_NOT_COVERED: { status: 409, title: "Licence does not cover every item's ECCN" },
  LICENSE_NOT_VALID_ON_SHIP_DATE: { status: 409, title: 'Licence is not valid on the ship date' },
  LICENSE_INSUFFICIENT_TPP: { status: 409, title: 'Licence has too little TPP remaining' },
  LICENSE_NOT_ACTIVE: { status: 409, title: 'Licence is not active' },
  PAYLOAD_TOO_LARGE: { status: 413, title: 'Payload too large' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, title: 'Unsupported media type' },
  RATE_LIMITED: { status: 429, title: 'Too many requests' },
  TOO_MUCH_IN_FLIGHT: { status: 429, title: 'Too much work in flight for this key' },
  INTERNAL: { status: 500, title: 'Internal server error' },
  SERVICE_UNAVAILABLE: { status: 503, title: 'Service unavailable' },
  DATABASE_UNAVAILABLE: { status: 503, title: 'Database unavailable' },
  OVERLOADED: { status: 503, title: 'Service at its admission budget' },
} as const satisfies Record<string, { status: number; title: string }>;

export type ErrorCode = keyof typeof ERROR_CATALOGUE;

export interface FieldError {
  path: string;
  message: string;
}

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly errors: FieldError[] | undefined;
  readonly headers: Record<string, string> | undefined;

  constructor(
    code: ErrorCode,
    detail: string,
    options: { errors?: FieldError[]; headers?: Record<string, string>; cause?: unknown } = {},
  ) {
    super(detail, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AppError';
    this.code = code;
    this.errors = options.errors;
    this.headers = options.headers;
  }

  get status(): number {
    return ERROR_CATALOGUE[this.code].status;
  }
}

export function validationError(errors: FieldError[], detail?: string): AppError {
  return new AppError(
    'VALIDATION_FAILED',
    detail ?? errors.map((e) => `${e.path}: ${e.message}`).join('; '),
    {
      errors,
    },
  );
}
