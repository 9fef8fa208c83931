import { randomUUID } from 'node:crypto';
import type { Config } from '../config.ts';
import {
  candidateSimilarityFloor,
  matchKind,
  parseCslEntry,
  screeningIdentityKey,
  screeningMatchForm,
  screeningScore,
  type CslEntry,
  type ScreenedParty,
  type ScreeningMatch,
  type ScreeningResult,
  type ScreeningThresholds,
} from '../domain/screening.ts';
import { AppError, validationError } from '../errors.ts';
import type { Db, PrismaClient } from '../repositories/db.ts';
import {
  completeScreeningList,
  createScreeningList,
  insertScreeningBatch,
  listScreeningLists,
  searchLatestScreeningList,
  type NewScreeningName,
  type ScreeningListRecord,
} from '../repositories/screening-repository.ts';
import { recordAudit, type AuditContext } from './audit.ts';

/** Matches kept per screened party, best first. */
const MAX_MATCHES_PER_PARTY = 10;
/** Malformed entries reported in the import summary (all are counted). */
const MAX_MALFORMED_REPORTED = 1_000;
/** Entries written per statement. */
const IMPORT_BATCH = 1_000;

export function screeningThresholds(config: Config): ScreeningThresholds {
  return {
    hit: config.SCREENING_HIT_THRESHOLD,
    review: config.SCREENING_REVIEW_THRESHOLD,
    countryBonus: config.SCREENING_COUNTRY_BONUS,
    countryMismatchPenalty: config.SCREENING_COUNTRY_MISMATCH_PENALTY,
  };
}

export interface PartyToScreen {
  party?: ScreenedParty;
  name: string;
  /** Countries the party is known to be in; empty when unknown (no country bonus or penalty). */
  countries: string[];
}

/**
 * Screens parties against the latest import in one query, scores every candidate and keeps, per party and
 * listed entry, its best-scoring name when it reaches the review threshold.
 */
export async function screenParties(
  db: Db,
  thresholds: ScreeningThresholds,
  parties: PartyToScreen[],
): Promise<ScreeningResult> {
  const search = await searchLatestScreeningList(
    db,
    parties.map((p, ord) => ({
      ord,
      form: screeningMatchForm(p.name),
      identityKey: screeningIdentityKey(p.name),
    })),
    candidateSimilarityFloor(thresholds),
  );
  if (!search.list) return { listId: null, importedAt: null, matches: [] };
  const best = new Map<string, ScreeningMatch>();
  for (const c of search.candidates) {
    const party = parties[c.ord];
    if (!party) continue;
    const score = screeningScore(
      { exact: c.exact, similarity: c.similarity, entryCountries: c.countries },
      party.countries,
      thresholds,
    );
    const kind = matchKind(score, thresholds);
    if (kind === null) continue;
    const key = `${c.ord}\u0000${c.source}\u0000${c.entryName}`;
    const previous = best.get(key);
    if (previous && previous.score >= score) continue;
    best.set(key, {
      ...(party.party ? { party: party.party, partyName: party.name } : {}),
      entryName: c.entryName,
      matchedName: c.matchedName,
      source: c.source,
      list: c.listCode,
      countries: c.countries,
      score,
      kind,
      licenseRequirement: c.licenseRequirement,
      licensePolicy: c.licensePolicy,
      federalRegisterNotice: c.federalRegisterNotice,
      startDate: c.startDate,
    });
  }
  const matches = parties.flatMap((_, ord) =>
    [...best.entries()]
      .filter(([key]) => key.startsWith(`${ord}\u0000`))
      .map(([, match]) => match)
      .sort((a, b) => b.score - a.score || a.entryName.localeCompare(b.entryName))
      .slice(0, MAX_MATCHES_PER_PARTY),
  );
  return { listId: search.list.id, importedAt: search.list.importedAt.toISOString(), matches };
}

/** The consignee (located in the destination) and the end user (there, or at its headquarters). */
export function shipmentParties(input: {
  consignee: string;
  endUserName: string;
  destination: string;
  headquarters: string;
}): PartyToScreen[] {
  const endUserCountries = [...new Set([input.destination, input.headquarters])];
  if (screeningIdentityKey(input.consignee) === screeningIdentityKey(input.endUserName)) {
    return [{ party: 'CONSIGNEE', name: input.consignee, countries: endUserCountries }];
  }
  return [
    { party: 'CONSIGNEE', name: input.consignee, countries: [input.destination] },
    { party: 'END_USER', name: input.endUserName, countries: endUserCountries },
  ];
}

/**
 * Reservations never hold quota for a listed party (API.md, "Screening"): a hit is refused with the entry and
 * list named; so is a possible match, until a person has looked at it.
 */
