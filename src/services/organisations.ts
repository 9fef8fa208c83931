import {
  insertOrganisation,
  listOrganisations,
  type OrganisationRecord,
} from '../repositories/organisation-repository.ts';
import { recordAudit } from './audit.ts';
import type { ServiceContext } from './context.ts';

/** Records an exporter. Its vendor and procurement keys are then issued with its id. Audited. */
export async function createOrganisation(
  ctx: Pick<ServiceContext, 'db' | 'actor' | 'requestId' | 'now'>,
  input: { name: string; country: string },
): Promise<OrganisationRecord> {
  return ctx.db.$transaction(async (tx) => {
    const record = await insertOrganisation(tx, input);
    await recordAudit(tx, ctx, {
      action: 'organisation.create',
      targetType: 'organisation',
      targetId: record.id,
      payload: { after: { id: record.id, name: record.name, country: record.country } },
    });
    return record;
  });
}

export async function getOrganisations(ctx: Pick<ServiceContext, 'db'>): Promise<OrganisationRecord[]> {
  return listOrganisations(ctx.db);
}
