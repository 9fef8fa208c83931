import { describe, expect, it } from 'vitest';
import { ACCESS_POLICIES, ROLES, rolesFor, type AccessPolicy } from '../../../src/http/access.ts';

/**
 * The policy table written out by hand from API.md's roles. The integration test
 * (tests/integration/access-control.test.ts) checks each route against its own hand-written table; this one
 * pins the policies themselves, so that a widened or narrowed policy fails without a database.
 */
const EXPECTED: Record<AccessPolicy, readonly string[] | null> = {
  public: null,
  readReference: ['vendor', 'procurement', 'officer', 'auditor'],
  runCheck: ['vendor', 'procurement', 'officer'],
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
};

describe('access policies', () => {
  it('has exactly the four roles of the contract', () => {
    expect([...ROLES]).toEqual(['vendor', 'procurement', 'officer', 'auditor']);
  });

  it.each(Object.entries(EXPECTED))('%s allows %j', (policy, roles) => {
    expect(rolesFor(policy as AccessPolicy)).toEqual(roles);
  });

  it('has no policy beyond the table', () => {
    expect(Object.keys(ACCESS_POLICIES).sort()).toEqual(Object.keys(EXPECTED).sort());
  });

  it('never lets an auditor change anything', () => {
    for (const policy of ['runCheck', 'writeShipments', 'writeReference', 'manageKeys'] as const)
      expect(rolesFor(policy)).not.toContain('auditor');
  });
});
