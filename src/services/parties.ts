import { normalisePartyName, partyIdentityKey } from '../domain/party-identity.ts';
import { AppError, validationError } from '../errors.ts';
import type { Db } from '../repositories/db.ts';
import {
  findParty,
  findPartyByIdentity,
  searchParties as searchPartyRows,
  upsertParties,
  type NewParty,
  type PartyRecord,
} from '../repositories/party-repository.ts';
import { findLppPoolsOfParty } from '../repositories/quota-repository.ts';
import { recordAudit, type AuditInput } from './audit.ts';
import type { ServiceContext } from './context.ts';
import type { ConsigneeRef, ShipmentRequest } from './evaluate-shipment.ts';

export type { PartyRecord } from '../repositories/party-repository.ts';

type AuditedContext = Pick<ServiceContext, 'db' | 'actor' | 'requestId' | 'now'>;

export interface PartyLppYear {
  year: number;
  capTpp: number;
  usedTpp: number;
  remainingTpp: number;
}

export interface PartyDetail extends PartyRecord {
  lpp: PartyLppYear[];
}

function identityOf(name: string, path: string): { display: string; identityKey: string } {
  const display = normalisePartyName(name);
  const identityKey = partyIdentityKey(name);
  if (identityKey === '' || display === '') {
    throw validationError([{ path, message: 'must contain letters or digits' }]);
  }
  return { display, identityKey };
}

/**
 * The party with this name and country, recorded if it is new (the creation audited in the same transaction).
 * Every spelling that folds to the same identity gets the same party, whichever arrives first.
 */
export async function registerParty(
  ctx: AuditedContext,
  input: { name: string; country: string; address?: string | null | undefined },
  path = 'body.name',
): Promise<{ party: PartyRecord; created: boolean }> {
  const { display, identityKey } = identityOf(input.name, path);
  const existing = await findPartyByIdentity(ctx.db, input.country, identityKey);
  if (existing) return { party: existing, created: false };
  return ctx.db.$transaction(
    async (tx) => {
      const [result] = await upsertParties(tx, [
        { name: display, country: input.country, identityKey, address: input.address ?? null },
      ]);
      if (!result) throw new Error('party upsert returned nothing');
      if (result.created) await recordAudit(tx, ctx, partyCreatedAudit(result.record, input));
      return { party: result.record, created: result.created };
    },
    { maxWait: 30_000, timeout: 30_000 },
  );
}

/** The audit record of a party's creation, written in the transaction that creates it. */
export function partyCreatedAudit(
  party: PartyRecord,
  input: { name: string; country: string; address?: string | null | undefined },
): AuditInput {
  return {
    action: 'party.create',
    targetType: 'party',
    targetId: party.id,
    payload: {
      input: { name: input.name, country: input.country, address: input.address ?? null },
      after: { id: party.id, name: party.name, country: party.country, identityKey: party.identityKey },
    },
  };
}

/**
 * Records, inside the caller's transaction, the consignees of a group of reservations that no party has yet
 * (one statement), and returns each reservation's consignee with its id plus the audit records of the parties
 * created. Refs that already have an id pass through.
 */
export async function recordConsignees(
  tx: Db,
  refs: { consignee: ConsigneeRef; country: string }[],
): Promise<{ consignees: ConsigneeRef[]; created: { party: PartyRecord; audit: AuditInput }[] }> {
  const missing = new Map<string, NewParty>();
  for (const { consignee, country } of refs) {
    if (consignee.id === null) {
      missing.set(`${country}|${consignee.identityKey}`, {
        name: consignee.name,
        country,
        identityKey: consignee.identityKey,
        address: null,
      });
    }
  }
  const upserted = await upsertParties(tx, [...missing.values()]);
  const byIdentity = new Map(upserted.map((u) => [`${u.record.country}|${u.record.identityKey}`, u]));
  const created = upserted
    .filter((u) => u.created)
    .map((u) => ({
      party: u.record,
      audit: partyCreatedAudit(u.record, { name: u.record.name, country: u.record.country }),
    }));
  const consignees = refs.map(({ consignee, country }) => {
    if (consignee.id !== null) return consignee;
    const party = byIdentity.get(`${country}|${consignee.identityKey}`)?.record;
    if (!party) throw new Error(`consignee ${country}/${consignee.identityKey} was not recorded`);
    return { id: party.id, name: party.name, identityKey: party.identityKey };
  });
  return { consignees, created };
}

