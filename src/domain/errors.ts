/**
 * Domain errors carry a stable code so the HTTP layer can map them to a status in one table; the domain
 * itself never speaks HTTP.
 */
export const CLASSIFICATION_ERROR_CODES = [
  'PERFORMANCE_DENSITY_REQUIRED',
  'PEAKS_REQUIRED',
  'INVALID_PEAK',
  'INVALID_TPP',
  'INVALID_PERFORMANCE_DENSITY',
  'INVALID_DIE_AREA',
  'INVALID_COMPONENT_COUNT',
  'COMPONENT_REQUIRED',
  'COMPONENT_NOT_FOUND',
  'COMPONENT_NOT_A_CHIP',
] as const;
export type ClassificationErrorCode = (typeof CLASSIFICATION_ERROR_CODES)[number];

export const DOMAIN_ERROR_CODES = [...CLASSIFICATION_ERROR_CODES, 'INVALID_DATE', 'UNKNOWN_RULESET'] as const;
export type DomainErrorCode = (typeof DOMAIN_ERROR_CODES)[number];

export class DomainError extends Error {
  readonly code: DomainErrorCode;
  readonly details: Readonly<Record<string, unknown>> | undefined;

  constructor(code: DomainErrorCode, message: string, details?: Record<string, unknown>) {
    super(message);
    this.name = 'DomainError';
    this.code = code;
    this.details = details;
  }
}

/** Raised when a product cannot be classified from the figures given; the classifier never guesses. */
export class ClassificationError extends DomainError {
  declare readonly code: ClassificationErrorCode;

  constructor(code: ClassificationErrorCode, message: string, details?: Record<string, unknown>) {
    super(code, message, details);
    this.name = 'ClassificationError';
  }
}
