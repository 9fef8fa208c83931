import type { Role } from '../domain/actor.ts';

export { ROLES, type Actor, type Role } from '../domain/actor.ts';

/**
 * Who may call what. Every route names one of these policies in `config.access`; a route without one makes
 * the app refuse to start (see plugins/auth.ts), so a new route cannot ship without a decision about access.
 * The roles themselves are in domain/actor.ts.
 */
export const ACCESS_POLICIES = {
  public: null,
  readReference: ['vendor', 'procurement', 'officer', 'auditor'],
  runCheck: ['vendor', 'procurement', 'officer'],
  /** Past checks: the service narrows vendors and procurement to their own (services/get-check.ts). */
  readChecks: ['vendor', 'procurement', 'officer', 'auditor'],
  readShipments: ['procurement', 'officer', 'auditor'],
  writeShipments: ['procurement', 'officer'],
  writeReference: ['officer'],
  readAudit: ['officer', 'auditor'],
  readKeys: ['officer', 'auditor'],
  manageKeys: ['officer'],
  manageScreening: ['officer'],
  readScreeningLists: ['officer', 'auditor'],
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