/** A party by id where the caller names one in a body: an unknown id is a 400 on that field, not a 404. */
export async function requireParty(db: Db, id: string, path: string): Promise<PartyRecord> {
  const party = await findParty(db, id);
  if (!party) throw validationError([{ path, message: `unknown party ${id}; POST /v1/parties records one` }]);
  return party;
}

/** The existing party for a name, without recording one (checks change nothing). */
export async function findPartyForName(
  db: Db,
  name: string,
  country: string,
  path: string,
): Promise<{ party: PartyRecord | null; display: string; identityKey: string }> {
  const { display, identityKey } = identityOf(name, path);
  return { party: await findPartyByIdentity(db, country, identityKey), display, identityKey };
}

export async function getParty(ctx: Pick<ServiceContext, 'db'>, id: string): Promise<PartyDetail> {
  const party = await findParty(ctx.db, id);
  if (!party) throw new AppError('PARTY_NOT_FOUND', `No party with id ${id}.`);
  const pools = await findLppPoolsOfParty(ctx.db, id);
  return {
    ...party,
    lpp: pools
      .map((pool) => {
        const usedTpp = pool.reservedTpp + pool.shippedTpp;
        return {
          year: pool.year,
          capTpp: pool.capTpp,
          usedTpp,
          remainingTpp: Math.max(0, pool.capTpp - usedTpp),
        };
      })
      .sort((a, b) => a.year - b.year),
  };
}

/** Parties whose identity contains the folded query, so a search finds every spelling. */
export async function searchParties(
  ctx: Pick<ServiceContext, 'db'>,
  filter: { q?: string | undefined; country?: string | undefined; limit: number },
): Promise<PartyRecord[]> {
  const folded = filter.q === undefined ? undefined : partyIdentityKey(filter.q);
  return searchPartyRows(ctx.db, { identityKeyContains: folded, country: filter.country }, filter.limit);
}

/** A check or shipment body as it arrives: parties by name or by id. */
export interface PartyReferencingRequest extends Omit<ShipmentRequest, 'endUser'> {
  endUser: Omit<ShipmentRequest['endUser'], 'name'> & {
    name?: string | undefined;
    partyId?: string | undefined;
  };
  consigneeId?: string | undefined;
}

/**
 * Replaces party ids by their parties' names and resolves the consignee to its party (by id, or by the identity
 * of its name in the destination country). Records nothing: a name nobody has shipped to yet stays unrecorded.
 */
export async function resolveRequestParties(
  db: Db,
  input: PartyReferencingRequest,
): Promise<{ request: ShipmentRequest; consignee: ConsigneeRef }> {
  const { consigneeId, endUser, ...rest } = input;
  const destination = input.destination.toUpperCase();
  let endUserName: string;
  if (endUser.partyId !== undefined) {
    endUserName = (await requireParty(db, endUser.partyId, 'body.endUser.partyId')).name;
  } else if (endUser.name !== undefined) {
    endUserName = endUser.name;
  } else {
    throw validationError([{ path: 'body.endUser', message: 'give name or partyId' }]);
  }
  const { partyId: _partyId, ...endUserRest } = endUser;
  let consignee: ConsigneeRef;
  if (consigneeId !== undefined) {
    const party = await requireParty(db, consigneeId, 'body.consigneeId');
    if (party.country !== destination) {
      throw validationError([
        {
          path: 'body.consigneeId',
          message: `party ${party.id} is in ${party.country}; the shipment goes to ${destination}`,
        },
      ]);
    }
    consignee = { id: party.id, name: party.name, identityKey: party.identityKey };
  } else {
    const name = input.consignee ?? endUserName;
    const path = input.consignee !== undefined ? 'body.consignee' : 'body.endUser.name';
    const found = await findPartyForName(db, name, destination, path);
    consignee = {
      id: found.party?.id ?? null,
      name: found.party?.name ?? found.display,
      identityKey: found.identityKey,
    };
  }
  return {
    request: { ...rest, endUser: { ...endUserRest, name: endUserName }, consignee: consignee.name },
    consignee,
  };
}