export function refuseListedParties(screening: ScreeningResult | null): void {
  const matches = screening?.matches ?? [];
  const hit = matches.find((m) => m.kind === 'HIT');
  const describe = (m: ScreeningMatch) =>
    `${m.partyName ?? 'a party'} matches "${m.entryName}" on the ${m.source} (score ${m.score})`;
  if (hit) {
    throw new AppError(
      'SCREENING_HIT',
      `No quota is held for a listed party: ${describe(hit)}. Check the decision (POST /v1/checks) for the licence it needs.`,
    );
  }
  const possible = matches[0];
  if (possible) {
    throw new AppError(
      'SCREENING_REVIEW_REQUIRED',
      `No quota is held while a party may be a listed one: ${describe(possible)}. A compliance officer must review it first.`,
    );
  }
}

/** POST /v1/screenings: one name on its own. */
export async function screenName(
  ctx: { db: PrismaClient; config: Config },
  input: { name: string; country?: string | undefined },
): Promise<ScreeningResult> {
  if (screeningIdentityKey(input.name) === '') {
    throw validationError([{ path: 'body.name', message: 'must contain letters or digits' }]);
  }
  return screenParties(ctx.db, screeningThresholds(ctx.config), [
    { name: input.name, countries: input.country ? [input.country.toUpperCase()] : [] },
  ]);
}

export interface ImportSummary {
  id: string;
  entries: number;
  sources: Record<string, number>;
  importedAt: string;
  malformedCount: number;
  malformed: { index: number; problem: string }[];
  origin: string;
}

function namesOf(entry: CslEntry, entryIndex: number): NewScreeningName[] {
  const seen = new Set<string>();
  const names: NewScreeningName[] = [];
  for (const name of [entry.name, ...entry.altNames]) {
    const form = screeningMatchForm(name);
    if (seen.has(form)) continue;
    seen.add(form);
    names.push({ entryIndex, name, identityKey: screeningIdentityKey(name), form });
  }
  return names;
}

/**
 * Imports one CSL file as a new, versioned list, in one transaction with its audit event: entries arrive one
 * by one (the CLI streams them from disk), are validated (a malformed entry is reported by its index and
 * skipped), and are written a thousand at a time. The previous imports stay; decisions use the latest.
 */
export async function importScreeningList(
  ctx: { db: PrismaClient; now: () => Date } & AuditContext,
  input: { entries: AsyncIterable<unknown> | Iterable<unknown>; origin: string },
): Promise<ImportSummary> {
  const id = randomUUID();
  const importedAt = ctx.now();
  return ctx.db.$transaction(
    async (tx) => {
      await createScreeningList(tx, {
        id,
        importedAt,
        entries: 0,
        sources: {},
        malformed: [],
        malformedCount: 0,
        origin: input.origin,
      });
      const sources: Record<string, number> = {};
      const malformed: { index: number; problem: string }[] = [];
      let malformedCount = 0;
      let accepted = 0;
      let index = 0;
      let batch: (CslEntry & { entryIndex: number })[] = [];
      let names: NewScreeningName[] = [];
      const flush = async () => {
        await insertScreeningBatch(tx, id, batch, names);
        batch = [];
        names = [];
      };
      for await (const raw of input.entries) {
        const parsed = parseCslEntry(raw);
        if ('problem' in parsed) {
          malformedCount += 1;
          if (malformed.length < MAX_MALFORMED_REPORTED) malformed.push({ index, problem: parsed.problem });
        } else {
          batch.push({ ...parsed.entry, entryIndex: index });
          names.push(...namesOf(parsed.entry, index));
          sources[parsed.entry.source] = (sources[parsed.entry.source] ?? 0) + 1;
          accepted += 1;
          if (batch.length >= IMPORT_BATCH) await flush();
        }
        index += 1;
      }
      await flush();
      if (accepted === 0) {
        throw validationError(
          [{ path: 'body.results', message: `no valid entry among ${index} (${malformedCount} malformed)` }],
          'The list has no valid entry; nothing was imported.',
        );
      }
      await completeScreeningList(tx, id, { entries: accepted, sources, malformed, malformedCount });
      const summary: ImportSummary = {
        id,
        entries: accepted,
        sources,
        importedAt: importedAt.toISOString(),
        malformedCount,
        malformed,
        origin: input.origin,
      };
      await recordAudit(tx, ctx, {
        action: 'screening_list.import',
        targetType: 'screening_list',
        targetId: id,
        payload: { ...summary, malformed: malformed.slice(0, 100) },
      });
      return summary;
    },
    { maxWait: 30_000, timeout: 600_000 },
  );
}

export function toImportView(list: ScreeningListRecord): ImportSummary {
  return {
    id: list.id,
    entries: list.entries,
    sources: list.sources,
    importedAt: list.importedAt.toISOString(),
    malformedCount: list.malformedCount,
    malformed: list.malformed,
    origin: list.origin,
  };
}

export async function getScreeningLists(ctx: { db: PrismaClient }, limit = 100): Promise<ImportSummary[]> {
  return (await listScreeningLists(ctx.db, limit)).map(toImportView);
}
