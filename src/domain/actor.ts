/**
 * Who is calling: the roles of the HTTP contract and the authenticated key acting. Vendor (checks, reference
 * data), procurement (vendor + shipments), officer (everything), auditor (read everything, change nothing).
 * Here, below services and HTTP, so that both use the one list.
 */
export const ROLES = ['vendor', 'procurement', 'officer', 'auditor'] as const;
export type Role = (typeof ROLES)[number];

export interface Actor {
  keyId: string;
  role: Role;
  name: string;
  /** The organisation a vendor or procurement key acts for, when keys carry one; rate-limited as a whole. */
  organisationId?: string | null;
}
