/**
 * Who may call what. Every route names one of these policies in `config.access`; a route without one makes
 * the app refuse to start (see plugins/auth.ts), so a new route cannot ship without a decision about access.
 * Roles follow the HTTP contract: vendor (checks, reference data), procurement (vendor + shipments),
 * officer (everything), auditor (read everything, change nothing).
 */
export const ROLES = ['vendor', 'procurement', 'officer', 'auditor'] as const;
export type Role = (typeof ROLES)[number];

export const ACCESS_POLICIES = {
  public: null,
  readReference: ['vendor', 'procurement', 'officer', 'auditor'],
  runCheck: ['vendor', 'procurement', 'officer'],
  readShipments: ['procurement', 'officer', 'auditor'],
  writeShipments: ['procurement', 'officer'],
  writeReference: ['officer'],
  readAudit: ['officer', 'auditor'],
  readKeys: ['officer', 'auditor'],
  manageKeys: ['officer'],
  readOrganisations: ['officer', 'auditor'],
  manageOrganisations: ['officer'],
  writeParties: ['procurement', 'officer'],
  readLicenses: ['procurement', 'officer', 'auditor'],
  manageLicenses: ['officer'],
} as const satisfies Record<string, readonly Role[] | null>;

export type AccessPolicy = keyof typeof ACCESS_POLICIES;

export function rolesFor(policy: AccessPolicy): readonly Role[] | null {
  return ACCESS_POLICIES[policy];
}

export interface Actor {
  keyId: string;
  role: Role;
  name: string;
  /** The exporter a vendor or procurement key acts for; null for deployment-wide (officer, auditor) keys. */
  organisationId: string | null;
}
