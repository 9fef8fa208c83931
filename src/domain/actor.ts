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
  /** The exporter a vendor or procurement key acts for; null for deployment-wide (officer, auditor) keys. */
  organisationId: string | null;
}
