import { findAuditHead } from '../repositories/audit-repository.ts';
import type { PrismaClient } from '../repositories/db.ts';
import { summarisePoolUse, type AllocationUse, type LppUse } from '../repositories/quota-repository.ts';

export interface OperationalGauges {
  /** seq of the chain's head: the number of events, since seq has no gaps. */
  auditChainLength: number;
  allocations: AllocationUse[];
  lpp: LppUse[];
}

/** What a metrics scrape reads from the database: two cheap queries, run only when scraped. */
export async function readOperationalGauges(db: PrismaClient): Promise<OperationalGauges> {
  const [head, pools] = await Promise.all([findAuditHead(db), summarisePoolUse(db)]);
  return { auditChainLength: head?.seq ?? 0, ...pools };
}
